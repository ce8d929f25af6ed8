/**
 * An SQS queue through the official client, which speaks the AWS JSON 1.0 protocol; locally
 * the emulator in local/sqs-emulator/ speaks the same. The client (bundled with its one command,
 * lib/shims/aws-sqs.ts) is evaluated on first use. Used by the
 * campaign queue (lib/campaigns/queue.ts) and the webhook queue (lib/webhooks/queue.ts).
 */
import type { Config } from "../config";

export interface Queue<T> {
  /** Enqueues messages, each visible after `delaySeconds` (≤ 900, SQS's maximum). */
  send(messages: { body: T; delaySeconds?: number }[]): Promise<void>;
}

type Sqs = typeof import("../shims/aws-sqs");

/** A queue at `url`; `missing` is the error a send throws when the URL is not configured. */
export function sqsQueue<T>(
  config: Config,
  url: string | undefined,
  missing: () => Error,
): Queue<T> {
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
      if (!url) throw missing();
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
