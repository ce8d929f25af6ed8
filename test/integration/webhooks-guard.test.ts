/**
 * The webhook target guard end to end, on a stack with SMSGATE_WEBHOOK_ALLOW_LOOPBACK off
 * (as deployed): every SSRF target is refused when set, with nothing of the request
 * applied, and a name that resolves to loopback is refused again at delivery, without a
 * connection. Only loopback is ever connected to here.
 */
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { masterSecret } from "../../lib/config";
import { fixedClock } from "../../lib/core/clock";
import { seal } from "../../lib/core/secrets";
import { deliverWebhook } from "../../lib/webhooks";
import { newApp, routeTo, startTestStack, type TestStack } from "../helpers/stack";

process.env.SMSGATE_WEBHOOK_ALLOW_LOOPBACK = "false";

const clock = fixedClock(Date.now());
let s: TestStack;
let tcp: Server;
let connections = 0;
let port = 0;
const secret = "0123456789abcdef-secret";

beforeAll(async () => {
  s = await startTestStack({ clock });
  expect(s.deps.config.SMSGATE_WEBHOOK_ALLOW_LOOPBACK).toBe("false");
  // Counts TCP connections: any attempt to deliver here shows, TLS or not.
  tcp = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  port = (tcp.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => tcp?.close(resolve));
  await s?.close();
});

const TARGETS = () => [
  "http://169.254.169.254/latest/meta-data/",
  "https://169.254.169.254/latest/meta-data/",
  `${s.tencent.url}/_control/reset`,
  `${s.apiUrl.replace("http:", "https:")}/v1/apps`,
  `http://127.0.0.1:${port}/hook`,
  `https://127.0.0.1:${port}/hook`,
  "http://[::1]/",
  "https://[::1]/",
  "https://10.0.0.1/",
  "https://172.16.5.4/",
  "https://192.168.0.1/",
  "https://100.64.0.1/",
  "http://0.0.0.0/",
  "https://0.0.0.0/",
  "http://2130706433/",
  "https://2130706433/",
  "https://0x7f.1/",
  "https://017700000001/",
  "https://127.1/",
  "https://[::ffff:127.0.0.1]/",
  "https://[::ffff:169.254.169.254]/",
  "https://[fe80::1]/",
  "https://[fd00::1]/",
  "https://[64:ff9b::a9fe:a9fe]/",
  "https://[2002:a9fe:a9fe::]/",
  "https://224.0.0.1/",
  "https://255.255.255.255/",
  "https://192.0.2.10/",
  `https://localhost:${port}/hook`,
  "https://smsgate-nowhere.invalid/hook",
  "ftp://8.8.8.8/hook",
];

describe("setting a webhook URL", () => {
  it("refuses each SSRF target with InvalidParameterValue.WebhookUrl, changing nothing", async () => {
    const app = await newApp(s, { name: "guarded" });
    const before = await s.api("GET", `/v1/apps/${app.appId}`, { key: app.apiKey });
    const messages = new Set<string>();
    for (const url of TARGETS()) {
      const res = await s.api("PATCH", `/v1/apps/${app.appId}`, {
        key: app.apiKey,
        body: { name: "changed", timeZone: "UTC", replyWebhook: { url, secret } },
      });
      expect([res.status, res.body.error?.code], url).toEqual([
        400,
        "InvalidParameterValue.WebhookUrl",
      ]);
      expect(res.body.error.message).toMatch(/^replyWebhook\.url: Use an https URL/);
      messages.add(res.body.error.message);
    }
    // One message for every reason: the answer says nothing about internal names.
    expect(messages.size).toBe(1);
    const after = await s.api("GET", `/v1/apps/${app.appId}`, { key: app.apiKey });
    expect(after.body).toEqual(before.body);
    expect(after.body.name).toBe("guarded");
    expect(after.body.replyWebhook).toBeUndefined();
  });

  it("refuses them when an app is created, creating nothing", async () => {
    const items = await s.itemCount();
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      `https://localhost:${port}/`,
      "https://[::1]/",
    ]) {
      const res = await s.api("POST", "/v1/apps", {
        key: s.adminKey,
        body: { name: "new", providers: [{ provider: "tencent" }], replyWebhook: { url, secret } },
      });
      expect([res.status, res.body.error?.code], url).toEqual([
        400,
        "InvalidParameterValue.WebhookUrl",
      ]);
    }
    expect(await s.itemCount()).toBe(items);
  });

  it("accepts a public https address (this one never receives anything: no reply comes)", async () => {
    const app = await newApp(s);
    const res = await s.api("PATCH", `/v1/apps/${app.appId}`, {
      key: app.apiKey,
      body: { replyWebhook: { url: "https://8.8.8.8/hook", secret } },
    });
    expect(res.status).toBe(200);
    expect(res.body.replyWebhook).toEqual({ url: "https://8.8.8.8/hook", secretSet: true });
  });

  it("refuses a whsec_ secret that is not base64 of 16 bytes", async () => {
    const app = await newApp(s);
    const res = await s.api("PATCH", `/v1/apps/${app.appId}`, {
      key: app.apiKey,
      body: { replyWebhook: { url: "https://8.8.8.8/hook", secret: "whsec_not-base64-at-all!!" } },
    });
    expect([res.status, res.body.error?.code]).toEqual([400, "InvalidParameter"]);
    expect(res.body.error.message).toMatch(/^replyWebhook\.secret: /);
  });
});

describe("delivering", () => {
  it("refuses a stored name that now resolves to loopback, without connecting", async () => {
    const app = await newApp(s);
    // As if set while the name pointed elsewhere (or by an older release): straight to the table.
    await s.deps.store.updateApp(app.appId, {
      replyWebhook: {
        url: `https://localhost:${port}/hook`,
        sealedSecret: seal(masterSecret(s.deps.config), secret),
      },
    });
    await routeTo(s, app, "tencent");
    const phone = "+8613900000123";
    connections = 0;
    await s.tencent.reply({ phone, text: "hello", sign: "smsgate" });
    clock.advance(61_000);
    await s.runChecker(); // the retry is refused too
    expect(connections).toBe(0);
    const replies = await s.api("GET", `/v1/replies?phone=${encodeURIComponent(phone)}`, {
      key: app.apiKey,
    });
    expect(replies.body.replies).toHaveLength(1);
    expect(replies.body.replies[0].forward).toBe("pending");
    expect(JSON.stringify(replies.body)).not.toMatch(/localhost|loopback|refused|127\.0/);

    // The same attempt, allowed, does connect: the count above could have been one.
    const attempt = {
      url: `https://localhost:${port}/hook`,
      secret,
      id: "evt_1",
      body: "{}",
      now: Date.now(),
      timeoutMs: 2000,
    };
    const refused = await deliverWebhook({ ...attempt, allowLoopback: false });
    expect(refused).toEqual({
      ok: false,
      reason: "target refused: localhost is 127.0.0.1 (loopback)",
    });
    expect(connections).toBe(0);
    const allowed = await deliverWebhook({ ...attempt, allowLoopback: true });
    expect(allowed.ok).toBe(false); // not a TLS server
    expect(connections).toBe(1);
  });
});
