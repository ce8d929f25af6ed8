/**
 * Reply forwards through lib/webhooks, end to end on the local stack (loopback receivers,
 * so SMSGATE_WEBHOOK_ALLOW_LOOPBACK is on, as local/stack.ts sets it): the vendor is answered
 * first and the webhook worker delivers after (outbox + queue), Standard Webhooks signatures
 * checked by the `standardwebhooks` package, a stable webhook-id across retries, redirects not
 * followed, slow and huge answers bounded, and nothing of it readable back.
 */
import { randomBytes } from "node:crypto";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { deliverWebhook } from "../../lib/webhooks";
import {
  newApp,
  outboxIdle,
  routeTo,
  startTestStack,
  type TestApp,
  type TestStack,
  waitFor,
} from "../helpers/stack";

// Receivers check timestamps against their own clock: this suite's clock starts at real time.
const clock = fixedClock(Date.now());
let s: TestStack;
let n = 0;
const fresh = () => `+86137${String(++n).padStart(8, "0")}`;

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Answer = (req: IncomingMessage, res: ServerResponse, hit: Hit) => void;
interface Receiver {
  url: string;
  hits: Hit[];
  /** Answers the next requests in turn; then 204. */
  answers: Answer[];
  close(): Promise<void>;
}
const receivers: Receiver[] = [];

async function receiver(...answers: Answer[]): Promise<Receiver> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const hit = { path: req.url ?? "", headers: req.headers, body };
      hits.push(hit);
      const answer = r.answers.shift() ?? ((_q, p) => p.writeHead(204).end());
      answer(req, res, hit);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const r: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  receivers.push(r);
  return r;
}

const status =
  (code: number, headers: Record<string, string> = {}): Answer =>
  (_req, res) =>
    res.writeHead(code, headers).end();
const never: Answer = () => {};
/** 200, then body without end until the client goes away; counts what was written. */
function endless(code: number, written: { bytes: number; closed: boolean }): Answer {
  return (_req, res) => {
    res.writeHead(code, { "content-type": "text/plain" });
    const chunk = Buffer.alloc(16 * 1024, "x");
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) written.bytes += chunk.length;
    };
    res.on("drain", pump);
    res.on("close", () => {
      written.closed = true;
    });
    pump();
  };
}

const whsec = () => `whsec_${randomBytes(32).toString("base64")}`;

async function appWithHook(url: string, secret = whsec()): Promise<TestApp & { secret: string }> {
  const app = await newApp(s, { replyWebhook: { url, secret } });
  return { ...app, secret };
}

/** A handset replies to the app; resolves when smsgate has answered the vendor's callback. */
async function replyTo(app: TestApp, text = "hello"): Promise<string> {
  await routeTo(s, app, "tencent");
  const phone = fresh();
  await s.tencent.reply({ phone, text, sign: "smsgate" });
  return phone;
}

/** The receiver has been reached `n` times (the worker delivers after the vendor's answer). */
const reached = (hook: Receiver, n = 1) =>
  waitFor(async () => hook.hits.length >= n, 8000, `${n} webhook hit(s)`);

/** The reply's forward attempt is over (recorded as delivered, or due again). */
async function attempted(app: TestApp, phone: string) {
  const reply = await waitFor(async () => replyOf(app, phone), 5000, "the reply");
  await outboxIdle(s, app.appId, `R${reply.id}`);
  return replyOf(app, phone);
}

async function replyOf(app: TestApp, phone: string) {
  const res = await s.api("GET", `/v1/replies?phone=${encodeURIComponent(phone)}`, {
    key: app.apiKey,
  });
  expect(res.status).toBe(200);
  return res.body.replies[0];
}

beforeAll(async () => {
  s = await startTestStack({ clock });
  expect(s.deps.config.SMSGATE_WEBHOOK_ALLOW_LOOPBACK).toBe("true");
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await s?.close();
});
beforeEach(() => {
  clock.set(Date.now());
});

