/** The campaign queue's consumer (SQS, partial batch responses). */
import { loadConfig } from "../lib/config";
import { secretsAtColdStart } from "../lib/config/secrets";
import { lazyHandler } from "../lib/core/lazy";

// As functions/send.ts: the secrets fetch starts at INIT, the first event awaits it.
const secrets = secretsAtColdStart(loadConfig());

export const handler = lazyHandler(async () => {
  const [config, { makeHandler }, { createDeps }, { createSenders }] = await Promise.all([
    secrets(),
    import("../lib/campaigns/worker"),
    import("../lib/core/deps"),
    import("../lib/providers/senders"),
  ]);
  return makeHandler(createDeps({ config, senders: createSenders }));
});
