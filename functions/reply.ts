/** POST /callbacks/{provider}/reply/{token}: replies from handsets. */
import { loadConfig } from "../lib/config";
import { lazyHandler } from "../lib/core/lazy";

// The environment is checked at cold start: a bad variable fails the start, by name. The
// handler, its modules and the SDK clients load on the first event (docs/performance.md).
const config = loadConfig();

export const handler = lazyHandler(async () => {
  const [{ makeHandler }, { createDeps }] = await Promise.all([
    import("../lib/callbacks/reply-handler"),
    import("../lib/core/deps"),
  ]);
  return makeHandler(createDeps({ config }));
});
