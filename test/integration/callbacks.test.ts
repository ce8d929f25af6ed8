/**
 * Delivery reports and replies through the real webhook handlers: exactly-once ingestion,
 * reports that beat their records, unsubscribe by reply, forwarding, reconciliation.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { messageIdForSerial } from "../../lib/core/ids";
import type { MessageRecord } from "../../lib/core/model";
import { callbackUrls } from "../../lib/core/secrets";
import { newApp, startTestStack, TEST_STORES, type TestStack, waitFor } from "../helpers/stack";

const START = "2026-11-22T02:00:00Z";
const clock = fixedClock(START);
let s: TestStack;
let n = 0;
const fresh = (): string => {
  const c = `+86136${String(++n).padStart(8, "0")}`;
  return c.endsWith("4") ? fresh() : c;
};
const code = (to: string[], extra: object = {}) => ({
  to,
  template: "login-code",
  params: ["482913", "5"],
  ...extra,
});

describe.each(TEST_STORES)("on %s", (store) => {
  beforeAll(async () => {
    s = await startTestStack({
      store,
      clock,
      logLevel: process.env.TEST_LOG === "1" ? "error" : "silent",
    });
  });
  afterAll(() => s?.close());
  beforeEach(() => {
    clock.set(START);
    s.tencent.reset();
  });

  const urlsOf = (appId: string) => callbackUrls(s.deps.config, s.apiUrl, appId).tencent;
  const post = (url: string, body: unknown, label?: string) =>
    fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(label ? { "x-meter-label": label } : {}),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }).then(async (r) => ({
      status: r.status,
      body: await r.text(),
    }));

  describe("status reports", () => {
    it("accepts Tencent's documented examples and answers as Tencent expects", async () => {
      const app = await newApp(s);
      const status = await post(urlsOf(app.appId).status, [
        {
          user_receive_time: "2015-10-17 08:03:04",
          nationcode: "86",
          mobile: "13xxxxxxxxx",
          report_status: "SUCCESS",
          errmsg: "DELIVRD",
          description: "用户短信送达成功",
          sid: "xxxxxxx",
        },
      ]);
      expect(status).toEqual({ status: 200, body: '{"result":0,"errmsg":"OK"}' });
      const reply = await post(urlsOf(app.appId).reply, {
        extend: "",
        mobile: "13xxxxxxxxx",
        nationcode: "86",
        sign: "腾讯云",
        text: "TD",
        time: 1457336869,
      });
      expect(reply).toEqual({ status: 200, body: '{"result":0,"errmsg":"OK"}' });
    });

    it("refuses a malformed body or one lacking a needed field with a non-zero result, writing nothing", async () => {
      const app = await newApp(s);
      const before = await s.itemCount();
      for (const body of [
        "not json",
        { sid: "x" },
        [{ nationcode: "86", mobile: "1", report_status: "SUCCESS", errmsg: "DELIVRD", x: 1 }],
      ]) {
        const res = await post(urlsOf(app.appId).status, body);
        expect(res.status).toBe(400);
        expect(JSON.parse(res.body).result).not.toBe(0);
      }
      expect(await s.itemCount()).toBe(before);
    });

    it("applies a report and a reply carrying a field Tencent added, bounding long strings", async () => {
      const app = await newApp(s);
      const to = "+8613600000444"; // accepted, never reported by the emulator: we push it
      const res = await app.send(code([to]));
      expect(res.body.messages[0].status).toBe("submitted");
      const serial = s.tencent.messages().find((m) => m.phone === to)?.serial as string;
      const pushed = await post(urlsOf(app.appId).status, [
        {
          user_receive_time: "2026-11-22 10:00:05",
          nationcode: "86",
          mobile: to.slice(3),
          report_status: "FAIL",
          errmsg: `E${"x".repeat(5000)}`,
          description: "y".repeat(100_000),
          sid: serial,
          new_field_2027: { nested: true },
        },
      ]);
      expect(pushed).toEqual({ status: 200, body: '{"result":0,"errmsg":"OK"}' });
      const got = await s.api("GET", `/v1/messages/${res.body.messages[0].id}`, {
        key: app.apiKey,
      });
      expect(got.body.status).toBe("undelivered");
      expect(got.body.carrierCode.length).toBeLessThanOrEqual(64);
      const reply = await post(urlsOf(app.appId).reply, {
        extend: "",
        mobile: to.slice(3),
        nationcode: "86",
        sign: "smsgate",
        text: "TD",
        time: 1457336869,
        brand_new: "field",
      });
      expect(reply).toEqual({ status: 200, body: '{"result":0,"errmsg":"OK"}' });
      const optOut = await s.api(
        "GET",
        `/v1/apps/${app.appId}/opt-outs/${encodeURIComponent(to)}`,
        {
          key: app.apiKey,
        },
      );
      expect(optOut.body.optOuts).toHaveLength(1);
    });

    it("applies 100 reports pushed three times over, shuffled, a third before their records, exactly once", async () => {
      const app = await newApp(s);
      // 100 messages as the send path records them; the vendor's serials name them.
      const records: MessageRecord[] = Array.from({ length: 100 }, (_, i) => {
        const serial = `2433:bulk${app.appId}${i}`;
        const at = new Date(Date.parse(START) + i).toISOString();
        return {
          id: messageIdForSerial("tencent", serial),
          appId: app.appId,
          requestId: "R1",
          to: `+86135${String(i).padStart(8, "0")}`,
          country: "CN",
          template: i % 2 ? "login-code" : "order-shipped",
          templateKind: i % 2 ? "verification" : "notification",
          params: [],
          sign: "smsgate",
          status: "submitted",
          code: "Ok",
          segments: 1,
          provider: "tencent",
          providerMessageId: serial,
          createdAt: at,
          day: "2026-11-22",
          hour: "10",
          submittedAt: at,
          history: [{ status: "submitted", at }],
        };
      });
      const report = (r: MessageRecord, i: number) => ({
        user_receive_time: "2026-11-22 10:00:05",
        nationcode: "86",
        mobile: r.to.slice(3),
        report_status: i % 5 === 0 ? "FAIL" : "SUCCESS",
        errmsg: i % 5 === 0 ? "UNDELIV" : "DELIVRD",
        description: "",
        sid: r.providerMessageId,
      });
      const all = records.flatMap((r, i) => [report(r, i), report(r, i), report(r, i)]);
      const shuffled = all
        .map((x) => [Math.random(), x] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, x]) => x);
      const early = new Set(records.slice(0, 33).map((r) => r.providerMessageId));
      const push = async (items: typeof all) => {
        for (let i = 0; i < items.length; i += 100)
          expect((await post(urlsOf(app.appId).status, items.slice(i, i + 100))).status).toBe(200);
      };

      await push(shuffled.filter((x) => early.has(x.sid)));
      await s.deps.store.putMessages(records.slice(0, 33)); // the send commits after the vendor reported
      await s.deps.store.putMessages(records.slice(33));
      await push(shuffled.filter((x) => !early.has(x.sid)));
      await s.runChecker(); // counts the early ones, now that their records exist
      await s.runChecker();

      for (const [i, r] of records.entries()) {
        const got = (await s.api("GET", `/v1/messages/${r.id}`, { key: app.apiKey })).body;
        expect(got.status, r.id).toBe(i % 5 === 0 ? "undelivered" : "delivered");
        expect(got.history.map((h: { status: string }) => h.status)).toEqual([
          "submitted",
          got.status,
        ]);
      }
      const usage = await s.deps.store.readUsage(app.appId, "2026-11-22");
      expect(usage?.["n:delivered"]).toBe(80);
      expect(usage?.["n:undelivered"]).toBe(20);
      expect(usage?.["t:login-code:delivered"]).toBe(40);
      expect(usage?.["c:CN:undelivered"]).toBe(20);
      expect(usage?.["n:carrier:UNDELIV"]).toBe(20);
    });

    it("ingests a 100-report push in 2 round trips and about one request per report", async () => {
      const app = await newApp(s);
      const numbers = Array.from({ length: 100 }, () => fresh());
      await s.api("POST", "/v1/messages", { key: app.apiKey, body: code(numbers) });
      const sent = s.tencent.messages();
      await waitFor(
        async () =>
          (
            await s.api(
              "GET",
              `/v1/messages/${messageIdForSerial("tencent", sent[99]?.serial ?? "")}`,
              { key: app.apiKey },
            )
          ).body.status === "delivered",
      );
      const reports = sent.map((m) => ({
        user_receive_time: "2026-11-22 10:00:05",
        nationcode: "86",
        mobile: m.phone.slice(3),
        report_status: "SUCCESS",
        errmsg: "DELIVRD",
        description: "",
        sid: m.serial,
      }));
      // The same push again: duplicates change nothing and cost no more. Counted on its own
      // (x-meter-label): the emulator may still be pushing the first reports meanwhile, so
      // the test pushes them once itself first — after that every status item exists, and a
      // report of the emulator's landing late is a duplicate too.
      expect((await post(urlsOf(app.appId).status, reports, "first")).status).toBe(200);
      s.meter.reset();
      expect((await post(urlsOf(app.appId).status, reports, "again")).status).toBe(200);
      const m = s.meter.read("again");
      expect(m.rounds).toBeLessThanOrEqual(2);
      expect(m.requests / 100).toBeLessThanOrEqual(1.05);
    });

    it("says expired for a message with no report 72 h after submission", async () => {
      const app = await newApp(s);
      const res = await s.api("POST", "/v1/messages", {
        key: app.apiKey,
        body: code(["+8613600000444"]),
      }); // never reported
      const id = res.body.messages[0].id;
      clock.advance(72 * 3600_000 - 1000);
      expect((await s.api("GET", `/v1/messages/${id}`, { key: app.apiKey })).body.status).toBe(
        "submitted",
      );
      clock.advance(2000);
      expect((await s.api("GET", `/v1/messages/${id}`, { key: app.apiKey })).body.status).toBe(
        "expired",
      );
    });

    it("reconciles a send whose answer timed out to its real status", async () => {
      const app = await newApp(s);
      s.tencent.setFault("timeout");
      const res = await s.api("POST", "/v1/messages", { key: app.apiKey, body: code([fresh()]) });
      s.tencent.setFault("none");
      const id = res.body.messages[0].id;
      expect(res.body.messages[0].status).toBe("unknown");
      await new Promise((r) => setTimeout(r, 100)); // the emulator's report becomes pullable
      const summary = (await s.runChecker()) as { reconciled: number };
      expect(summary.reconciled).toBe(1);
      expect((await s.api("GET", `/v1/messages/${id}`, { key: app.apiKey })).body).toMatchObject({
        status: "delivered",
        carrierCode: "DELIVRD",
      });
    }, 20_000);
  });

  describe("replies", () => {
    it.each(["TD", "ＴＤ", "退订", "td ", "R", "stop"])(
      "%j opts the number out for that signature and the type it answers, and refuses the next such send",
      async (text) => {
        const app = await newApp(s);
        const to = fresh();
        s.tencent.addApp({
          sdkAppId: "1400000001",
          statusCallbackUrl: urlsOf(s.demo.appId).status,
          replyCallbackUrl: urlsOf(app.appId).reply,
        });
        // The reply answers the latest message under that signature: a verification code.
        await s.api("POST", "/v1/messages", { key: app.apiKey, body: code([to]) });
        await s.tencent.reply({ phone: to, text, sign: "smsgate" });
        const res = await s.api("POST", "/v1/messages", {
          key: app.apiKey,
          body: code([to], { params: ["111111", "5"] }),
        });
        expect(res.body.messages[0]).toMatchObject({
          status: "rejected",
          code: "FailedOperation.PhoneNumberInBlacklist",
        });
        const optOut = await s.api(
          "GET",
          `/v1/apps/${app.appId}/opt-outs/${encodeURIComponent(to)}`,
          { key: app.apiKey },
        );
        expect(optOut.body.optOuts).toEqual([
          expect.objectContaining({
            sign: "smsgate",
            kind: "verification",
            reason: "reply-keyword",
          }),
        ]);
        expect(optOut.body.audit[0].detail).toContain(JSON.stringify(text));
      },
    );

    it("an ordinary reply opts out nothing, and is readable by number", async () => {
      const app = await newApp(s);
      const to = fresh();
      s.tencent.addApp({
        sdkAppId: "1400000001",
        statusCallbackUrl: urlsOf(s.demo.appId).status,
        replyCallbackUrl: urlsOf(app.appId).reply,
      });
      await s.tencent.reply({ phone: to, text: "thanks", sign: "smsgate" });
      expect(
        (await s.api("POST", "/v1/messages", { key: app.apiKey, body: code([to]) })).body
          .messages[0].status,
      ).toBe("submitted");
      const replies = await s.api("GET", `/v1/replies?phone=${encodeURIComponent(to)}`, {
        key: app.apiKey,
      });
      expect(replies.body.replies).toEqual([
        expect.objectContaining({ text: "thanks", sign: "smsgate", optedOut: false }),
      ]);
    });

    describe("forwarding to the app's webhook", () => {
      let server: Server;
      let received: { body: string; headers: IncomingHttpHeaders }[] = [];
      let failNext = 0;
      beforeAll(async () => {
        server = createServer((req, res) => {
          let body = "";
          req.on("data", (c) => {
            body += c;
          });
          req.on("end", () => {
            if (failNext > 0) {
              failNext--;
              res.writeHead(500).end();
              return;
            }
            received.push({ body, headers: req.headers });
            res.writeHead(204).end();
          });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      });
      afterAll(() => new Promise((r) => server.close(r)));
      beforeEach(() => {
        received = [];
        failNext = 0;
      });

      it("signs each forward with the app's secret, and retries until acknowledged", async () => {
        const secret = "whsec-0123456789abcdef";
        const app = await newApp(s, {
          replyWebhook: {
            url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
            secret,
          },
        });
        const got = await s.api("GET", `/v1/apps/${app.appId}`, { key: app.apiKey });
        expect(JSON.stringify(got.body)).not.toContain(secret);
        s.tencent.addApp({
          sdkAppId: "1400000001",
          statusCallbackUrl: urlsOf(s.demo.appId).status,
          replyCallbackUrl: urlsOf(app.appId).reply,
        });

        failNext = 2;
        const to = fresh();
        await s.tencent.reply({ phone: to, text: "hello", sign: "smsgate" });
        expect(received).toEqual([]);
        await s.runChecker(); // not due yet: the first retry waits a minute
        clock.advance(61_000);
        await s.runChecker(); // due, fails again
        clock.advance(121_000);
        await s.runChecker(); // due, acknowledged
        expect(received).toHaveLength(1);
        const { body, headers } = received[0] as { body: string; headers: IncomingHttpHeaders };
        // Standard Webhooks (docs/api.md "Webhooks to the app"), checked as a receiver whose
        // clock reads the attempt's time; this suite's clock is fixed.
        expect(headers["webhook-timestamp"]).toBe(String(Math.floor(clock.now() / 1000)));
        vi.useFakeTimers({ toFake: ["Date"], now: clock.now() });
        const event = (() => {
          try {
            const receiver = new Webhook(new TextEncoder().encode(secret), { format: "raw" });
            return receiver.verify(body, headers as Record<string, string>);
          } finally {
            vi.useRealTimers();
          }
        })();
        expect(event).toMatchObject({
          type: "message.reply",
          data: {
            id: headers["webhook-id"],
            appId: app.appId,
            phone: to,
            text: "hello",
            optedOut: false,
          },
        });
        clock.advance(3600_000);
        await s.runChecker();
        expect(received).toHaveLength(1);
      });
    });
  });
});
