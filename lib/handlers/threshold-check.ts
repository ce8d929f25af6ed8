/** Scheduled (EventBridge): watches every enabled app. */
import { runChecks } from "../lib/checker";
import { createDeps, type Deps } from "../lib/deps";
import { createSenders } from "../lib/providers/senders";

export function makeHandler(deps: Deps) {
  return async () => runChecks(deps);
}

export const handler = makeHandler(createDeps({ senders: createSenders }));
