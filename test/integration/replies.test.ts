/**
 * Replies through the account-level reply URL (GET /v1/callbacks): Tencent takes one reply
 * URL per account and its reply names no SdkAppId, so a reply goes to the app that last
 * texted the number under that signature. And vendor retries are filed once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { newApp, startTestStack, TEST_STORES, type TestStack, waitFor } from "../helpers/stack";

const START = "2026-11-22T02:00:00Z";
const clock = fixedClock(START);
let s: TestStack;
const code = (to: string) => ({ to: [to], template: "login-code", params: ["482913", "5"] });

describe.each(TEST_STORES)("on %s", (store) => {
  beforeAll(async () => {
    s = await startTestStack({
      store,
      clock,
    });
  });
  afterAll(() => s?.close());
  beforeEach(() => {
    clock.set(START);
    s.tencent.reset();
  });

  const optOuts = async (app: { appId: string; apiKey: string }, phone: string) =>
    (
      await s.api("GET", `/v1/apps/${app.appId}/opt-outs/${encodeURIComponent(phone)}`, {
        key: app.apiKey,
      })
    ).body.optOuts ?? [];

  describe("account-level replies", () => {
    it("is for the operator only", async () => {
      expect((await s.api("GET", "/v1/callbacks", { key: s.demo.apiKey })).status).toBe(403);
      const res = await s.api("GET", "/v1/callbacks", { key: s.adminKey });
      expect(res.status).toBe(200);
      expect(res.body.tencent.reply).toMatch(/\/callbacks\/tencent\/reply\/account_/);
    });

    it("two apps on one Tencent account: a TD reply to app B's message opts out of B only", async () => {
      const a = await newApp(s);
      const b = await newApp(s);
      const { body } = await s.api("GET", "/v1/callbacks", { key: s.adminKey });
      s.tencent.setReplyUrl(body.tencent.reply);
      const phone = "+8613800550001";
      expect((await a.send(code(phone))).body.messages[0].status).toBe("submitted");
      clock.advance(60_000);
      expect((await b.send(code(phone))).body.messages[0].status).toBe("submitted");
      await s.tencent.reply({ phone, text: "TD", sign: "smsgate" });
      expect(await optOuts(b, phone)).toHaveLength(1);
      expect(await optOuts(a, phone)).toHaveLength(0);
      // A keeps texting the number; B refuses it.
      clock.advance(60_000);
      expect((await a.send(code(phone))).body.messages[0].status).toBe("submitted");
      expect((await b.send(code(phone))).body.messages[0]).toMatchObject({
        status: "rejected",
        code: "FailedOperation.PhoneNumberInBlacklist",
      });
      // The app's own reply URL keeps working for that app.
      const own = (await s.api("GET", `/v1/apps/${a.appId}`, { key: a.apiKey })).body.callbackUrls
        .tencent.reply;
      s.tencent.setReplyUrl(own);
      await s.tencent.reply({ phone, text: "退订", sign: "smsgate" });
      expect(await optOuts(a, phone)).toHaveLength(1);
    });

    it("1,000 replies with 30 % vendor retries are filed and forwarded once each", async () => {
      const app = await newApp(s);
      const received = new Map<string, number>();
      const { createServer } = await import("node:http");
      const server = createServer((req, res) => {
        const id = String(req.headers["webhook-id"]);
        received.set(id, (received.get(id) ?? 0) + 1);
        req.resume();
        res.end("ok");
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const port = (server.address() as { port: number }).port;
      await app.patch({
        replyWebhook: { url: `http://127.0.0.1:${port}/hook`, secret: "s".repeat(24) },
      });
      const url = (await s.api("GET", `/v1/apps/${app.appId}`, { key: app.apiKey })).body
        .callbackUrls.tencent.reply;
      const replies = Array.from({ length: 700 }, (_, i) => ({
        extend: "",
        mobile: `139${String(i).padStart(8, "0")}`,
        nationcode: "86",
        sign: "smsgate",
        text: `hello ${i}`,
        time: 1_790_000_000 + i,
      }));
      const pushes = [...replies, ...replies.slice(0, 300)].sort(() => Math.random() - 0.5);
      for (let i = 0; i < pushes.length; i += 100) {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(pushes.slice(i, i + 100)),
        });
        expect(res.status).toBe(200);
      }
      // Acknowledged first, forwarded after: the webhook worker delivers from the outbox.
      await waitFor(async () => received.size >= 700, 60_000, "700 forwards");
      await new Promise((r) => setTimeout(r, 1000)); // nothing arrives twice, even late
      server.close();
      expect(received.size).toBe(700);
      expect([...received.values()].every((n) => n === 1)).toBe(true);
    }, 120_000);
  });
});
