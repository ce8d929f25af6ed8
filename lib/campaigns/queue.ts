/**
 * The campaign queue (docs/architecture.md "Campaigns"): SQS through lib/core/sqs.ts.
 */
import type { Config } from "../config";
import { AppError } from "../core/errors";
import { sqsQueue as queueAt, type Queue as SqsQueue } from "../core/sqs";

/** What one queue message asks the worker to do: send chunk `chunk` of a campaign. */
export interface ChunkMessage {
  app: string;
  campaign: string;
  chunk: number;
}

export type Queue = SqsQueue<ChunkMessage>;

export function sqsQueue(config: Config): Queue {
  return queueAt<ChunkMessage>(
    config,
    config.SMSGATE_CAMPAIGN_QUEUE_URL,
    () =>
      new AppError(
        "InternalError",
        "SMSGATE_CAMPAIGN_QUEUE_URL is not set; campaigns cannot run in this deployment.",
      ),
  );
}

let shared: { url?: string; queue: Queue } | undefined;
/** One queue client per function instance. */
export function queueFor(config: Config): Queue {
  if (!shared || shared.url !== config.SMSGATE_CAMPAIGN_QUEUE_URL)
    shared = { url: config.SMSGATE_CAMPAIGN_QUEUE_URL, queue: sqsQueue(config) };
  return shared.queue;
}
