/** /v1/campaigns…, /v1/groups…: create, upload, start, pause, resume, cancel, results. */
import { loadConfig } from "../lib/config";
import { secretsAtColdStart } from "../lib/config/secrets";
import { lazyHandler } from "../lib/core/lazy";

// As functions/send.ts: the secrets fetch starts at INIT, the first event awaits it.
const secrets = secretsAtColdStart(loadConfig());

export const handler = lazyHandler(async () => {
  const [config, { makeHandler }, { createDeps }] = await Promise.all([
    secrets(),
    import("../lib/campaigns/handler"),
    import("../lib/core/deps"),
  ]);
  return makeHandler(createDeps({ config }));
});
