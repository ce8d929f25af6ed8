/** POST /callbacks/{provider}/reply/{token}: replies from handsets. */
import { makeHandler } from "../lib/callbacks/reply-handler";
import { loadConfig } from "../lib/config";
import { createDeps } from "../lib/core/deps";

// INIT builds what every invocation reuses — the configuration check (a bad variable fails
// the start, by name), the DynamoDB client and the handler — so the first event does only
// its own work (docs/performance.md, levers).
export const handler = makeHandler(createDeps({ config: loadConfig() }));
