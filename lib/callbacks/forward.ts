/**
 * The one delivery machinery for app webhooks, replies and statuses alike (docs/api.md
 * "Webhooks to the app"; docs/architecture.md "Webhooks to the app"). Events wait in the
 * outbox (lib/store/outbox.ts); a deliverer — the webhook worker woken through the queue, or
 * the checker's sweep — drains a subject's partition from its head, one event at a time
 * under a lease: delivered or given up, it leaves and the next may go; not acknowledged, it
 * is due again with backoff and the later ones wait behind it. So per subject the order
 * holds, and each event reaches the app at least once, under a stable `webhook-id`.
 */
import { masterSecret } from "../config";
import type { Deps } from "../core/deps";
import type { App } from "../core/model";
import { unseal } from "../core/secrets";
import type { OutboxItem } from "../store/outbox";
import { deliverWebhook, loopbackAllowed } from "../webhooks";

/** When to try again after `attempts` failures: 1, 2, 4 … minutes, at most an hour apart. */
export function nextAttempt(now: number, attempts: number): number {
  return now + Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** How long an event is retried, from when it was made. */
export const FORWARD_WINDOW_MS = 24 * 3600_000;
/** Partitions drained at once by one deliverer. */
export const DELIVERY_CONCURRENCY = 16;

export interface Tally {
  delivered: number;
  failed: number;
  gaveUp: number;
  /** Partitions another deliverer held (re-woken by the worker, left to it by the sweep). */
  busy: string[];
}

export interface DrainOptions {
  /** One attempt's bound (DNS, connect, answer). */
  timeoutMs: number;
  /** Apps read once per deliverer run. */
  apps?: Map<string, Promise<App | undefined>>;
}

const hookOf = (app: App | undefined, o: OutboxItem) =>
  o.hook === "reply" ? app?.replyWebhook : app?.statusWebhook;

/** Delivered or given up: out of the outbox; a reply's record says which. */
async function finish(deps: Deps, o: OutboxItem, state: "delivered" | "failed", at: string) {
  await Promise.all([
    deps.store.finishOutbox(o),
    o.reply ? deps.store.markForward(o.reply, state, at) : undefined,
  ]);
}

/** Drains one subject's partition from its head, as far as the app acknowledges. */
export async function drainPartition(
  deps: Deps,
  partition: string,
  opts: DrainOptions,
  tally: Tally,
): Promise<void> {
  const apps = opts.apps ?? new Map();
  const items = await deps.store.outboxOf(partition);
  for (const [i, o] of items.entries()) {
    const now = deps.clock.now();
    const at = new Date(now).toISOString();
    const later = items.slice(i + 1);
    // Backing off: this one and everything behind it waits (a fresh event goes at once).
    if (o.attempts > 0 && Date.parse(o.dueAt) > now) {
      await Promise.all(later.map((l) => deps.store.deferOutbox(l, o.dueAt)));
      return;
    }
    if (!(await deps.store.claimOutbox(o, now))) {
      if (later.length) tally.busy.push(partition);
      return; // another deliverer has the head, or has just finished it
    }
    if (!apps.has(o.appId)) apps.set(o.appId, deps.store.getApp(o.appId));
    const app = await apps.get(o.appId);
    const hook = hookOf(app, o);
    if (!hook) {
      // The webhook was removed (or the app): nobody is waiting for this any more.
      tally.gaveUp++;
      deps.log.info("webhook dropped: no longer configured", { appId: o.appId, id: o.webhookId });
      await finish(deps, o, "failed", at);
      continue;
    }
    const result = await deliverWebhook({
      url: hook.url,
      secret: unseal(masterSecret(deps.config), hook.sealedSecret),
      id: o.webhookId,
      body: o.body,
      now,
      timeoutMs: opts.timeoutMs,
      allowLoopback: loopbackAllowed(deps.config),
    });
    if (result.ok) {
      tally.delivered++;
      await finish(deps, o, "delivered", at);
      continue;
    }
    const attempts = o.attempts + 1;
    // What went wrong goes to the log only: reading replies or messages tells a caller
    // nothing about what the URL's host answered or how fast.
    deps.log.info("webhook not acknowledged", {
      appId: o.appId,
      id: o.webhookId,
      hook: o.hook,
      attempts,
      reason: result.reason,
    });
    if (now - Date.parse(o.createdAt) >= FORWARD_WINDOW_MS) {
      tally.gaveUp++;
      await finish(deps, o, "failed", at);
      continue; // given up: the next event of this subject may go
    }
    tally.failed++;
    const due = new Date(nextAttempt(now, attempts)).toISOString();
    await deps.store.retryOutbox(o, attempts, due, at);
    await Promise.all(later.map((l) => deps.store.deferOutbox(l, due)));
    return;
  }
}

/** Drains many partitions, DELIVERY_CONCURRENCY at a time; `stopAt` ends starting new ones. */
export async function drainPartitions(
  deps: Deps,
  partitions: string[],
  opts: DrainOptions & { stopAt?: number },
): Promise<Tally & { errors: { partition: string; err: unknown }[] }> {
  const tally: Tally = { delivered: 0, failed: 0, gaveUp: 0, busy: [] };
  const errors: { partition: string; err: unknown }[] = [];
  const apps = opts.apps ?? new Map<string, Promise<App | undefined>>();
  let next = 0;
  const lane = async () => {
    while (next < partitions.length) {
      if (opts.stopAt !== undefined && Date.now() > opts.stopAt) return;
      const partition = partitions[next++] as string;
      // One partition's fault must not keep the others from being delivered.
      await drainPartition(deps, partition, { ...opts, apps }, tally).catch((err) =>
        errors.push({ partition, err }),
      );
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(DELIVERY_CONCURRENCY, partitions.length) }, lane),
  );
  return { ...tally, errors };
}
