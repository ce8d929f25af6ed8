/**
 * The scheduled checker: housekeeping for every enabled app (alerts come with the checker
 * issue). Reads the index of enabled apps and counter items — never records, never a Scan.
 */
import type { Deps } from "./deps";
import { reconcile, retryForwards } from "./housekeeping";
import type { App } from "./model";

export async function runChecks(deps: Deps) {
  const ids = await deps.store.listEnabledAppIds();
  const apps = (await deps.store.getApps(ids)).filter((a): a is App => Boolean(a));
  const at = new Date(deps.clock.now()).toISOString();
  const [reconciled, orphans, forwards] = await Promise.all([
    reconcile(deps, apps),
    deps.store.sweepOrphans(at),
    retryForwards(deps),
  ]);
  const summary = { apps: apps.length, ...reconciled, orphans, forwards };
  deps.log.info("threshold check", summary);
  return summary;
}
