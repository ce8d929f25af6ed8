/**
 * An SQS queue over the AWS JSON 1.0 protocol (lib/aws/client.ts, SendMessageBatch only), as
 * the official client speaks it since late 2023; locally the emulator in local/sqs-emulator/
 * speaks the same. Calls go to the queue URL's own host, as the SDK's default
 * (useQueueUrlAsEndpoint) does. Used by the campaign queue (lib/campaigns/queue.ts) and the
 * webhook queue (lib/webhooks/queue.ts).
 */
import { type AwsJsonClient, awsJsonClient } from "../aws/client";
import { awsCredentials, type Config } from "../config";

export interface Queue<T> {
  /** Enqueues messages, each visible after `delaySeconds` (≤ 900, SQS's maximum). */
  send(messages: { body: T; delaySeconds?: number }[]): Promise<void>;
}

/** A queue at `url`; `missing` is the error a send throws when the URL is not configured. */
export function sqsQueue<T>(
  config: Config,
  url: string | undefined,
  missing: () => Error,
): Queue<T> {
  let client: AwsJsonClient | undefined;
  const local = url ? /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url) : false;
  return {
    async send(messages) {
      if (!url) throw missing();
      client ??= awsJsonClient({
        service: "sqs",
        target: "AmazonSQS",
        protocol: "1.0",
        region: config.AWS_REGION,
        endpoint: new URL(url).origin,
        credentials: local ? { accessKeyId: "local", secretAccessKey: "local" } : awsCredentials,
        maxAttempts: 3,
      });
      for (let i = 0; i < messages.length; i += 10) {
        const part = messages.slice(i, i + 10);
        const out: { Failed?: { Code?: string }[] } = await client.call("SendMessageBatch", {
          QueueUrl: url,
          Entries: part.map((m, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(m.body),
            DelaySeconds: Math.min(900, Math.max(0, Math.ceil(m.delaySeconds ?? 0))),
          })),
        });
        if (out.Failed?.length)
          throw new Error(`SQS refused ${out.Failed.length} message(s): ${out.Failed[0]?.Code}`);
      }
    },
  };
}
