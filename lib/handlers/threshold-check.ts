/** Scheduled (EventBridge): watches every enabled app. */
import { runChecks } from "../checker";
import type { Deps } from "../deps";

export function makeHandler(deps: Deps) {
  return async () => runChecks(deps);
}
