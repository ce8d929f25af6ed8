/**
 * What Lambda's SQS event source mapping does, for the local stack: long-polls the queue
 * with the official SQS client, hands each batch to the worker handler as an SQS event,
 * deletes the messages the handler did not report in `batchItemFailures`, and leaves the
 * others to come back after their visibility timeout.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

export interface RunnerOptions {
  queueUrl: string;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** Pollers in parallel (Lambda's maximum concurrency for the mapping). */
  concurrency?: number;
  batchSize?: number;
  visibilityTimeout?: number;
  onError?: (err: unknown) => void;
}

export interface Runner {
  /** Batches handled so far. */
  batches: number;
  stop(): Promise<void>;
}

export function startCampaignRunner(o: RunnerOptions): Runner {
  const client = new SQSClient({
    region: "local",
    endpoint: new URL(o.queueUrl).origin,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  let stopped = false;
  const state = { batches: 0 };
  const poll = async () => {
    while (!stopped) {
      try {
        const got = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: o.queueUrl,
            MaxNumberOfMessages: o.batchSize ?? 5,
            WaitTimeSeconds: 1,
            VisibilityTimeout: o.visibilityTimeout ?? 30,
            MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
          }),
        );
        const messages = got.Messages ?? [];
        if (messages.length === 0 || stopped) continue;
        const event: SQSEvent = {
          Records: messages.map((m) => ({
            messageId: m.MessageId ?? "",
            receiptHandle: m.ReceiptHandle ?? "",
            body: m.Body ?? "",
            attributes: {
              ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? "1",
              SentTimestamp: m.Attributes?.SentTimestamp ?? "0",
              SenderId: "local",
              ApproximateFirstReceiveTimestamp: String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: m.MD5OfBody ?? "",
            eventSource: "aws:sqs",
            eventSourceARN: "arn:aws:sqs:local:000000000000:campaigns",
            awsRegion: "local",
          })),
        };
        let failed = new Set<string>(messages.map((m) => m.MessageId ?? ""));
        try {
          const res = await o.handler(event);
          failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
        } catch (err) {
          o.onError?.(err); // a thrown handler fails the whole batch, as on Lambda
        }
        state.batches++;
        const done = messages.filter((m) => !failed.has(m.MessageId ?? ""));
        if (done.length && !stopped)
          await client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: o.queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
      } catch (err) {
        if (!stopped) {
          o.onError?.(err);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  };
  const loops = Array.from({ length: o.concurrency ?? 2 }, poll);
  return {
    get batches() {
      return state.batches;
    },
    async stop() {
      stopped = true;
      await Promise.allSettled(loops);
      client.destroy();
    },
  };
}
