/**
 * An SQS emulator speaking the AWS JSON 1.0 protocol that @aws-sdk/client-sqs uses since
 * late 2023 (`X-Amz-Target: AmazonSQS.<Action>`, `application/x-amz-json-1.0`). The npm
 * emulators checked (local-aws-sqs, sqs-mock, serverless-offline-sqs over ElasticMQ) speak
 * the older query protocol, mock the client, or need Java (docs/architecture.md "Campaigns").
 *
 * What it does: CreateQueue, GetQueueUrl, SendMessage(Batch), ReceiveMessage (long polling,
 * visibility timeouts, ApproximateReceiveCount), DeleteMessage(Batch),
 * ChangeMessageVisibility, GetQueueAttributes (message counts), PurgeQueue; per-message
 * DelaySeconds; a redrive policy (maxReceiveCount → the dead-letter queue). MD5 digests of
 * bodies are returned, since the SDK checks them. Loopback only.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

interface Message {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  receipt?: string;
}

interface Queue {
  name: string;
  visibilityTimeout: number;
  messages: Message[];
  deadLetter?: { queue: string; maxReceiveCount: number };
}

export interface SqsEmulator {
  url: string;
  /** The URL of a queue (created if missing). */
  queueUrl(
    name: string,
    opts?: { visibilityTimeout?: number; deadLetter?: { queue: string; maxReceiveCount: number } },
  ): string;
  /** Messages by state, for tests and the bench. */
  depth(name: string): { visible: number; inFlight: number; delayed: number };
  /** Requests served, by action. */
  requests: Record<string, number>;
  close(): Promise<void>;
}

