/** /v1/campaigns…, /v1/groups…: create, upload, start, pause, resume, cancel, results. */
import { loadConfig } from "../lib/config";
import { lazyHandler } from "../lib/core/lazy";

const config = loadConfig();

export const handler = lazyHandler(async () => {
  const [{ makeHandler }, { createDeps }] = await Promise.all([
    import("../lib/campaigns/handler"),
    import("../lib/core/deps"),
  ]);
  return makeHandler(createDeps({ config }));
});
