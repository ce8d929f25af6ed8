/** The campaign queue's consumer (SQS, partial batch responses). */
import { loadConfig } from "../lib/config";
import { lazyHandler } from "../lib/core/lazy";

const config = loadConfig();

export const handler = lazyHandler(async () => {
  const [{ makeHandler }, { createDeps }, { createSenders }] = await Promise.all([
    import("../lib/campaigns/worker"),
    import("../lib/core/deps"),
    import("../lib/providers/senders"),
  ]);
  return makeHandler(createDeps({ config, senders: createSenders }));
});