const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startSqsEmulator(opts: { port?: number } = {}): Promise<SqsEmulator> {
  const queues = new Map<string, Queue>();
  const requests: Record<string, number> = {};
  const waiters = new Set<() => void>();
  let base = "";

  const urlOf = (name: string) => `${base}/000000000000/${name}`;
  const ensure = (name: string, attrs: Record<string, string> = {}): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = { name, visibilityTimeout: Number(attrs.VisibilityTimeout ?? 30), messages: [] };
      queues.set(name, q);
    }
    if (attrs.VisibilityTimeout) q.visibilityTimeout = Number(attrs.VisibilityTimeout);
    if (attrs.RedrivePolicy) {
      const p = JSON.parse(attrs.RedrivePolicy) as {
        deadLetterTargetArn: string;
        maxReceiveCount: number;
      };
      q.deadLetter = {
        queue: p.deadLetterTargetArn.split(":").pop() as string,
        maxReceiveCount: Number(p.maxReceiveCount),
      };
    }
    return q;
  };
  const queueOf = (url: unknown): Queue => {
    const name =
      String(url ?? "")
        .split("/")
        .pop() ?? "";
    const q = queues.get(name);
    if (!q)
      throw new SqsError(
        "com.amazonaws.sqs#QueueDoesNotExist",
        "The specified queue does not exist.",
      );
    return q;
  };
  const wake = () => {
    for (const w of waiters) w();
  };

  const send = (q: Queue, body: string, delay = 0) => {
    if (body.length === 0 || Buffer.byteLength(body) > 262_144)
      throw new SqsError(
        "com.amazonaws.sqs#InvalidParameterValue",
        "Message must be 1 byte to 256 KiB.",
      );
    if (delay < 0 || delay > 900)
      throw new SqsError("com.amazonaws.sqs#InvalidParameterValue", "DelaySeconds must be 0–900.");
    const now = Date.now();
    const m: Message = {
      id: randomUUID(),
      body,
      md5: md5(body),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    q.messages.push(m);
    if (delay > 0) setTimeout(wake, delay * 1000 + 5).unref();
    else wake();
    return m;
  };

  const receive = (q: Queue, max: number, visibility: number) => {
    const now = Date.now();
    const out: Message[] = [];
    for (const m of [...q.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      if (q.deadLetter && m.receiveCount >= q.deadLetter.maxReceiveCount) {
        q.messages.splice(q.messages.indexOf(m), 1);
        const dlq = ensure(q.deadLetter.queue);
        dlq.messages.push({ ...m, visibleAt: now, receiveCount: 0, receipt: undefined });
        continue;
      }
      m.receiveCount++;
      m.receipt = randomUUID();
      m.visibleAt = now + visibility * 1000;
      // Visible again when its timeout ends, unless deleted first.
      setTimeout(wake, visibility * 1000 + 5).unref();
      out.push(m);
    }
    return out;
  };

  const removeByReceipt = (q: Queue, receipt: unknown) => {
    const i = q.messages.findIndex((m) => m.receipt === receipt);
    if (i < 0)
      throw new SqsError(
        "com.amazonaws.sqs#ReceiptHandleIsInvalid",
        "The receipt handle is not valid (the message was deleted or received again).",
      );
    q.messages.splice(i, 1);
  };

  // biome-ignore lint/suspicious/noExplicitAny: the wire format is JSON of many shapes
  type Body = Record<string, any>;
  const actions: Record<string, (b: Body) => Promise<Body> | Body> = {
    CreateQueue: (b) => {
      ensure(String(b.QueueName), b.Attributes ?? {});
      return { QueueUrl: urlOf(String(b.QueueName)) };
    },
    GetQueueUrl: (b) => {
      if (!queues.has(String(b.QueueName)))
        throw new SqsError(
          "com.amazonaws.sqs#QueueDoesNotExist",
          "The specified queue does not exist.",
        );
      return { QueueUrl: urlOf(String(b.QueueName)) };
    },
    SendMessage: (b) => {
      const m = send(queueOf(b.QueueUrl), String(b.MessageBody ?? ""), Number(b.DelaySeconds ?? 0));
      return { MessageId: m.id, MD5OfMessageBody: m.md5 };
    },
    SendMessageBatch: (b) => {
      const q = queueOf(b.QueueUrl);
      const entries = (b.Entries ?? []) as Body[];
      if (entries.length === 0 || entries.length > 10)
        throw new SqsError(
          entries.length
            ? "com.amazonaws.sqs#TooManyEntriesInBatchRequest"
            : "com.amazonaws.sqs#EmptyBatchRequest",
          "A batch holds 1–10 entries.",
        );
      const Successful: Body[] = [];
      const Failed: Body[] = [];
      for (const e of entries) {
        try {
          const m = send(q, String(e.MessageBody ?? ""), Number(e.DelaySeconds ?? 0));
          Successful.push({ Id: e.Id, MessageId: m.id, MD5OfMessageBody: m.md5 });
        } catch (err) {
          Failed.push({
            Id: e.Id,
            SenderFault: true,
            Code: "InvalidParameterValue",
            Message: (err as Error).message,
          });
        }
      }
      return { Successful, Failed };
    },
    ReceiveMessage: async (b) => {
      const q = queueOf(b.QueueUrl);
      const max = Math.min(10, Number(b.MaxNumberOfMessages ?? 1));
      const visibility = Number(b.VisibilityTimeout ?? q.visibilityTimeout);
      const until = Date.now() + Math.min(20, Number(b.WaitTimeSeconds ?? 0)) * 1000;
      let got = receive(q, max, visibility);
      while (got.length === 0 && Date.now() < until && !closed) {
        await new Promise<void>((resolve) => {
          const done = () => {
            waiters.delete(done);
            clearTimeout(t);
            resolve();
          };
          const t = setTimeout(done, Math.max(1, until - Date.now()));
          waiters.add(done);
        });
        got = receive(q, max, visibility);
      }
      return {
        Messages: got.map((m) => ({
          MessageId: m.id,
          ReceiptHandle: m.receipt,
          MD5OfBody: m.md5,
          Body: m.body,
          Attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(m.sentAt),
          },
        })),
      };
    },
    DeleteMessage: (b) => {
      removeByReceipt(queueOf(b.QueueUrl), b.ReceiptHandle);
      return {};
    },
    DeleteMessageBatch: (b) => {
      const q = queueOf(b.QueueUrl);
      const Successful: Body[] = [];
      const Failed: Body[] = [];
      for (const e of (b.Entries ?? []) as Body[]) {
        try {
          removeByReceipt(q, e.ReceiptHandle);
          Successful.push({ Id: e.Id });
        } catch (err) {
          Failed.push({
            Id: e.Id,
            SenderFault: true,
            Code: "ReceiptHandleIsInvalid",
            Message: (err as Error).message,
          });
        }
      }
      return { Successful, Failed };
    },
    ChangeMessageVisibility: (b) => {
      const q = queueOf(b.QueueUrl);
      const m = q.messages.find((x) => x.receipt === b.ReceiptHandle);
      if (!m)
        throw new SqsError(
          "com.amazonaws.sqs#ReceiptHandleIsInvalid",
          "The receipt handle is not valid.",
        );
      m.visibleAt = Date.now() + Number(b.VisibilityTimeout ?? 0) * 1000;
      setTimeout(wake, Number(b.VisibilityTimeout ?? 0) * 1000 + 5).unref();
      return {};
    },
    GetQueueAttributes: (b) => {
      const d = depthOf(queueOf(b.QueueUrl));
      return {
        Attributes: {
          ApproximateNumberOfMessages: String(d.visible),
          ApproximateNumberOfMessagesNotVisible: String(d.inFlight),
          ApproximateNumberOfMessagesDelayed: String(d.delayed),
        },
      };
    },
    PurgeQueue: (b) => {
      queueOf(b.QueueUrl).messages = [];
      return {};
    },
  };

  const depthOf = (q: Queue) => {
    const now = Date.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of q.messages) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  };

  let closed = false;
  const answer = (
    res: ServerResponse,
    status: number,
    body: Body,
    extra: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": "application/x-amz-json-1.0",
      "Content-Length": Buffer.byteLength(text),
      "x-amzn-RequestId": randomUUID(),
      ...extra,
    });
    res.end(text);
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const action = target.startsWith("AmazonSQS.") ? target.slice("AmazonSQS.".length) : "";
    const handler = actions[action];
    if (req.method !== "POST" || !handler) {
      answer(res, 400, {
        __type: "com.amazonaws.sqs#InvalidAction",
        message: `Unsupported action "${target}"; this emulator speaks the JSON protocol (X-Amz-Target: AmazonSQS.*).`,
      });
      return;
    }
    requests[action] = (requests[action] ?? 0) + 1;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Body;
      answer(res, 200, await handler(body));
    } catch (err) {
      const e =
        err instanceof SqsError
          ? err
          : new SqsError("com.amazonaws.sqs#InvalidParameterValue", (err as Error).message);
      const short = e.type.split("#")[1] ?? e.type;
      answer(
        res,
        e.status,
        { __type: e.type, message: e.message },
        {
          "x-amzn-query-error": `AWS.SimpleQueueService.${short};Sender`,
        },
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    queueUrl(name, o = {}) {
      const q = ensure(
        name,
        o.visibilityTimeout ? { VisibilityTimeout: String(o.visibilityTimeout) } : {},
      );
      if (o.deadLetter) {
        ensure(o.deadLetter.queue);
        q.deadLetter = o.deadLetter;
      }
      return urlOf(name);
    },
    depth: (name) => depthOf(queues.get(name) ?? { name, visibilityTimeout: 30, messages: [] }),
    requests,
    async close() {
      closed = true;
      wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
