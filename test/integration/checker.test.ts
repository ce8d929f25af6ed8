/**
 * The threshold checker through the local stack, with an injected clock: alert SMS reach
 * the subscribed contacts once per event, threshold and period.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { ALERT_TEMPLATE_IDS } from "../../local/seed";
import { newApp, startTestStack, type TestApp, type TestStack } from "../helpers/stack";

const START = "2026-11-22T02:00:00Z"; // 10:00 in Shanghai
const clock = fixedClock(START);
let s: TestStack;
let n = 0;
const fresh = (): string => {
  const c = `+86134${String(++n).padStart(8, "0")}`;
  return c.endsWith("4") ? fresh() : c;
};
const code = (to: string) => ({ to: [to], template: "login-code", params: ["482913", "5"] });

beforeAll(async () => {
  s = await startTestStack({ clock });
});
afterAll(() => s?.close());
beforeEach(() => {
  clock.set(START);
  s.tencent.reset();
});

/** The alert SMS the emulator received, per phone. */
const alertsTo = (phone: string) =>
  s.tencent
    .messages()
    .filter((m) => m.templateId === ALERT_TEMPLATE_IDS.tencent && m.phone === phone);

async function withContacts(app: TestApp, contacts: Record<string, string[]>) {
  const phones: Record<string, string> = {};
  for (const [id, events] of Object.entries(contacts)) {
    phones[id] = fresh();
    const res = await s.api("PUT", `/v1/apps/${app.appId}/contacts/${id}`, {
      key: app.apiKey,
      body: { name: id, phone: phones[id], events },
    });
    expect(res.status).toBe(200);
  }
  return phones;
}

