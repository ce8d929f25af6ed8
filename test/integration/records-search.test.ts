/**
 * The console's API underneath (docs/api.md "GET /v1/messages", "GET /v1/replies",
 * "Statistics", "CSV"): records by app and time with optional filters through the gsi2 index,
 * replies with a cursor, statistics by hour and signature, the verification monitor, and CSV
 * answers with a BOM, a header row and Link rel=next — against the real handlers and emulators.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENCENT_SDK_APP_ID } from "../../local/seed";
import {
  newApp,
  routeTo,
  startTestStack,
  TEST_STORES,
  type TestApp,
  type TestStack,
  waitFor,
} from "../helpers/stack";

let s: TestStack;
let app: TestApp;
let n = 0;
const fresh = (): string => {
  const c = `+86135${String(++n).padStart(8, "0")}`;
  return c.endsWith("4") ? fresh() : c;
};
const sent: { id: string; to: string; template: string }[] = [];
let before = "";
let between = "";

describe.each(TEST_STORES)("on %s", (store) => {
  beforeAll(async () => {
    sent.length = 0; // each store's stack has its own records
    s = await startTestStack({ store });
    app = await newApp(s, { frequency: { sameContentThirtySeconds: null, oneDay: null } });
    before = new Date().toISOString();
    for (let i = 0; i < 6; i++) {
      const to = fresh();
      const r = await app.send({
        to: [to],
        template: "order-shipped",
        params: [`SO-${i}`, "明天"],
      });
      sent.push({ id: r.body.messages[0].id, to, template: "order-shipped" });
      if (i === 2) {
        await new Promise((r) => setTimeout(r, 20));
        between = new Date().toISOString();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const code = await app.send({
      to: [fresh(), "+8613500000004"],
      template: "login-code",
      params: ["482913", "5"],
    });
    for (const m of code.body.messages) sent.push({ id: m.id, to: m.to, template: "login-code" });
    // Every report in, so statuses are final.
    await waitFor(
      async () => {
        // A push the loaded machine dropped is pulled by the checker, as in production.
        await s.runChecker();
        const r = await s.api("GET", `/v1/stats?from=2026-01-01&to=2035-12-31`, {
          key: app.apiKey,
        });
        return r.body.total.delivered + r.body.total.undelivered === 8;
      },
      30_000,
      "reports",
    );
  }, 60_000);
  afterAll(() => s?.close());

  const get = (path: string, headers?: Record<string, string>) =>
    s.api("GET", path, { key: app.apiKey, headers });

  describe("records search", () => {
    it("lists the app's records across numbers, newest first, paged without gaps or repeats", async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const r = await get(`/v1/messages?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
        expect(r.status).toBe(200);
        seen.push(...r.body.messages.map((m: { id: string }) => m.id));
        cursor = r.body.cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(new Set(seen)).toEqual(new Set(sent.map((m) => m.id)));
      expect(seen).toHaveLength(sent.length);
      expect(pages).toBe(3);
    });

    it("carries kind, rendered text with codes masked, length and segments", async () => {
      const r = await get(`/v1/messages?template=login-code&limit=1`);
      const m = r.body.messages[0];
      expect(m.kind).toBe("verification");
      expect(m.text).toBe("【smsgate】您的验证码是******，*分钟内有效。");
      expect(m.length).toBe([...m.text].length);
      expect(m.segments).toBe(1);
      expect(JSON.stringify(r.body)).not.toContain("482913");
      const ship = (await get(`/v1/messages?template=order-shipped&limit=1`)).body.messages[0];
      expect(ship).toMatchObject({
        kind: "notification",
        text: "【smsgate】您的订单SO-5已发货，预计明天送达。",
      });
    });

    it("filters by status, template, time and phone", async () => {
      const undelivered = await get(`/v1/messages?status=undelivered`);
      expect(undelivered.body.messages.map((m: { to: string }) => m.to)).toEqual([
        "+8613500000004",
      ]);
      const early = await get(`/v1/messages?from=${before}&to=${between}`);
      expect(early.body.messages.map((m: { id: string }) => m.id)).toEqual(
        sent
          .slice(0, 3)
          .map((m) => m.id)
          .reverse(),
      );
      const one = await get(`/v1/messages?phone=${encodeURIComponent(sent[1]?.to ?? "")}`);
      expect(one.body.messages.map((m: { id: string }) => m.id)).toEqual([sent[1]?.id]);
      // A filtered page stops at the limit and resumes after the last record it returned.
      const first = await get(`/v1/messages?template=order-shipped&limit=4`);
      const rest = await get(
        `/v1/messages?template=order-shipped&limit=4&cursor=${first.body.cursor}`,
      );
      expect(
        [...first.body.messages, ...rest.body.messages].map((m: { id: string }) => m.id),
      ).toEqual(
        sent
          .slice(0, 6)
          .map((m) => m.id)
          .reverse(),
      );
      expect(rest.body.cursor).toBeUndefined();
      const bad = await get(`/v1/messages?status=lost`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("InvalidParameter");
    });

    it("answers CSV with a BOM, a header row and the next page in Link", async () => {
      const r = await fetch(`${s.apiUrl}/v1/messages?limit=5`, {
        headers: { authorization: `Bearer ${app.apiKey}`, accept: "text/csv" },
      });
      expect(r.headers.get("content-type")).toMatch(/^text\/csv/);
      const bytes = new Uint8Array(await r.clone().arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = (await r.text())
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n");
      expect(lines[0]).toMatch(/^id,createdAt,reportedAt,to,/);
      expect(lines).toHaveLength(6);
      expect(lines.join("\n")).toContain("预计明天送达");
      const next = r.headers.get("link")?.match(/<([^>]+)>; rel="next"/)?.[1];
      expect(next).toContain("cursor=");
      const page2 = await fetch(next ?? "", {
        headers: { authorization: `Bearer ${app.apiKey}`, accept: "text/csv" },
      });
      const rows2 = (await page2.text()).trim().split("\r\n");
      expect(rows2).toHaveLength(1 + sent.length - 5);
      expect(page2.headers.get("link")).toBeNull();
    });
  });

  describe("replies", () => {
    it("lists the app's replies without a phone, with a cursor, JSON and CSV", async () => {
      await routeTo(s, app, "tencent"); // the account's one reply URL (docs/api.md)
      for (const [i, text] of ["谢谢", "收到", "TD"].entries()) {
        const res = await fetch(`${s.tencent.url}/_control/reply`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            phone: sent[i]?.to,
            text,
            sign: "smsgate",
            sdkAppId: DEMO_TENCENT_SDK_APP_ID,
          }),
        });
        expect(res.status).toBe(200);
      }
      const all = await waitFor(async () => {
        const r = await get(`/v1/replies?limit=2`);
        return r.body.replies.length === 2 && r.body.cursor && r.body;
      });
      const rest = await get(`/v1/replies?limit=2&cursor=${all.cursor}`);
      expect([...all.replies, ...rest.body.replies].map((r: { text: string }) => r.text)).toEqual([
        "TD",
        "收到",
        "谢谢",
      ]);
      const csv = await fetch(`${s.apiUrl}/v1/replies`, {
        headers: { authorization: `Bearer ${app.apiKey}`, accept: "text/csv" },
      });
      // fetch's text() drops a BOM, so read the bytes.
      const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await csv.arrayBuffer());
      expect(text.startsWith("\uFEFFid,receivedAt,phone,")).toBe(true);
      expect(text).toContain("收到");
    });
  });

  describe("statistics", () => {
    const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10); // Shanghai
    it("groups by hour and by signature, filters by template and sign, and answers CSV", async () => {
      const hour = await get(`/v1/stats?from=${today()}&to=${today()}&groupBy=hour`);
      expect(hour.status).toBe(200);
      const hours = hour.body.groups as { requests: number; delivered: number }[];
      expect(hours.reduce((a, g) => a + g.requests, 0)).toBe(8);
      expect(hours.reduce((a, g) => a + g.delivered, 0)).toBe(7);
      const sign = await get(`/v1/stats?from=${today()}&to=${today()}&groupBy=sign`);
      expect(sign.body.groups).toEqual([
        expect.objectContaining({ sign: "smsgate", requests: 8, submitted: 8, delivered: 7 }),
      ]);
      const tpl = await get(`/v1/stats?from=${today()}&to=${today()}&template=login-code`);
      expect(tpl.body.total).toMatchObject({ requests: 2, delivered: 1, undelivered: 1 });
      const bySign = await get(`/v1/stats?from=${today()}&to=${today()}&sign=smsgate`);
      expect(bySign.body.total).toMatchObject({ requests: 8 });
      const refused = await get(
        `/v1/stats?from=${today()}&to=${today()}&groupBy=hour&sign=smsgate`,
      );
      expect(refused.status).toBe(400);
      const csv = await fetch(
        `${s.apiUrl}/v1/stats?from=${today()}&to=${today()}&groupBy=template`,
        {
          headers: { authorization: `Bearer ${app.apiKey}`, accept: "text/csv" },
        },
      );
      const lines = (await csv.text())
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n");
      expect(lines[0]).toBe(
        "template,requests,submitted,rejected,failed,unknown,segments,successRate,delivered,undelivered,reported,unreported,receiptRate,deliveryRate,failures",
      );
      expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["login-code", "order-shipped"]);
    });

    it("monitors verification codes per hour as the anti-fraud rule sees them", async () => {
      const r = await get(`/v1/stats/verification?date=${today()}`);
      expect(r.status).toBe(200);
      expect(r.body.hours).toHaveLength(24);
      const busy = r.body.hours.filter((h: { volume: number }) => h.volume > 0);
      expect(busy).toEqual([
        expect.objectContaining({
          volume: 2,
          delivered: 1,
          successRate: 0.5,
          sameHourYesterday: 0,
          growth: null,
          suspicious: false,
        }),
      ]);
      expect(r.body.rule).toEqual({ volumeAbove: 50, successRateBelow: 0.8, growthAbove: 0.9 });
    });
  });
});
