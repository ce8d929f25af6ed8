/** POST /v1/messages, GET /v1/messages/{id}, POST / (Tencent-compatible), POST /v1/compat/logto. */
import { loadConfig } from "../lib/config";
import { lazyHandler } from "../lib/core/lazy";

// The environment is checked at cold start: a bad variable fails the start, by name. The
// handler, its modules and the SDK clients load on the first event (docs/performance.md).
const config = loadConfig();

export const handler = lazyHandler(async () => {
  const [{ makeHandler }, { createDeps }, { createSenders }] = await Promise.all([
    import("../lib/send/handler"),
    import("../lib/core/deps"),
    import("../lib/providers/senders"),
  ]);
  return makeHandler(createDeps({ config, senders: createSenders }));
});