describe("alert contacts", () => {
  it("refuses a sixth contact with a clear code", async () => {
    const app = await newApp(s);
    await withContacts(app, {
      a: ["overVolume"],
      b: ["overVolume"],
      c: ["antiFraud"],
      d: ["limitReached"],
      e: ["packageBalance"],
    });
    const res = await s.api("PUT", `/v1/apps/${app.appId}/contacts/f`, {
      key: app.apiKey,
      body: { name: "f", phone: fresh(), events: ["overVolume"] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("LimitExceeded.AlertContactLimit");
    expect(
      (
        await s.api("PUT", `/v1/apps/${app.appId}/contacts/a`, {
          key: app.apiKey,
          body: { name: "a2", phone: fresh(), events: ["frequencyLimit"] },
        })
      ).status,
    ).toBe(200);
    expect(
      (await s.api("GET", `/v1/apps/${app.appId}/contacts`, { key: app.apiKey })).body.contacts,
    ).toHaveLength(5);
  });
});

describe("volume", () => {
  it("texts each subscribed contact once after the 4th send at alert value 3, and not again", async () => {
    const app = await newApp(s, { thresholds: { domestic: { alert: 3 } } });
    const phones = await withContacts(app, { ops: ["overVolume"], finance: ["packageBalance"] });
    for (let i = 0; i < 3; i++) await app.send(code(fresh()));
    await s.runChecker();
    expect(alertsTo(phones.ops as string)).toEqual([]);
    await app.send(code(fresh()));
    await s.runChecker();
    expect(alertsTo(phones.ops as string)).toHaveLength(1);
    expect(alertsTo(phones.ops as string)[0]?.params[1]).toContain("超过3");
    clock.advance(60_000);
    await s.runChecker();
    await s.runChecker();
    expect(alertsTo(phones.ops as string)).toHaveLength(1);
    expect(alertsTo(phones.finance as string)).toEqual([]);
    const history = await s.api("GET", `/v1/apps/${app.appId}/alerts`, { key: app.apiKey });
    expect(history.body.alerts).toEqual([
      expect.objectContaining({
        event: "overVolume",
        sent: [expect.objectContaining({ contact: "ops", status: "submitted" })],
      }),
    ]);
  });

  it("says when the daily limit is reached, and the alert gets through although the app can send no more", async () => {
    const app = await newApp(s, { thresholds: { domestic: { limit: 2 } } });
    const phones = await withContacts(app, { ops: ["limitReached"] });
    await app.send(code(fresh()));
    await app.send(code(fresh()));
    expect((await app.send(code(fresh()))).body.messages[0].code).toBe(
      "LimitExceeded.AppMainlandChinaDailyLimit",
    );
    await s.runChecker();
    expect(alertsTo(phones.ops as string)).toHaveLength(1);
    expect(alertsTo(phones.ops as string)[0]?.code).toBe("Ok");
    // And the alert is recorded and counted like any message, without touching the limit.
    const usage = await s.deps.store.readUsage(app.appId, "2026-11-22");
    expect(usage?.["t:smsgate-alert:submitted"]).toBe(1);
    expect(usage?.["lim:domestic"]).toBe(2);
  });
});

describe("package balance", () => {
  it("alerts at 15 %, 5 % and 1 % of the international amount, each once", async () => {
    const app = await newApp(s, { frequency: { sameContentThirtySeconds: null } });
    const phones = await withContacts(app, { finance: ["packageBalance"] });
    await s.api("PUT", `/v1/apps/${app.appId}/package`, {
      key: s.adminKey,
      body: { international: { amount: 20 } },
    });
    const intl = (i: number) =>
      app.send({ to: [`+1202555${String(1000 + i)}`], template: "intl-code", params: ["1", "5"] });
    for (let i = 0; i < 17; i++) await intl(i);
    await s.runChecker(); // 3 left: not below 15 % (3)
    expect(alertsTo(phones.finance as string)).toEqual([]);
    await intl(17); // 2 left
    await s.runChecker();
    await s.runChecker();
    expect(alertsTo(phones.finance as string).map((m) => m.params[1])).toEqual([
      "国际套餐包余量低于15%",
    ]);
    await intl(18); // 1 left: not below 5 % (1)
    await intl(19); // 0 left
    await s.runChecker();
    await s.runChecker();
    expect(alertsTo(phones.finance as string).map((m) => m.params[1])).toEqual([
      "国际套餐包余量低于15%",
      "国际套餐包余量低于5%",
      "国际套餐包余量低于1%",
    ]);
  });

  it("alerts once when the domestic balance falls below its count, and again after a top-up", async () => {
    const app = await newApp(s);
    const phones = await withContacts(app, { finance: ["packageBalance"] });
    await s.api("PUT", `/v1/apps/${app.appId}/package`, {
      key: s.adminKey,
      body: { domestic: { segments: 3, alertBelow: 2 } },
    });
    await app.send(code(fresh()));
    await app.send(code(fresh()));
    await s.runChecker();
    await s.runChecker();
    expect(alertsTo(phones.finance as string)).toHaveLength(1);
    clock.advance(1000);
    await s.api("PUT", `/v1/apps/${app.appId}/package`, {
      key: s.adminKey,
      body: { domestic: { segments: 1, alertBelow: 2 } },
    });
    await s.runChecker();
    expect(alertsTo(phones.finance as string)).toHaveLength(2);
  });
});

describe("verification-code fraud rule", () => {
  const hour = async (
    app: TestApp,
    counters: { sent: number; delivered: number; yesterday: number },
  ) => {
    await s.deps.store.adjustUsage(
      app.appId,
      "2026-11-22",
      { "h:10:verification": counters.sent, "h:10:verificationDelivered": counters.delivered },
      START,
    );
    await s.deps.store.adjustUsage(
      app.appId,
      "2026-11-21",
      { "h:10:verification": counters.yesterday },
      START,
    );
  };

  it("fires on volume 60, success 50 % and yesterday's same hour 20", async () => {
    const app = await newApp(s);
    const phones = await withContacts(app, { sec: ["antiFraud"] });
    await hour(app, { sent: 60, delivered: 30, yesterday: 20 });
    await s.runChecker();
    await s.runChecker();
    expect(alertsTo(phones.sec as string)).toHaveLength(1);
    expect(alertsTo(phones.sec as string)[0]?.params[1]).toContain("成功率50%");
  });

  it.each([
    ["volume not above 50", { sent: 50, delivered: 25, yesterday: 10 }],
    ["success not below 80 %", { sent: 60, delivered: 48, yesterday: 20 }],
    ["growth not above 90 %", { sent: 60, delivered: 30, yesterday: 40 }],
  ])("does not fire with %s", async (_, counters) => {
    const app = await newApp(s);
    const phones = await withContacts(app, { sec: ["antiFraud"] });
    await hour(app, counters);
    await s.runChecker();
    expect(alertsTo(phones.sec as string)).toEqual([]);
  });
});

describe("frequency-limit refusals", () => {
  it("alerts when refusals in the hour pass the configured count", async () => {
    const app = await newApp(s, { alertRules: { frequencyRefusalsAbove: 2 } });
    const phones = await withContacts(app, { ops: ["frequencyLimit"] });
    const to = fresh();
    for (let i = 0; i < 3; i++) await app.send(code(to)); // 2 refusals (same content in 30 s)
    await s.runChecker();
    expect(alertsTo(phones.ops as string)).toEqual([]);
    await app.send(code(to));
    await s.runChecker();
    expect(alertsTo(phones.ops as string)).toHaveLength(1);
  });
});

describe("bounded work", () => {
  it("reads the enabled-app index and counter items only, in batches: far less than a request per app", async () => {
    for (let i = 0; i < 5; i++) await newApp(s);
    await s.runChecker();
    s.meter.reset();
    const summary = (await s.runChecker()) as { apps: number };
    const m = s.meter.read("threshold-check");
    expect(m.byCommand.ScanCommand).toBeUndefined();
    expect(m.byCommand.GetItemCommand).toBeUndefined();
    // Apps whose alert condition still holds re-try their (already claimed) marker: one
    // conditional put each. Everything else is the index, batched counters and two queues.
    expect(m.requests).toBeLessThanOrEqual(
      3 + Math.ceil((summary.apps * 3) / 100) + (m.byCommand.PutItemCommand ?? 0),
    );
    expect(m.requests / summary.apps).toBeLessThan(1);
  });
});
