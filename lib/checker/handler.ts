/** Scheduled (EventBridge): watches every enabled app. */

import type { Deps } from "../core/deps";
import { sesMailer } from "./email";
import { runChecks } from "./run";

export function makeHandler(deps: Deps) {
  const mailer = sesMailer(deps.config);
  return async () => runChecks(deps, mailer);
}
