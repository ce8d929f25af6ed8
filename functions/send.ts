/** POST /v1/messages, GET /v1/messages/{id}, POST / (Tencent-compatible), POST /v1/compat/logto. */
import { loadConfig } from "../lib/config";
import { secretsAtColdStart } from "../lib/config/secrets";
import { lazyHandler } from "../lib/core/lazy";

// The environment is checked at cold start: a bad variable fails the start, by name. The
// secrets fetch (deployed: one Secrets Manager call) starts now and overlaps with the INIT
// phase; the handler, its modules and the SDK clients load on the first event, which awaits
// the secrets (docs/performance.md, docs/deploy.md "The secrets").
const secrets = secretsAtColdStart(loadConfig());

export const handler = lazyHandler(async () => {
  const [config, { makeHandler }, { createDeps }, { createSenders }] = await Promise.all([
    secrets(),
    import("../lib/send/handler"),
    import("../lib/core/deps"),
    import("../lib/providers/senders"),
  ]);
  return makeHandler(createDeps({ config, senders: createSenders }));
});