describe("signatures", () => {
  it("verify with standardwebhooks for a whsec_ secret; the body is a message.reply event", async () => {
    const hook = await receiver();
    const app = await appWithHook(`${hook.url}/sms`);
    const phone = await replyTo(app, "你好");
    await reached(hook);
    await attempted(app, phone);
    expect(hook.hits).toHaveLength(1);
    const hit = hook.hits[0] as Hit;
    expect(hit.path).toBe("/sms");
    const event = new Webhook(app.secret).verify(hit.body, hit.headers as Record<string, string>);
    const reply = await replyOf(app, phone);
    expect(event).toEqual({
      type: "message.reply",
      data: {
        id: reply.id,
        appId: app.appId,
        phone,
        text: "你好",
        sign: "smsgate",
        provider: "tencent",
        receivedAt: reply.receivedAt,
        optedOut: false,
      },
    });
    expect(hit.headers["webhook-id"]).toBe(reply.id);
    expect(hit.headers["content-type"]).toBe("application/json");
    expect(hit.headers["x-smsgate-signature"]).toBeUndefined();
    expect(reply.forward).toBe("delivered");
  });

  it("verify for any other secret as its UTF-8 bytes, and fail for a wrong secret", async () => {
    const hook = await receiver();
    const secret = "app-secret-ünïcode-0123";
    const app = await appWithHook(`${hook.url}/sms`, secret);
    await replyTo(app);
    await reached(hook);
    const hit = hook.hits[0] as Hit;
    const headers = hit.headers as Record<string, string>;
    const raw = new Webhook(new TextEncoder().encode(secret), { format: "raw" });
    expect(raw.verify(hit.body, headers)).toMatchObject({ type: "message.reply" });
    const wrong = new Webhook(new TextEncoder().encode(`${secret}x`), { format: "raw" });
    expect(() => wrong.verify(hit.body, headers)).toThrow(/signature/i);
  });

  it("keep webhook-id across retries, each attempt with its own timestamp", async () => {
    const hook = await receiver(status(500), status(503));
    const app = await appWithHook(`${hook.url}/sms`);
    const phone = await replyTo(app);
    await reached(hook); // the worker's attempt: 500
    expect((await attempted(app, phone)).forward).toBe("pending");
    clock.advance(61_000);
    await s.runChecker(); // due again; 503
    clock.advance(121_000);
    await s.runChecker(); // due again; acknowledged
    expect(hook.hits).toHaveLength(3);
    const ids = hook.hits.map((h) => h.headers["webhook-id"]);
    const reply = await replyOf(app, phone);
    expect(ids).toEqual([reply.id, reply.id, reply.id]);
    const [t0 = 0, t1 = 0, t2 = 0] = hook.hits.map((h) => Number(h.headers["webhook-timestamp"]));
    expect([t1 - t0, t2 - t1]).toEqual([61, 121]);
    expect(hook.hits.map((h) => h.body)).toEqual([
      hook.hits[0]?.body,
      hook.hits[0]?.body,
      hook.hits[0]?.body,
    ]);
    // The last attempt verifies as a receiver would see it now (well within 5 minutes).
    const last = hook.hits[2] as Hit;
    expect(
      new Webhook(app.secret).verify(last.body, last.headers as Record<string, string>),
    ).toMatchObject({
      data: { id: reply.id },
    });
    expect(reply.forward).toBe("delivered");
  });
});

