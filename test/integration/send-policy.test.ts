/**
 * Every send rule, through the HTTP API, against dynalite — and against DynamoDB Local too
 * when Java is on the machine, so dynalite's leniency cannot hide a bug.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { newApp, startTestStack, TEST_STORES, type TestStack } from "../helpers/stack";

// 10:00 in Shanghai, the apps' default time zone.
const START = "2026-11-22T02:00:00Z";
const code = (to: string[], extra: object = {}) => ({
  to,
  template: "login-code",
  params: ["482913", "5"],
  ...extra,
});
const notice = (to: string[], order = "SO-1") => ({
  to,
  template: "order-shipped",
  params: [order, "明天"],
});
const intl = (to: string[]) => ({ to, template: "intl-code", params: ["4829", "5"] });
const statuses = (body: { messages: { status: string; code: string }[] }) =>
  body.messages.map((m) => `${m.status}:${m.code}`);

describe.each(TEST_STORES)("send policy on %s", (store) => {
  let s: TestStack;
  const clock = fixedClock(START);
  let n = 0;
  /** A mainland number no other test uses, and no simulator suffix (…4 means trouble). */
  const fresh = (): string => {
    const candidate = `+86139${String(++n).padStart(8, "0")}`;
    return candidate.endsWith("4") ? fresh() : candidate;
  };

  beforeAll(async () => {
    // The vendor timeout as deployed (5 s): on a loaded machine the emulator's answers to 128
    // simultaneous sends can take longer than the test stacks' 2 s, and a number whose answer
    // timed out is rightly `unknown` (counted against the limit, not submitted) — which is not
    // what the concurrency tests here examine.
    s = await startTestStack({ store, clock, tencentTimeoutSeconds: 5 });
  }, 60_000);
  afterAll(() => s?.close());
  beforeEach(() => {
    clock.set(START);
    s.tencent.reset();
  });

  describe("templates", () => {
    it("refuses a template body with gaps in its variables, or over 500 characters", async () => {
      const app = await newApp(s);
      const put = (body: string) =>
        s.api("PUT", `/v1/apps/${app.appId}/templates/t1`, {
          key: app.apiKey,
          body: { kind: "notification", region: "domestic", body },
        });
      expect((await put("{1} and {3}")).body.error.code).toBe(
        "FailedOperation.TemplateIncorrectOrUnapproved",
      );
      expect((await put("字".repeat(501))).body.error).toMatchObject({
        code: "InvalidParameter",
        message: expect.stringContaining("body"),
      });
      expect((await put("{1} and {2}")).status).toBe(200);
    });

    it("refuses a domestic template to foreign numbers and the reverse", async () => {
      const app = await newApp(s);
      expect((await app.send(code(["+12025550123"]))).body.error.code).toBe(
        "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone",
      );
      expect((await app.send(intl([fresh()]))).body.error.code).toBe(
        "UnsupportedOperation.GlobalTemplateToChineseMainlandPhone",
      );
      expect(s.tencent.messages()).toEqual([]);
    });

    it("allows only 0–6 digits in verification variables", async () => {
      const app = await newApp(s);
      const res = await app.send(code([fresh()], { params: ["12345a", "5"] }));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("InvalidParameterValue.TemplateParameterFormatError");
      expect((await app.send(code([fresh()], { params: ["1234567", "5"] }))).body.error.code).toBe(
        "InvalidParameterValue.TemplateParameterFormatError",
      );
    });

    it("refuses a body of only variables (不支持全变量)", async () => {
      const app = await newApp(s);
      const res = await s.api("PUT", `/v1/apps/${app.appId}/templates/all`, {
        key: app.apiKey,
        body: { kind: "notification", region: "domestic", body: "{1} {2}。" },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain("only variables");
    });

    it("holds non-verification variables to Tencent's 6 characters unless the template allows more", async () => {
      const app = await newApp(s);
      const res = await app.send(notice([fresh()], "SO-12345"));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("InvalidParameterValue.TemplateParameterLengthLimit");
      expect(statuses((await app.send(notice([fresh()], "SO-123"))).body)).toEqual([
        "submitted:Ok",
      ]);
    });

    it("sends with an international signature in brand form, as Tencent allows abroad", async () => {
      const app = await newApp(s);
      const approve = await s.api(
        "PUT",
        `/v1/apps/${app.appId}/signatures/${encodeURIComponent("Tencent Cloud")}`,
        { key: s.adminKey },
      );
      expect(approve.status).toBe(200);
      expect(
        statuses((await app.send({ ...intl(["+12025550111"]), sign: "Tencent Cloud" })).body),
      ).toEqual(["submitted:Ok"]);
      // At home the signature must still be 2–12 CJK characters, letters or digits.
      expect((await app.send({ ...code([fresh()]), sign: "Tencent Cloud" })).body.error.code).toBe(
        "FailedOperation.SignatureIncorrectOrUnapproved",
      );
    });

    it("refuses a URL or bare domain in any variable", async () => {
      const app = await newApp(s);
      for (const p of ["https://evil.example/x", "evil.com", "t.cn/abc"]) {
        const res = await app.send(notice([fresh()], p));
        expect(res.body.error.code, p).toBe(
          "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
        );
      }
    });

    it("needs the unsubscribe footer on marketing templates, the app's own if it set one", async () => {
      const app = await newApp(s);
      const put = (body: string) =>
        s.api("PUT", `/v1/apps/${app.appId}/templates/promo`, {
          key: app.apiKey,
          body: {
            kind: "marketing",
            region: "domestic",
            body,
            providerTemplateIds: { tencent: "1000002" },
          },
        });
      expect((await put("双十一全场五折")).body.error.message).toContain("拒收请回复R");
      expect((await put("双十一全场五折，拒收请回复R")).status).toBe(200);
      await app.patch({ unsubscribeFooter: "退订回T" });
      expect((await put("双十一全场五折，拒收请回复R")).body.error.message).toContain("退订回T");
    });

    it("sends marketing only inside the app's marketing window, in its time zone", async () => {
      const app = await newApp(s);
      // The emulator's template 1000002 has two variables; this marketing body has two too.
      await s.api("PUT", `/v1/apps/${app.appId}/templates/promo`, {
        key: app.apiKey,
        body: {
          kind: "marketing",
          region: "domestic",
          body: "您的订单{1}已发货，预计{2}送达。拒收请回复R",
          providerTemplateIds: { tencent: "1000002" },
        },
      });
      const promo = (to: string) =>
        app.send({ to: [to], template: "promo", params: ["A1", "明天"] });
      clock.set("2026-11-22T14:30:00Z"); // 22:30 in Shanghai
      expect(statuses((await promo(fresh())).body)).toEqual([
        "rejected:FailedOperation.MarketingSendTimeConstraint",
      ]);
      clock.set("2026-11-21T23:59:00Z"); // 07:59
      expect(statuses((await promo(fresh())).body)).toEqual([
        "rejected:FailedOperation.MarketingSendTimeConstraint",
      ]);
      clock.set("2026-11-22T00:00:00Z"); // 08:00
      expect(statuses((await promo(fresh())).body)).toEqual(["submitted:Ok"]);
      await app.patch({ timeZone: "America/New_York" }); // 19:00 there
      expect(statuses((await promo(fresh())).body)).toEqual(["submitted:Ok"]);
      await app.patch({ marketingWindow: { start: "09:00", end: "18:00" } });
      expect(statuses((await promo(fresh())).body)).toEqual([
        "rejected:FailedOperation.MarketingSendTimeConstraint",
      ]);
      // Notifications are not marketing: any hour.
      clock.set("2026-11-22T14:30:00Z");
      expect(statuses((await app.send(notice([fresh()]))).body)).toEqual(["submitted:Ok"]);
    });
  });

  describe("signatures", () => {
    it("needs a signature for mainland sends, from the request or the app's default", async () => {
      const app = await newApp(s, { defaultSign: null });
      expect((await app.send(code([fresh()]))).body.error.code).toBe("MissingParameter.SignName");
      await s.api("PUT", `/v1/apps/${app.appId}/signatures/示例商城`, { key: s.adminKey });
      expect(statuses((await app.send(code([fresh()], { sign: "示例商城" }))).body)).toEqual([
        "submitted:Ok",
      ]);
      // International sends may go without one.
      expect(statuses((await app.send(intl(["+12025550101"]))).body)).toEqual(["submitted:Ok"]);
    });

    it("refuses a malformed or unapproved signature", async () => {
      const app = await newApp(s);
      expect((await app.send(code([fresh()], { sign: "x" }))).body.error.code).toBe(
        "FailedOperation.SignatureIncorrectOrUnapproved",
      );
      expect((await app.send(code([fresh()], { sign: "未批准签名" }))).body.error.code).toBe(
        "FailedOperation.SignatureIncorrectOrUnapproved",
      );
      expect(
        (
          await s.api("PUT", `/v1/apps/${app.appId}/signatures/${encodeURIComponent("<b>")}`, {
            key: s.adminKey,
          })
        ).status,
      ).toBe(400);
    });
  });

  describe("segments", () => {
    it("counts billable segments before sending, equal to the vendor's Fee", async () => {
      const app = await newApp(s);
      // Variables longer than Tencent's default 6 need a template that allows them.
      await s.api("PUT", `/v1/apps/${app.appId}/templates/order-long`, {
        key: app.apiKey,
        body: {
          kind: "notification",
          region: "domestic",
          body: "您的订单{1}已发货，预计{2}送达。",
          maxParamLength: 64,
          providerTemplateIds: { tencent: "1000002" },
        },
      });
      const cases = [
        code([fresh()]),
        notice([fresh()], "SO-26"),
        {
          to: [fresh()],
          template: "order-long",
          params: [
            "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三",
            "明天",
          ],
        },
        intl(["+12025550102"]),
      ];
      await app.patch({ frequency: { sameContentThirtySeconds: null } });
      for (const body of cases) {
        s.tencent.reset();
        const res = await app.send(body);
        expect(res.body.messages[0].status).toBe("submitted");
        expect(res.body.messages[0].segments).toBe(s.tencent.messages()[0]?.fee);
      }
      // International GSM-7 text with extension characters, which count twice.
      await s.api("PUT", `/v1/apps/${app.appId}/templates/intl-long`, {
        key: app.apiKey,
        body: {
          kind: "notification",
          region: "international",
          body: "Note: {1}",
          maxParamLength: 64,
          providerTemplateIds: { tencent: "1000004" },
        },
      });
      s.tencent.addTemplate({ id: "1000004", body: "Note: {1}", international: true });
      for (const param of ["a".repeat(60), "[]{}".repeat(15), "€".repeat(60)]) {
        await app.patch({ frequency: { sameContentThirtySeconds: null, oneDay: null } });
        s.tencent.reset();
        const res = await app.send({
          to: ["+12025550103"],
          template: "intl-long",
          params: [param.slice(0, 64)],
        });
        expect(res.body.messages[0].segments, param).toBe(s.tencent.messages()[0]?.fee);
      }
    });
  });

  describe("per recipient", () => {
    it("refuses opted-out numbers, per signature, and sends again once the opt-out is removed", async () => {
      const app = await newApp(s, { signatures: ["另一签名"] });
      const [a, b] = [fresh(), fresh()];
      const noConsent = await s.api("POST", `/v1/apps/${app.appId}/opt-outs`, {
        key: app.apiKey,
        body: { phone: a, sign: "smsgate" },
      });
      expect(noConsent.body.error.message).toContain("consent");
      expect(
        (
          await s.api("POST", `/v1/apps/${app.appId}/opt-outs`, {
            key: app.apiKey,
            body: { phone: a, sign: "smsgate", consent: true },
          })
        ).status,
      ).toBe(201);

      const res = await app.send(code([a, b]));
      expect(statuses(res.body)).toEqual([
        "rejected:FailedOperation.PhoneNumberInBlacklist",
        "submitted:Ok",
      ]);
      expect(s.tencent.messages().map((m) => m.phone)).toEqual([b]);
      // Another signature of the same app may still reach the number.
      expect(statuses((await app.send(code([a], { sign: "另一签名" }))).body)).toEqual([
        "submitted:Ok",
      ]);

      const removed = await s.api(
        "DELETE",
        `/v1/apps/${app.appId}/opt-outs/${encodeURIComponent(a)}`,
        { key: app.apiKey },
      );
      expect(removed.status).toBe(204);
      const audit = await s.api("GET", `/v1/apps/${app.appId}/opt-outs/${encodeURIComponent(a)}`, {
        key: app.apiKey,
      });
      expect(audit.body.optOuts).toEqual([]);
      expect(audit.body.audit.map((e: { action: string }) => e.action)).toEqual(["add", "remove"]);
      clock.advance(31_000);
      expect(statuses((await app.send(code([a]))).body)).toEqual(["submitted:Ok"]);
    });

    it("gives a bad number in a batch its own rejected entry and sends the rest", async () => {
      const app = await newApp(s);
      const good = fresh();
      const res = await app.send(code([good, "12345", good]));
      expect(res.status).toBe(200);
      expect(res.body.messages).toEqual([
        expect.objectContaining({ to: good, status: "submitted" }),
        expect.objectContaining({
          to: "12345",
          status: "rejected",
          code: "InvalidParameterValue.IncorrectPhoneNumber",
          message: expect.stringContaining("to[1]"),
        }),
      ]);
      expect(s.tencent.messages().map((m) => m.phone)).toEqual([good]);
    });

    it("refuses numbers outside the app's allowed countries", async () => {
      const app = await newApp(s, { allowedCountries: ["US"] });
      const res = await app.send(intl(["+12025550104", "+85261234567"]));
      expect(statuses(res.body)).toEqual([
        "submitted:Ok",
        "rejected:LimitExceeded.AppCountryOrRegionInBlacklist",
      ]);
      // allowedCountries is about international numbers only: mainland numbers are governed
      // by thresholds.domestic, so "CN" need not be listed.
      expect(statuses((await app.send(code([fresh()]))).body)).toEqual(["submitted:Ok"]);
    });

    it("holds the same content to one per 30 s, and a new app's number to 2 a day, as Tencent", async () => {
      const app = await newApp(s);
      const to = fresh();
      expect(statuses((await app.send(code([to]))).body)).toEqual(["submitted:Ok"]);
      expect(statuses((await app.send(code([to]))).body)).toEqual([
        "rejected:LimitExceeded.PhoneNumberSameContentDailyLimit",
      ]);
      expect(statuses((await app.send(code([to], { params: ["111111", "5"] }))).body)).toEqual([
        "submitted:Ok",
      ]);
      // The third notification of the day to one number: refused, as Tencent does for
      // applications created from 2024-05-22.
      clock.advance(60_000);
      expect(statuses((await app.send(notice([to]))).body)).toEqual([
        "rejected:LimitExceeded.PhoneNumberDailyLimit",
      ]);
      // A new natural day in the app's time zone (midnight in Shanghai is 16:00 UTC).
      clock.set("2026-11-22T16:00:00Z");
      expect(statuses((await app.send(notice([to]))).body)).toEqual(["submitted:Ok"]);
    });

    it("lets an app opt into the older 10 a day, never above the carriers' caps", async () => {
      const app = await newApp(s, { frequency: { oneDay: 10 } });
      const to = fresh();
      for (let i = 0; i < 10; i++)
        expect(statuses((await app.send(code([to], { params: [String(i), "5"] }))).body)).toEqual([
          "submitted:Ok",
        ]);
      expect(statuses((await app.send(code([to], { params: ["10", "5"] }))).body)).toEqual([
        "rejected:LimitExceeded.PhoneNumberDailyLimit",
      ]);
      const over = await s.api("PATCH", `/v1/apps/${app.appId}`, {
        key: app.apiKey,
        body: { frequency: { oneDay: 11 } },
      });
      expect(over.status).toBe(400);
      expect(over.body.error.message).toContain("frequency.oneDay");
    });

    it("holds marketing to the carriers' 3 a day per number, whatever the app sets, whitelisted too", async () => {
      const app = await newApp(s, {
        frequency: { oneDay: null, sameContentThirtySeconds: null },
      });
      await s.api("PUT", `/v1/apps/${app.appId}/templates/promo`, {
        key: app.apiKey,
        body: {
          kind: "marketing",
          region: "domestic",
          body: "您的订单{1}已发货，预计{2}送达。拒收请回复R",
          providerTemplateIds: { tencent: "1000002" },
        },
      });
      const [to, vip] = [fresh(), fresh()];
      await s.api("PUT", `/v1/apps/${app.appId}/whitelist/${encodeURIComponent(vip)}`, {
        key: app.apiKey,
      });
      const promo = () => app.send({ to: [to, vip], template: "promo", params: ["A1", "明天"] });
      for (let i = 0; i < 3; i++)
        expect(statuses((await promo()).body)).toEqual(["submitted:Ok", "submitted:Ok"]);
      expect(statuses((await promo()).body)).toEqual([
        "rejected:LimitExceeded.PhoneNumberDailyLimit",
        "rejected:LimitExceeded.PhoneNumberDailyLimit",
      ]);
      // Non-marketing has its own carrier cap (10), so notifications still go.
      expect(statuses((await app.send(notice([to]))).body)).toEqual(["submitted:Ok"]);
    });

    it("slides the 30-second, one-hour and same-content windows across midnight", async () => {
      const app = await newApp(s, { frequency: { oneHour: 2 } });
      const to = fresh();
      clock.set("2026-11-22T15:59:50Z"); // 23:59:50 in Shanghai
      expect(statuses((await app.send(code([to]))).body)).toEqual(["submitted:Ok"]);
      clock.set("2026-11-22T16:00:05Z"); // 00:00:05 the next day
      expect(statuses((await app.send(code([to]))).body)).toEqual([
        "rejected:LimitExceeded.PhoneNumberSameContentDailyLimit",
      ]);
      expect(statuses((await app.send(notice([to]))).body)).toEqual(["submitted:Ok"]);
      clock.set("2026-11-22T16:30:00Z");
      expect(statuses((await app.send(notice([to], "SO-2"))).body)).toEqual([
        "rejected:LimitExceeded.PhoneNumberOneHourLimit",
      ]);
    });

    it("puts a TTL on every frequency and counter item, so the table does not grow with dead ones", async () => {
      const app = await newApp(s);
      const to = fresh();
      await app.send(code([to]));
      const item = (await s.deps.store.readFrequency(app.appId, [to])).get(to);
      expect(item?.expiresAt).toBe(Math.floor(Date.parse(START) / 1000) + 2 * 86_400);
      // The day counters are the statistics: kept 400 days.
      const usage = await s.deps.store.readUsage(app.appId, "2026-11-22");
      expect(usage?.expiresAt).toBe(
        Math.floor(Date.parse("2026-11-22T00:00:00Z") / 1000) + 400 * 86_400,
      );
    });

    it("enforces the 30-second and one-hour windows when configured, sliding", async () => {
      const app = await newApp(s, {
        frequency: { thirtySeconds: 1, oneHour: 3, oneDay: 10, sameContentThirtySeconds: null },
      });
      const to = fresh();
      expect(statuses((await app.send(code([to]))).body)).toEqual(["submitted:Ok"]);
      clock.advance(29_000);
      expect(statuses((await app.send(code([to]))).body)).toEqual([
        "rejected:LimitExceeded.PhoneNumberThirtySecondLimit",
      ]);
      clock.advance(2_000);
      expect(statuses((await app.send(code([to]))).body)).toEqual(["submitted:Ok"]);
      clock.advance(31_000);
      expect(statuses((await app.send(code([to]))).body)).toEqual(["submitted:Ok"]);
      clock.advance(31_000);
      expect(statuses((await app.send(code([to]))).body)).toEqual([
        "rejected:LimitExceeded.PhoneNumberOneHourLimit",
      ]);
      clock.set(new Date(Date.parse(START) + 3_600_001).toISOString());
      expect(statuses((await app.send(code([to]))).body)).toEqual(["submitted:Ok"]);
    });

    it("lets whitelisted numbers past frequency limits, and only those", async () => {
      const app = await newApp(s, { frequency: { oneDay: 1, sameContentThirtySeconds: null } });
      const [vip, other] = [fresh(), fresh()];
      expect(
        (
          await s.api("PUT", `/v1/apps/${app.appId}/whitelist/${encodeURIComponent(vip)}`, {
            key: app.apiKey,
          })
        ).status,
      ).toBe(200);
      for (let i = 0; i < 3; i++) {
        const res = await app.send(code([vip, other]));
        expect(statuses(res.body)).toEqual([
          "submitted:Ok",
          i === 0 ? "submitted:Ok" : "rejected:LimitExceeded.PhoneNumberDailyLimit",
        ]);
      }
      await s.api("POST", `/v1/apps/${app.appId}/opt-outs`, {
        key: app.apiKey,
        body: { phone: vip, consent: true },
      });
      expect(statuses((await app.send(code([vip]))).body)).toEqual([
        "rejected:FailedOperation.PhoneNumberInBlacklist",
      ]);
    });

    it("keeps the whitelist to 300 numbers", async () => {
      const app = await newApp(s);
      const put = (i: number) =>
        s.api(
          "PUT",
          `/v1/apps/${app.appId}/whitelist/${encodeURIComponent(`+86137${String(i).padStart(8, "0")}`)}`,
          { key: app.apiKey },
        );
      for (let i = 0; i < 300; i += 25)
        await Promise.all(Array.from({ length: 25 }, (_, j) => put(i + j)));
      const res = await put(300);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain("300");
      expect((await put(5)).status).toBe(200);
    }, 60_000);

    it("gives back a vendor-refused number's frequency reservation", async () => {
      const app = await newApp(s, { frequency: { oneDay: 1 } });
      const refusedByVendor = "+8613900000044";
      expect(statuses((await app.send(code([refusedByVendor]))).body)).toEqual([
        "failed:FailedOperation.PhoneNumberInBlacklist",
      ]);
      clock.advance(31_000);
      // Still the vendor's refusal, not our daily limit: the first send's reservation was released.
      expect(statuses((await app.send(code([refusedByVendor]))).body)).toEqual([
        "failed:FailedOperation.PhoneNumberInBlacklist",
      ]);
    });
  });

  describe("per app and day", () => {
    it("stops mainland sends at the domestic limit, counting only what reached the vendor", async () => {
      const app = await newApp(s, { thresholds: { domestic: { alert: 1, limit: 3 } } });
      const optedOut = fresh();
      await s.api("POST", `/v1/apps/${app.appId}/opt-outs`, {
        key: app.apiKey,
        body: { phone: optedOut, consent: true },
      });
      const res = await app.send(
        code([optedOut, fresh(), fresh(), "+8613900000044", fresh(), fresh()]),
      );
      expect(statuses(res.body)).toEqual([
        "rejected:FailedOperation.PhoneNumberInBlacklist",
        "submitted:Ok",
        "submitted:Ok",
        "failed:FailedOperation.PhoneNumberInBlacklist",
        "rejected:LimitExceeded.AppMainlandChinaDailyLimit",
        "rejected:LimitExceeded.AppMainlandChinaDailyLimit",
      ]);
      expect(statuses((await app.send(code([fresh()]))).body)).toEqual([
        "rejected:LimitExceeded.AppMainlandChinaDailyLimit",
      ]);
      clock.set("2026-11-22T16:00:01Z");
      expect(statuses((await app.send(code([fresh()]))).body)).toEqual(["submitted:Ok"]);
    });

    it("stops international sends at the global limit, and a country at its own", async () => {
      // A per-country table is itself the allow-list; a blank limit is the app's own.
      const app = await newApp(s, {
        thresholds: { international: { limit: 3 }, countries: { HK: { limit: 1 }, US: {} } },
      });
      const res = await app.send(
        intl([
          "+85261234567",
          "+85261234568",
          "+12025550105",
          "+12025550106",
          "+12025550107",
          "+447911123456",
        ]),
      );
      expect(statuses(res.body)).toEqual([
        "submitted:Ok",
        "rejected:LimitExceeded.AppCountryOrRegionDailyLimit",
        "submitted:Ok",
        "submitted:Ok",
        "rejected:LimitExceeded.AppGlobalDailyLimit",
        "rejected:LimitExceeded.AppCountryOrRegionInBlacklist",
      ]);
    });

    it("sends no more than the prepaid package covers, and refunds what the vendor refused", async () => {
      const app = await newApp(s);
      const put = await s.api("PUT", `/v1/apps/${app.appId}/package`, {
        key: s.adminKey,
        body: { domestic: { segments: 3, alertBelow: 1 } },
      });
      expect(put.body.remaining).toEqual({ domestic: 3 });
      const res = await app.send(code([fresh(), "+8613900000144", fresh(), fresh()]));
      expect(statuses(res.body)).toEqual([
        "submitted:Ok",
        "failed:FailedOperation.PhoneNumberInBlacklist",
        "submitted:Ok",
        "rejected:FailedOperation.InsufficientBalanceInSmsPackage",
      ]);
      expect(
        (await s.api("GET", `/v1/apps/${app.appId}/package`, { key: app.apiKey })).body.remaining,
      ).toEqual({ domestic: 1 });
      expect(statuses((await app.send(code([fresh()]))).body)).toEqual(["submitted:Ok"]);
      expect(statuses((await app.send(code([fresh()]))).body)).toEqual([
        "rejected:FailedOperation.InsufficientBalanceInSmsPackage",
      ]);
    });

    it("refuses everything for a disabled app, and sends again once enabled", async () => {
      const app = await newApp(s);
      // The operator disables and enables an app; the app cannot do either itself.
      await app.operatorPatch({ enabled: false });
      const res = await app.send(code([fresh()]));
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("UnauthorizedOperation.SdkAppIdIsDisabled");
      await app.operatorPatch({ enabled: true });
      expect(statuses((await app.send(code([fresh()]))).body)).toEqual(["submitted:Ok"]);
    });

    it("names the field when a setting is invalid, and changes nothing", async () => {
      const app = await newApp(s);
      const res = await s.api("PATCH", `/v1/apps/${app.appId}`, {
        key: app.apiKey,
        body: { thresholds: { domestic: { alert: 5, limit: 2 } } },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain("thresholds.domestic");
      const bad = await s.api("PATCH", `/v1/apps/${app.appId}`, {
        key: app.apiKey,
        body: { timeZone: "Mars/Base" },
      });
      expect(bad.body.error.message).toContain("timeZone");
      expect((await s.api("GET", `/v1/apps/${app.appId}`, { key: app.apiKey })).body).toMatchObject(
        { thresholds: {}, timeZone: "Asia/Shanghai" },
      );
    });
  });

  describe("dry run", () => {
    it("says which rule would refuse each number, and reserves and sends nothing", async () => {
      const app = await newApp(s, { thresholds: { domestic: { limit: 2 } } });
      const [a, b, c] = [fresh(), fresh(), fresh()];
      await s.api("POST", `/v1/apps/${app.appId}/opt-outs`, {
        key: app.apiKey,
        body: { phone: a, consent: true },
      });
      for (let i = 0; i < 2; i++) {
        const res = await app.send(code([a, b, c], { dryRun: true }));
        expect(res.body.dryRun).toBe(true);
        expect(statuses(res.body)).toEqual([
          "rejected:FailedOperation.PhoneNumberInBlacklist",
          "allowed:Ok",
          "allowed:Ok",
        ]);
      }
      expect(s.tencent.messages()).toEqual([]);
      expect(statuses((await app.send(code([b]))).body)).toEqual(["submitted:Ok"]);
      const dry = await app.send(code([b, c, fresh()], { dryRun: true }));
      expect(statuses(dry.body)).toEqual([
        "rejected:LimitExceeded.PhoneNumberSameContentDailyLimit",
        "allowed:Ok",
        "rejected:LimitExceeded.AppMainlandChinaDailyLimit",
      ]);
    });
  });

  describe("idempotency", () => {
    it("replays the first answer for the same key and body, and refuses another body", async () => {
      const app = await newApp(s);
      const to = fresh();
      const first = await app.send(code([to]), { "idempotency-key": "order-42" });
      clock.advance(60_000);
      const again = await app.send(code([to]), { "idempotency-key": "order-42" });
      expect(again.body).toEqual(first.body);
      expect(s.tencent.messages()).toHaveLength(1);
      const other = await app.send(code([fresh()]), { "idempotency-key": "order-42" });
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe("FailedOperation.IdempotencyKeyReused");
    });

    it("answers 409 while the first request with the key is still running", async () => {
      const app = await newApp(s);
      const body = code([fresh()]);
      s.tencent.setFault("timeout"); // the first request waits for the SDK's timeout (5 s here)
      const first = app.send(body, { "idempotency-key": "slow" });
      await new Promise((r) => setTimeout(r, 200));
      const second = await app.send(body, { "idempotency-key": "slow" });
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe("FailedOperation.IdempotencyInProgress");
      expect((await first).body.messages[0].status).toBe("unknown");
      s.tencent.setFault("none");
      expect((await app.send(body, { "idempotency-key": "slow" })).body).toEqual(
        (await first).body,
      );
    });

    it("makes exactly one vendor call for 50 concurrent requests with one key, and gives all the same answer", async () => {
      const app = await newApp(s);
      const body = code([fresh()]);
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => app.send(body, { "idempotency-key": "burst" })),
      );
      expect(s.tencent.messages()).toHaveLength(1);
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
      expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    });
  });

  describe("concurrency", () => {
    it.each([1, 2, 3])(
      "submits exactly 50 of 128 concurrent sends against a domestic limit of 50 (trial %i)",
      async () => {
        const app = await newApp(s, { thresholds: { domestic: { limit: 50 } } });
        const numbers = Array.from({ length: 128 }, () => fresh());
        const answers = await Promise.all(numbers.map((to) => app.send(code([to]))));
        const submitted = answers.filter((a) => a.body.messages[0].status === "submitted");
        expect(submitted).toHaveLength(50);
        expect(
          answers.filter(
            (a) => a.body.messages[0].code === "LimitExceeded.AppMainlandChinaDailyLimit",
          ),
        ).toHaveLength(78);
        expect(s.tencent.messages().filter((m) => numbers.includes(m.phone))).toHaveLength(50);
        const usage = await s.deps.store.readUsage(app.appId, "2026-11-22");
        expect(usage?.["lim:domestic"]).toBe(50);
      },
      120_000,
    );
  });

  describe("DynamoDB budget", () => {
    it("a single-recipient send takes at most 3 sequential round trips and 11 requests", async () => {
      const app = await newApp(s, { thresholds: { domestic: { limit: 1000 } } });
      await s.api("PUT", `/v1/apps/${app.appId}/package`, {
        key: s.adminKey,
        body: { domestic: { segments: 1000 } },
      });
      s.meter.reset();
      const res = await app.send(code([fresh()]), { "idempotency-key": "budget-1" });
      expect(res.body.messages[0].status).toBe("submitted");
      const m = s.meter.read("send");
      // 11 = key/app/template/opt-outs + claim; frequency + day limits + balance + in-flight
      // records + the statistics' own items (hour, template, country, signature: 1 WCU each
      // instead of one day item that costs 1 WCU per KB); final records and answer
      // (docs/performance.md "Write cost").
      expect(m.rounds).toBeLessThanOrEqual(3);
      expect(m.requests).toBeLessThanOrEqual(11);
    });

    it("a 200-recipient send makes at most 1.35 requests per recipient (budget 2.1)", async () => {
      const app = await newApp(s);
      const numbers = Array.from({ length: 200 }, () => fresh());
      s.meter.reset();
      const res = await app.send(code(numbers));
      expect(
        res.body.messages.filter((m: { status: string }) => m.status === "submitted"),
      ).toHaveLength(200);
      const m = s.meter.read("send");
      expect(m.rounds).toBeLessThanOrEqual(3);
      // 1.22 from the policy (holds, in-flight records, settlement) plus the "last sender" item
      // per recipient that routes account-level replies (docs/access-patterns.md).
      expect(m.requests / 200).toBeLessThanOrEqual(1.35);
    });
  });
});
