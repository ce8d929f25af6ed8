/**
 * The threshold checker. For now it only walks the index of enabled apps and logs what it
 * would check; alerts come with the checker issue.
 */
import type { Deps } from "./deps";

export async function runChecks(deps: Deps): Promise<{ apps: number }> {
  const apps = await deps.store.listEnabledAppIds();
  deps.log.info("threshold check", { apps: apps.length });
  return { apps: apps.length };
}
