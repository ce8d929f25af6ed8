/** Scheduled (EventBridge): watches every enabled app. */

import type { Deps } from "../core/deps";
import { runChecks } from "./run";

export function makeHandler(deps: Deps) {
  return async () => runChecks(deps);
}
