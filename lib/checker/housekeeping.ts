/**
 * What the scheduled checker does besides alerts: reconcile sends whose answer timed out,
 * count reports that beat their records, and retry reply forwards.
 */
import { forwardReply } from "../callbacks/forward";
import { bindingKey } from "../core/binding";
import type { Deps } from "../core/deps";
import { messageIdForSerial } from "../core/ids";
import type { App } from "../core/model";

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
    }),
  );
  const { expired } = await deps.store.expireUnknowns(at);
  const failed = settled.filter((r) => r.status === "rejected");
  if (failed.length)
    throw new AggregateError(
      failed.map((f) => (f as PromiseRejectedResult).reason),
      `${failed.length} queue(s) not reconciled`,
    );
  return { pulled, reconciled, expired };
}

/** Retries reply forwards that are due, each once per run. */
export async function retryForwards(deps: Deps): Promise<{ retried: number; delivered: number }> {
  const due = await deps.store.dueForwards(new Date(deps.clock.now()).toISOString());
  const apps = new Map<string, App | undefined>();
  let delivered = 0;
  // One reply's fault must not keep the others from being forwarded.
  const settled = await Promise.allSettled(
    due.map(async (r) => {
      if (!apps.has(r.appId)) apps.set(r.appId, await deps.store.getApp(r.appId));
      const app = apps.get(r.appId);
      if (app && (await forwardReply(deps, app, r, r.forward?.attempts ?? 0, 5000))) delivered++;
    }),
  );
  const failed = settled.filter((r) => r.status === "rejected");
  if (failed.length)
    throw new AggregateError(
      failed.map((f) => f.reason),
      `${failed.length} forward(s) failed`,
    );
  return { retried: due.length, delivered };
}
