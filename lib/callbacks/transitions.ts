/**
 * What follows a message's status change, wherever it was decided (the send, a pushed or
 * pulled report, the orphan sweep, expiry): the campaign's delivered/undelivered counts, and
 * the `message.status` events the app subscribed to, queued in the outbox and the worker
 * woken — all awaited before the caller answers (a Lambda is frozen once it has).
 *
 * Each transition comes from the one write that won it (the status item's conditional put),
 * so it is counted and queued once however often the vendor repeats the report.
 */
import type { Deps } from "../core/deps";
import type { App } from "../core/model";
import { ConditionFailed } from "../store/db";
import { outboxPartition } from "../store/outbox";
import { type StatusTransition, statusEvents } from "../webhooks/events";
import { wakeOutbox } from "../webhooks/queue";

export async function afterTransitions(
  deps: Deps,
  transitions: StatusTransition[],
  appOf: (appId: string) => Promise<App | undefined>,
): Promise<{ events: number }> {
  if (transitions.length === 0) return { events: 0 };
  const counts = new Map<
    string,
    { appId: string; id: string; delivered: number; undelivered: number }
  >();
  const byApp = new Map<string, StatusTransition[]>();
  for (const t of transitions) {
    byApp.set(t.record.appId, [...(byApp.get(t.record.appId) ?? []), t]);
    // The record's own `campaign` (set by the engine, lib/campaigns/engine.ts), not its
    // context: an app's plain send with context "campaign:<id>" counts for no campaign.
    const id = t.record.campaign;
    if (!id || (t.status !== "delivered" && t.status !== "undelivered")) continue;
    const key = `${t.record.appId}#${id}`;
    const c = counts.get(key) ?? { appId: t.record.appId, id, delivered: 0, undelivered: 0 };
    c[t.status]++;
    counts.set(key, c);
  }
  const events = (
    await Promise.all([...byApp].map(async ([appId, ts]) => statusEvents(await appOf(appId), ts)))
  ).flat();
  const at = new Date(deps.clock.now()).toISOString();
  await Promise.all([
    ...[...counts.values()].map((c) =>
      deps.store
        .countReports(c.appId, c.id, { delivered: c.delivered, undelivered: c.undelivered })
        .catch((err) => {
          if (!(err instanceof ConditionFailed)) throw err; // no such campaign (any more)
        }),
    ),
    deps.store.putBatch(deps.store.outboxItems(events, at)),
  ]);
  await wakeOutbox(deps, events.map(outboxPartition));
  return { events: events.length };
}

/** An app lookup that reads each app once, seeded with the apps a caller already has. */
export function appLookup(deps: Deps, known: (App | undefined)[] = []) {
  const cache = new Map<string, Promise<App | undefined>>();
  for (const a of known) if (a) cache.set(a.appId, Promise.resolve(a));
  return (appId: string) => {
    if (!cache.has(appId)) cache.set(appId, deps.store.getApp(appId));
    return cache.get(appId) as Promise<App | undefined>;
  };
}
