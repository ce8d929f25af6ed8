/**
 * What the scheduled checker does besides alerts: reconcile sends whose answer timed out,
 * count reports that beat their records, and sweep the webhook outbox for what is due.
 */
import { drainPartitions } from "../callbacks/forward";
import { afterTransitions, appLookup } from "../callbacks/transitions";
import { bindingKey } from "../core/binding";
import type { Deps } from "../core/deps";
import { messageIdForSerial } from "../core/ids";
import type { App, StatusTransition } from "../core/model";
import { outboxPartition } from "../store/outbox";
import { replyOutboxEvent } from "../webhooks/events";

/**
 * The second channel for unknown outcomes (the first is the pushed report, lib/store
 * messages.ts): pulls each vendor queue once — keyed by the real vendor account, so apps that
 * name the deployment's SmsSdkAppId and apps that name none share one queue — and applies
 * what it returns through that account's binding. A pulled status echoes our request id,
 * which finds a timed-out send's record; one whose record does not exist yet is kept as an
 * orphan with that id until it does, never dropped. Then sends still unknown when the
 * report window has closed end `expired`.
 */
export async function reconcile(
  deps: Deps,
  apps: App[],
): Promise<{ pulled: number; reconciled: number; expired: number }> {
  const queues = new Map<string, App["providers"][number]>();
  const at = new Date(deps.clock.now()).toISOString();
  const transitions: StatusTransition[] = [];
  let pulled = 0;
  let reconciled = 0;
  for (const app of apps)
    for (const binding of app.providers) {
      if (!deps.providers.get(binding.provider)?.pullStatuses) continue;
      const queue = bindingKey(deps.config, binding);
      if (!queues.has(queue)) queues.set(queue, binding);
    }
  // One vendor queue's fault must not keep the others from being reconciled.
  const settled = await Promise.allSettled(
    [...queues].map(async ([queue, binding]) => {
      const provider = deps.providers.get(binding.provider);
      const statuses = await provider?.pullStatuses?.(binding).catch((err: Error) => {
        deps.log.warn("pull failed", { provider: binding.provider, err });
        return [];
      });
      if (!statuses?.length) return;
      pulled += statuses.length;
      const result = await deps.store.applyReports(
        statuses.map((status) => ({
          messageId: messageIdForSerial(status.provider, status.serial),
          report: status,
        })),
        at,
        // Pulled from the vendor's own queue: the reports speak for that binding.
        { bindingOf: () => queue },
      );
      reconciled += result.reconciled;
      transitions.push(...result.transitions);
    }),
  );
  const expiry = await deps.store.expireUnknowns(at);
  const { expired } = expiry;
  // Counted on campaigns and queued as events like any report's (lib/callbacks/transitions.ts).
  await afterTransitions(deps, [...transitions, ...expiry.transitions], appLookup(deps, apps));
  const failed = settled.filter((r) => r.status === "rejected");
  if (failed.length)
    throw new AggregateError(
      failed.map((f) => (f as PromiseRejectedResult).reason),
      `${failed.length} queue(s) not reconciled`,
    );
  return { pulled, reconciled, expired };
}

/** Orphan reports whose records now exist are counted, and their transitions followed. */
export async function sweepOrphans(deps: Deps, apps: App[]) {
  const { transitions, ...counts } = await deps.store.sweepOrphans(
    new Date(deps.clock.now()).toISOString(),
  );
  await afterTransitions(deps, transitions, appLookup(deps, apps));
  return counts;
}

/** Outbox partitions one sweep drains at most, and for how long it starts new ones. */
export const SWEEP_PARTITIONS = 400;
export const SWEEP_MS = 150_000;

/**
 * The fallback deliverer (docs/architecture.md "Webhooks to the app"): every event whose
 * time has come — a retry after backoff, or a fresh one the queue's worker never took — is
 * found on the outbox's due index (a Query per shard) and delivered here, 5 s per attempt.
 * Replies queued before the outbox existed are moved into it first.
 */
export async function sweepOutbox(
  deps: Deps,
  apps: App[],
): Promise<{ retried: number; delivered: number; gaveUp: number }> {
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const legacy = await deps.store.legacyForwards();
  if (legacy.length) {
    const events = legacy.map(replyOutboxEvent);
    await deps.store.putBatch(deps.store.outboxItems(events, at));
    await Promise.all(legacy.map((r) => deps.store.clearLegacyForward(r)));
  }
  const due = (await deps.store.dueOutbox(at)).slice(0, SWEEP_PARTITIONS);
  const started = Date.now();
  const result = await drainPartitions(
    deps,
    [...new Set([...legacy.map((r) => outboxPartition(replyOutboxEvent(r))), ...due])],
    {
      timeoutMs: 5000,
      apps: new Map(apps.map((a) => [a.appId, Promise.resolve(a)])),
      stopAt: started + SWEEP_MS,
    },
  );
  if (result.errors.length)
    throw new AggregateError(
      result.errors.map((e) => e.err),
      `${result.errors.length} outbox partition(s) not drained`,
    );
  return {
    retried: due.length,
    delivered: result.delivered,
    gaveUp: result.gaveUp,
  };
}
