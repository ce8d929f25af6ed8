/**
 * The campaign worker alone, as its own process, configured from the environment like a
 * Lambda: what the crash test kills mid-chunk (test/integration/campaigns-crash.test.ts).
 */

import { makeHandler } from "../lib/campaigns/worker";
import { loadConfig } from "../lib/config";
import { createDeps } from "../lib/core/deps";
import { createSenders } from "../lib/providers/senders";
import { startCampaignRunner } from "./campaign-runner";

const config = loadConfig();
if (!config.SMSGATE_CAMPAIGN_QUEUE_URL) throw new Error("SMSGATE_CAMPAIGN_QUEUE_URL is not set");
const handler = makeHandler(createDeps({ config, senders: createSenders }));
startCampaignRunner({
  queueUrl: config.SMSGATE_CAMPAIGN_QUEUE_URL,
  handler,
  visibilityTimeout: Number(process.env.CAMPAIGN_VISIBILITY_TIMEOUT ?? 30),
});
process.stdout.write("worker ready\n");
