/**
 * What the scheduled checker does besides alerts: reconcile sends whose answer timed out,
 * count reports that beat their records, and retry reply forwards.
 */
import { forwardReply } from "../callbacks/forward";
import { bindingKey } from "../core/binding";
import type { Deps } from "../core/deps";
import { messageIdForSerial } from "../core/ids";
import type { App } from "../core/model";

/** Pulls each provider queue once (apps sharing one SmsSdkAppId share its queue). */
export async function reconcile(
  deps: Deps,
  apps: App[],
): Promise<{ pulled: number; reconciled: number }> {
  const queues = new Map<string, { apps: App[]; pull: () => Promise<unknown> }>();
  const at = new Date(deps.clock.now()).toISOString();
  let pulled = 0;
  let reconciled = 0;
  for (const app of apps) {
    for (const binding of app.providers) {
      const provider = deps.providers.get(binding.provider);
      if (!provider?.pullStatuses) continue;
      const queue = bindingKey(deps.config, binding);
      const entry = queues.get(queue);
      if (entry) {
        entry.apps.push(app);
        continue;
      }
      const group: App[] = [app];
      queues.set(queue, {
        apps: group,
        pull: async () => {
          const statuses = await provider.pullStatuses?.(binding).catch((err: Error) => {
            deps.log.warn("pull failed", { provider: binding.provider, err });
            return [];
          });
          pulled += statuses?.length ?? 0;
          const reports = await Promise.all(
            (statuses ?? []).map(async (status) => {
              // A timed-out send's record has our own id; find it by request and number.
              for (const a of status.reference ? group : []) {
                const id = await deps.store.findUnknown(
                  a.appId,
                  status.reference as string,
                  status.phone,
                );
                if (id) {
                  reconciled++;
                  await deps.store.forgetUnknown(a.appId, status.reference as string, status.phone);
                  return { messageId: id, report: status };
                }
              }
              return {
                messageId: messageIdForSerial(status.provider, status.serial),
                report: status,
              };
            }),
          );
          // Pulled from the vendor's own queue: the reports speak for that binding.
          if (reports.length)
            await deps.store.applyReports(reports, at, { bindingOf: () => queue });
        },
      });
    }
  }
  // One vendor queue's fault must not keep the others from being reconciled.
  const settled = await Promise.allSettled([...queues.values()].map((q) => q.pull()));
  const failed = settled.filter((r) => r.status === "rejected");
  if (failed.length)
    throw new AggregateError(
      failed.map((f) => f.reason),
      `${failed.length} queue(s) not reconciled`,
    );
  return { pulled, reconciled };
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
