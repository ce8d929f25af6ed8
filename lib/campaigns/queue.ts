/**
 * The campaign queue (docs/architecture.md "Campaigns"): SQS through the official client,
 * which speaks the AWS JSON 1.0 protocol; locally the emulator in local/sqs-emulator/
 * speaks the same. The client loads on first use and is excluded from bundles (the Lambda
 * runtime ships it), like the DynamoDB client.
 */
import type { Config } from "../config";
import { AppError } from "../core/errors";

/** What one queue message asks the worker to do: send chunk `chunk` of a campaign. */
export interface ChunkMessage {
  app: string;
  campaign: string;
  chunk: number;
}

export interface Queue {
  /** Enqueues messages, each visible after `delaySeconds` (≤ 900, SQS's maximum). */
  send(messages: { body: ChunkMessage; delaySeconds?: number }[]): Promise<void>;
}

type Sqs = typeof import("../shims/aws-sqs");

export function sqsQueue(config: Config): Queue {
  const url = config.SMSGATE_CAMPAIGN_QUEUE_URL;
  let client: Promise<{ sdk: Sqs; c: InstanceType<Sqs["SQSClient"]> }> | undefined;
  const local = url ? /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url) : false;
  const get = () => {
    client ??= import("../shims/aws-sqs").then((sdk) => ({
      sdk,
      c: new sdk.SQSClient({
        region: config.AWS_REGION,
        maxAttempts: 3,
        ...(local && url
          ? {
              endpoint: new URL(url).origin,
              credentials: { accessKeyId: "local", secretAccessKey: "local" },
            }
          : {}),
      }),
    }));
    return client;
  };
  return {
    async send(messages) {
      if (!url)
        throw new AppError(
          "InternalError",
          "SMSGATE_CAMPAIGN_QUEUE_URL is not set; campaigns cannot run in this deployment.",
        );
      const { sdk, c } = await get();
      for (let i = 0; i < messages.length; i += 10) {
        const part = messages.slice(i, i + 10);
        const out = await c.send(
          new sdk.SendMessageBatchCommand({
            QueueUrl: url,
            Entries: part.map((m, j) => ({
              Id: String(j),
              MessageBody: JSON.stringify(m.body),
              DelaySeconds: Math.min(900, Math.max(0, Math.ceil(m.delaySeconds ?? 0))),
            })),
          }),
        );
        if (out.Failed?.length)
          throw new Error(`SQS refused ${out.Failed.length} message(s): ${out.Failed[0]?.Code}`);
      }
    },
  };
}

let shared: { url?: string; queue: Queue } | undefined;
/** One queue client per function instance. */
export function queueFor(config: Config): Queue {
  if (!shared || shared.url !== config.SMSGATE_CAMPAIGN_QUEUE_URL)
    shared = { url: config.SMSGATE_CAMPAIGN_QUEUE_URL, queue: sqsQueue(config) };
  return shared.queue;
}
