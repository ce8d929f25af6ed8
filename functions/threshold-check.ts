/** Scheduled (EventBridge): watches every enabled app. */
import { makeHandler } from "../lib/checker/handler";
import { loadConfig } from "../lib/config";
import { createDeps } from "../lib/core/deps";
import { createSenders } from "../lib/providers/senders";

// INIT builds what every invocation reuses — the configuration check (a bad variable fails
// the start, by name), the DynamoDB client and the handler — so the first event does only
// its own work (docs/performance.md, levers).
export const handler = makeHandler(createDeps({ config: loadConfig(), senders: createSenders }));
