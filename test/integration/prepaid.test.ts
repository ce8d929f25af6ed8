/**
 * The prepaid package as the vendors bill it (docs/api.md "Prepaid package"), through the
 * HTTP API against the real handlers: audited top-ups that add exactly under concurrency,
 * "stop" or "continue" when a region is used up, and the international balance in money with
 * a price per country. On dynalite, and on DynamoDB Local when Java is on the machine.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import {
  newApp,
  startTestStack,
  TEST_STORES,
  type TestApp,
  type TestStack,
} from "../helpers/stack";

const START = "2026-11-22T02:00:00Z"; // 10:00 in Shanghai
const code = (to: string[]) => ({ to, template: "login-code", params: ["482913", "5"] });
const intl = (to: string[]) => ({ to, template: "intl-code", params: ["4829", "5"] });
const statuses = (body: { messages: { status: string; code: string }[] }) =>
  body.messages.map((m) => `${m.status}:${m.code}`);

describe.each(TEST_STORES)("prepaid package on %s", (store) => {
  let s: TestStack;
  const clock = fixedClock(START);
  let n = 0;
  /** A mainland number no other test uses, and no simulator suffix (…4 means trouble). */
  const fresh = (): string => {
    const c = `+86137${String(++n).padStart(8, "0")}`;
    return c.endsWith("4") ? fresh() : c;
  };
  /** A number in the US, GB or FR no other test uses; `refused` ends in 44 (the vendor refuses). */
  const abroad = (cc: "US" | "GB" | "FR", refused = false): string => {
    const tail = refused ? `${String(++n % 100).padStart(2, "0")}44` : String(1000 + (++n % 9000));
    const c =
      cc === "US"
        ? `+1202555${tail.slice(-4)}`
        : cc === "GB"
          ? `+44740012${tail.slice(-4)}`
          : `+3361234${tail.slice(-4)}`;
    return !refused && c.endsWith("4") ? abroad(cc) : c;
  };

  beforeAll(async () => {
    // The deployed vendor timeout (5 s): 20 racing sends must not time out into `unknown`.
    s = await startTestStack({ store, clock, tencentTimeoutSeconds: 5 });
  }, 60_000);
  afterAll(() => s?.close());
  beforeEach(() => {
    clock.set(START);
    s.tencent.reset();
  });

  const put = (app: TestApp, body: object, key = s.adminKey) =>
    s.api("PUT", `/v1/apps/${app.appId}/package`, { key, body });
  const topUp = (app: TestApp, body: object, key = s.adminKey) =>
    s.api("POST", `/v1/apps/${app.appId}/package/top-ups`, { key, body });
  const remaining = async (app: TestApp) =>
    (await s.api("GET", `/v1/apps/${app.appId}/package`, { key: app.apiKey })).body.remaining;
  const contact = async (app: TestApp, email?: string) => {
    const phone = fresh();
    const res = await s.api("PUT", `/v1/apps/${app.appId}/contacts/finance`, {
      key: app.apiKey,
      body: { name: "finance", phone, ...(email ? { email } : {}), events: ["packageBalance"] },
    });
    expect(res.status).toBe(200);
    return phone;
  };
  const alerts = async (app: TestApp) =>
    (await s.api("GET", `/v1/apps/${app.appId}/alerts`, { key: app.apiKey })).body.alerts as {
      key: string;
      subject: string;
      sent: { channel: string; status: string }[];
    }[];

  describe("top-ups", () => {
    it("add to the balance — two at once both count — and are listed newest first", async () => {
      const app = await newApp(s);
      expect((await put(app, { domestic: { segments: 10 } })).status).toBe(200);
      const [a, b] = await Promise.all([
        topUp(app, { domestic: { segments: 5 } }),
        topUp(app, { domestic: { segments: 7 } }),
      ]);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(await remaining(app)).toEqual({ domestic: 22 });
      expect(Math.max(a.body.remaining.domestic, b.body.remaining.domestic)).toBe(22);
      // Whichever came first saw its own amount added to 10; the second saw 22.
      expect([
        [15, 22],
        [22, 17],
      ]).toContainEqual([a.body.topUps[0].balanceAfter, b.body.topUps[0].balanceAfter]);

      clock.advance(60_000);
      const later = await topUp(app, { domestic: { segments: 3 } });
      expect(later.body.topUps).toEqual([
        expect.objectContaining({
          region: "domestic",
          amount: 3,
          balanceAfter: 25,
          by: "operator",
          at: "2026-11-22T02:01:00.000Z",
        }),
      ]);
      // A top-up starts a new alert period; what was bought in it is the PUT plus the top-ups.
      expect(later.body.period).toEqual({
        startedAt: "2026-11-22T02:01:00.000Z",
        bought: { domestic: 25 },
      });

      const list = await s.api("GET", `/v1/apps/${app.appId}/package/top-ups?limit=2`, {
        key: s.adminKey,
      });
      expect(list.status).toBe(200);
      expect(list.body.topUps.map((t: { amount: number }) => t.amount)[0]).toBe(3);
      expect(list.body.topUps).toHaveLength(2);
      const next = await s.api(
        "GET",
        `/v1/apps/${app.appId}/package/top-ups?limit=2&cursor=${list.body.cursor}`,
        { key: s.adminKey },
      );
      const all = [...list.body.topUps, ...next.body.topUps];
      expect(all.map((t: { amount: number }) => t.amount).sort()).toEqual([3, 5, 7]);
      expect(all.map((t: { balanceAfter: number }) => t.balanceAfter)[0]).toBe(25);
      expect(new Set(all.map((t: { balanceAfter: number }) => t.balanceAfter))).toContain(22);
      // PUT still replaces.
      expect((await put(app, { domestic: { segments: 4 } })).body.remaining).toEqual({
        domestic: 4,
      });
    });

    it("add money to the international balance exactly (no floating-point drift)", async () => {
      const app = await newApp(s);
      await put(app, { international: { amount: 0.3, prices: { US: 0.1 } } });
      await Promise.all(
        Array.from({ length: 7 }, () => topUp(app, { international: { amount: 0.1 } })),
      );
      expect(await remaining(app)).toEqual({ international: 1 });
      const both = await topUp(app, {
        international: { amount: 0.0001 },
      });
      expect(both.body.topUps[0]).toMatchObject({ amount: 0.0001, balanceAfter: 1.0001 });
    });

    it("are the operator's: an app key (even admin) gets 403, another app 404, nothing changes", async () => {
      const app = await newApp(s);
      const other = await newApp(s);
      await put(app, { domestic: { segments: 10 } });
      const own = await topUp(app, { domestic: { segments: 5 } }, app.apiKey);
      expect(own.status).toBe(403);
      expect(own.body.error.code).toBe("UnauthorizedOperation.OperatorOnlySetting");
      const listed = await s.api("GET", `/v1/apps/${app.appId}/package/top-ups`, {
        key: app.apiKey,
      });
      expect(listed.status).toBe(403);
      expect(listed.body.error.code).toBe("UnauthorizedOperation.OperatorOnlySetting");
      const foreign = await topUp(app, { domestic: { segments: 5 } }, other.apiKey);
      const missing = await s.api("POST", "/v1/apps/01ZZZZZZZZZZZZZZZZZZZZZZZZ/package/top-ups", {
        key: other.apiKey,
        body: { domestic: { segments: 5 } },
      });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe(missing.body.error.code);
      expect(foreign.body.error.message.replace(app.appId, "X")).toBe(
        missing.body.error.message.replace("01ZZZZZZZZZZZZZZZZZZZZZZZZ", "X"),
      );
      expect(await remaining(app)).toEqual({ domestic: 10 });
    });

    it("refuse a bad amount, or a region with no package, saying what to fix", async () => {
      const app = await newApp(s);
      await put(app, { domestic: { segments: 10 } });
      const cases: [object, RegExp][] = [
        [{}, /domestic\.segments and\/or international\.amount/],
        [{ domestic: { segments: 0 } }, /domestic\.segments/],
        [{ domestic: { segments: 1.5 } }, /whole number/],
        [{ international: { amount: -1 } }, /international\.amount/],
        [{ international: { amount: 0.00001 } }, /4 decimals/],
        [{ domestic: { segments: 1 }, extra: 1 }, /extra/],
        [{ international: { amount: 5 } }, /no international package.*PUT/],
        [{ domestic: { segments: 1 }, international: { amount: 5 } }, /no international package/],
      ];
      for (const [body, message] of cases) {
        const res = await topUp(app, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.code).toBe("InvalidParameter");
        expect(res.body.error.message).toMatch(message);
      }
      expect(await remaining(app)).toEqual({ domestic: 10 });
      const listed = await s.api("GET", `/v1/apps/${app.appId}/package/top-ups`, {
        key: s.adminKey,
      });
      expect(listed.body.topUps).toEqual([]);
    });
  });

  describe("when a region is used up", () => {
    it('"stop" (the default) sends exactly what is left to 20 racing sends, and refuses the rest', async () => {
      const app = await newApp(s);
      await contact(app);
      await put(app, { domestic: { segments: 10 } });
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => app.send(code([fresh()]))),
      );
      const all = answers.flatMap((a) => statuses(a.body));
      expect(all.filter((x) => x === "submitted:Ok")).toHaveLength(10);
      expect(
        all.filter((x) => x === "rejected:FailedOperation.InsufficientBalanceInSmsPackage"),
      ).toHaveLength(10);
      expect(await remaining(app)).toEqual({ domestic: 0 });
      expect(statuses((await app.send({ ...code([fresh()]), dryRun: true })).body)).toEqual([
        "rejected:FailedOperation.InsufficientBalanceInSmsPackage",
      ]);
      await s.runChecker();
      expect(await alerts(app)).toEqual([]);
    });

    it('"continue" sends all 20 into a negative balance and alerts once that sending goes on', async () => {
      const app = await newApp(s);
      const phone = await contact(app, "finance@example.com");
      const set = await put(app, { domestic: { segments: 10, onExhausted: "continue" } });
      expect(set.body.purchased.domestic).toEqual({ segments: 10, onExhausted: "continue" });
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => app.send(code([fresh()]))),
      );
      expect(answers.flatMap((a) => statuses(a.body))).toEqual(Array(20).fill("submitted:Ok"));
      expect(await remaining(app)).toEqual({ domestic: -10 });
      expect(statuses((await app.send({ ...code([fresh()]), dryRun: true })).body)).toEqual([
        "allowed:Ok",
      ]);
      await s.runChecker();
      clock.advance(300_000);
      await s.runChecker();
      const fired = await alerts(app);
      expect(fired).toHaveLength(1);
      expect(fired[0]?.key).toMatch(/^packageBalance#domestic#exhausted#/);
      expect(fired[0]?.subject).toBe("国内套餐包已用尽（余量-10条），按设置继续发送");
      const texts = s.tencent.messages().filter((m) => m.phone === phone);
      expect(texts.map((m) => m.params[1])).toEqual(["国内套餐用尽"]);
      const mails = s.ses.emails().filter((m) => m.to.includes("finance@example.com"));
      expect(mails).toHaveLength(1);
      expect(mails[0]?.text).toContain("国内套餐包已用尽");
      // A top-up starts a new period: once it is used up again, the contacts hear again.
      await topUp(app, { domestic: { segments: 12 } });
      expect(await remaining(app)).toEqual({ domestic: 2 });
      await s.runChecker();
      expect(await alerts(app)).toHaveLength(1);
      await Promise.all([app.send(code([fresh()])), app.send(code([fresh()]))]);
      await s.runChecker();
      expect(await alerts(app)).toHaveLength(2);
    });
  });

  describe("the international balance in money", () => {
    it("takes segments × the country's price, refuses an unpriced country, refunds a vendor refusal", async () => {
      const app = await newApp(s);
      const set = await put(app, {
        international: { amount: 1, prices: { US: 0.05, GB: 0.04 } },
      });
      expect(set.status).toBe(200);
      expect(set.body.remaining).toEqual({ international: 1 });
      expect(statuses((await app.send(intl([abroad("US")]))).body)).toEqual(["submitted:Ok"]);
      expect(await remaining(app)).toEqual({ international: 0.95 });
      expect(statuses((await app.send(intl([abroad("GB"), abroad("US")]))).body)).toEqual([
        "submitted:Ok",
        "submitted:Ok",
      ]);
      expect(await remaining(app)).toEqual({ international: 0.86 });
      // No price for FR and no defaultPrice: refused before anything is taken.
      const fr = await app.send(intl([abroad("FR"), abroad("US")]));
      expect(statuses(fr.body)).toEqual([
        "rejected:FailedOperation.CountryNotPricedInSmsPackage",
        "submitted:Ok",
      ]);
      expect(fr.body.messages[0].message).toMatch(/defaultPrice/);
      expect(await remaining(app)).toEqual({ international: 0.81 });
      expect(statuses((await app.send({ ...intl([abroad("FR")]), dryRun: true })).body)).toEqual([
        "rejected:FailedOperation.CountryNotPricedInSmsPackage",
      ]);
      // The vendor refuses the number: its money comes back.
      expect(statuses((await app.send(intl([abroad("US", true)]))).body)[0]).toMatch(/^failed:/);
      expect(await remaining(app)).toEqual({ international: 0.81 });
      // A defaultPrice covers every other country.
      await put(app, { international: { amount: 0.1, prices: { US: 0.05 }, defaultPrice: 0.06 } });
      expect(statuses((await app.send(intl([abroad("FR")]))).body)).toEqual(["submitted:Ok"]);
      expect(await remaining(app)).toEqual({ international: 0.04 });
      // 0.04 left: a US segment (0.05) no longer fits.
      expect(statuses((await app.send(intl([abroad("US")]))).body)).toEqual([
        "rejected:FailedOperation.InsufficientBalanceInSmsPackage",
      ]);
      expect(await remaining(app)).toEqual({ international: 0.04 });
    });

    it("refuses prices that are not money (more than 4 decimals, zero, not a country)", async () => {
      const app = await newApp(s);
      for (const international of [
        { amount: 1.00001 },
        { amount: 1, prices: { US: 0 } },
        { amount: 1, prices: { us: 0.05 } },
        { amount: 1, defaultPrice: 0.123456 },
        { amount: 1, onExhausted: "maybe" },
      ]) {
        const res = await put(app, { international });
        expect(res.status, JSON.stringify(international)).toBe(400);
        expect(res.body.error.code).toBe("InvalidParameter");
        expect(res.body.error.message).toMatch(/^international\./);
      }
      expect(await remaining(app)).toEqual({});
    });

    it("alerts at each percentage of the amount, in money", async () => {
      const app = await newApp(s);
      const phone = await contact(app);
      await put(app, {
        international: { amount: 1, alertPercents: [50, 10], prices: { US: 0.05 } },
      });
      for (let i = 0; i < 10; i++) await app.send(intl([abroad("US")])); // 0.5 left
      await s.runChecker();
      expect(await alerts(app)).toEqual([]);
      await app.send(intl([abroad("US")])); // 0.45 left
      await s.runChecker();
      await s.runChecker();
      expect((await alerts(app)).map((a) => a.subject)).toEqual([
        "国际套餐包余额0.45，低于50%（0.5）",
      ]);
      for (let i = 0; i < 8; i++) await app.send(intl([abroad("US")])); // 0.05 left
      await s.runChecker();
      expect((await alerts(app)).map((a) => a.subject).sort()).toEqual([
        "国际套餐包余额0.05，低于10%（0.1）",
        "国际套餐包余额0.45，低于50%（0.5）",
      ]);
      const texts = s.tencent.messages().filter((m) => m.phone === phone);
      expect(texts.map((m) => m.params.slice(1))).toEqual([
        ["国际余量低", "0.45", "0.5"],
        ["国际余量低", "0.05", "0.1"],
      ]);
    });
  });
});
