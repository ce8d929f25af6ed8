/** The webhook queue's consumer (SQS, partial batch responses): delivers outbox events. */
import { loadConfig } from "../lib/config";
import { secretsAtColdStart } from "../lib/config/secrets";
import { lazyHandler } from "../lib/core/lazy";

// As functions/send.ts: the secrets fetch starts at INIT, the first event awaits it.
const secrets = secretsAtColdStart(loadConfig());

export const handler = lazyHandler(async () => {
  const [config, { makeHandler }, { createDeps }] = await Promise.all([
    secrets(),
    import("../lib/callbacks/webhook-worker"),
    import("../lib/core/deps"),
  ]);
  return makeHandler(createDeps({ config }));
});