describe("bounds", () => {
  it("do not follow a redirect: the redirect's target receives nothing", async () => {
    const elsewhere = await receiver();
    const hook = await receiver(status(302, { location: `${elsewhere.url}/stolen` }));
    const app = await appWithHook(`${hook.url}/sms`);
    const phone = await replyTo(app);
    await reached(hook);
    expect((await attempted(app, phone)).forward).toBe("pending");
    expect(hook.hits).toHaveLength(1);
    expect(elsewhere.hits).toHaveLength(0);
    for (const code of [301, 303, 307, 308]) {
      hook.answers.push(status(code, { location: `${elsewhere.url}/stolen` }));
      const r = await deliverWebhook({
        url: `${hook.url}/sms`,
        secret: whsec(),
        id: "evt_1",
        body: "{}",
        now: Date.now(),
        timeoutMs: 2000,
        allowLoopback: true,
      });
      expect(r, String(code)).toMatchObject({ ok: false, status: code });
    }
    expect(elsewhere.hits).toHaveLength(0);
  });

  it("answer the vendor first: a receiver that never answers does not delay the callback", async () => {
    const hook = await receiver(never);
    const app = await appWithHook(`${hook.url}/sms`);
    const started = Date.now();
    const phone = await replyTo(app);
    // Acknowledged without waiting for the app (it used to wait up to 1.5 s inline).
    expect(Date.now() - started).toBeLessThan(1000);
    await reached(hook); // reached by the worker, after the answer
    const reply = await replyOf(app, phone);
    expect(reply.forward).toBe("pending");
    // The worker's attempt ends at its 5 s bound and is recorded as due again.
    const [item] = await waitFor(
      async () => {
        const items = await s.deps.store.outboxOf(`HOOK#${app.appId}#R${reply.id}`);
        return items[0]?.attempts === 1 ? items : undefined;
      },
      8000,
      "the attempt recorded",
    );
    expect(Date.parse(item?.dueAt ?? "")).toBe(clock.now() + 60_000);
    expect((await replyOf(app, phone)).forward).toBe("pending");
  });

  it("give up on a slow receiver within the attempt's timeout", async () => {
    const hook = await receiver(never);
    const started = Date.now();
    const r = await deliverWebhook({
      url: `${hook.url}/sms`,
      secret: whsec(),
      id: "evt_slow",
      body: "{}",
      now: Date.now(),
      timeoutMs: 300,
      allowLoopback: true,
    });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(r).toMatchObject({ ok: false });
    expect(r.status).toBeUndefined();
  });

  it("stop reading a huge answer after 64 KB, long before the timeout", async () => {
    for (const [code, ok] of [
      [200, true],
      [500, false],
    ] as const) {
      const written = { bytes: 0, closed: false };
      const hook = await receiver(endless(code, written));
      const started = Date.now();
      const r = await deliverWebhook({
        url: `${hook.url}/sms`,
        secret: whsec(),
        id: "evt_huge",
        body: "{}",
        now: Date.now(),
        timeoutMs: 8000,
        allowLoopback: true,
      });
      expect(Date.now() - started, String(code)).toBeLessThan(3000);
      expect(r, String(code)).toMatchObject({ ok, status: code });
      expect(r.reason).toContain("over 65536 bytes");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(written.closed).toBe(true); // the connection was dropped, not drained
    }
  });

  it("acknowledge a 2xx whose answer is huge, end to end", async () => {
    const written = { bytes: 0, closed: false };
    const hook = await receiver(endless(200, written));
    const app = await appWithHook(`${hook.url}/sms`);
    const phone = await replyTo(app);
    await reached(hook);
    const started = Date.now();
    expect((await attempted(app, phone)).forward).toBe("delivered");
    expect(Date.now() - started).toBeLessThan(3000); // the 64 KB bound, not the 5 s timeout
    expect(written.closed).toBe(true);
  });
});

describe("GET /v1/replies", () => {
  it("shows only the forward's state: the same for a closed port, a slow, failing or redirecting receiver", async () => {
    const closed = await receiver();
    await closed.close(); // nothing listens there now
    const slow = await receiver(never);
    const failing = await receiver(status(500));
    const redirecting = await receiver(status(302, { location: "http://127.0.0.1:9/" }));
    const shapes: unknown[] = [];
    for (const hook of [closed, slow, failing, redirecting]) {
      const app = await appWithHook(`${hook.url}/sms`);
      const phone = await replyTo(app, "same text");
      if (hook !== closed) await reached(hook);
      const { id, phone: p, receivedAt, ...rest } = await attempted(app, phone);
      expect([typeof id, p, typeof receivedAt]).toEqual(["string", phone, "string"]);
      shapes.push(rest);
    }
    expect(shapes).toEqual(Array(4).fill(shapes[0]));
    expect(shapes[0]).toEqual({
      text: "same text",
      sign: "smsgate",
      provider: "tencent",
      optedOut: false,
      forward: "pending",
    });
  });
});
