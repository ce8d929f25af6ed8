/**
 * The threshold checker through the local stack, with an injected clock: alert SMS reach
 * the subscribed contacts once per event, threshold and period.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { ALERT_TEMPLATE_IDS } from "../../local/seed";
import {
  newApp,
  startTestStack,
  TEST_STORES,
  type TestApp,
  type TestStack,
} from "../helpers/stack";

const START = "2026-11-22T02:00:00Z"; // 10:00 in Shanghai
const clock = fixedClock(START);
let s: TestStack;
let n = 0;
const fresh = (): string => {
  const c = `+86134${String(++n).padStart(8, "0")}`;
  return c.endsWith("4") ? fresh() : c;
};
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
      // Short code and numbers, each within Tencent's 6-character variable limit.
      expect(alertsTo(phones.ops as string)[0]?.params.slice(1)).toEqual(["国内超量", "4", "3"]);
      expect(alertsTo(phones.ops as string)[0]?.code).toBe("Ok");
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
        app.send({
          to: [`+1202555${String(1000 + i)}`],
          template: "intl-code",
          params: ["1", "5"],
        });
      for (let i = 0; i < 17; i++) await intl(i);
      await s.runChecker(); // 3 left: not below 15 % (3)
      expect(alertsTo(phones.finance as string)).toEqual([]);
      await intl(17); // 2 left
      await s.runChecker();
      await s.runChecker();
      expect(alertsTo(phones.finance as string).map((m) => m.params.slice(1))).toEqual([
        ["国际余量低", "2", "3"],
      ]);
      await intl(18); // 1 left: not below 5 % (1)
      await intl(19); // 0 left
      await s.runChecker();
      await s.runChecker();
      expect(alertsTo(phones.finance as string).map((m) => m.params.slice(1))).toEqual([
        ["国际余量低", "2", "3"],
        ["国际余量低", "0", "1"],
        ["国际余量低", "0", "1"],
      ]);
      const history = await s.api("GET", `/v1/apps/${app.appId}/alerts`, { key: app.apiKey });
      expect(history.body.alerts.map((a: { subject: string }) => a.subject).sort()).toEqual([
        "国际套餐包余量0条，低于1%（1条）",
        "国际套餐包余量0条，低于5%（1条）",
        "国际套餐包余量2条，低于15%（3条）",
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
      await s.deps.store.addStats(
        app.appId,
        "2026-11-22",
        { "h:10:verification": counters.sent, "h:10:verificationDelivered": counters.delivered },
        START,
      );
      await s.deps.store.addStats(
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
      expect(alertsTo(phones.sec as string)[0]?.params.slice(1)).toEqual([
        "验证码盗刷",
        "60",
        "50",
      ]);
      const history = await s.api("GET", `/v1/apps/${app.appId}/alerts`, { key: app.apiKey });
      expect(history.body.alerts[0].subject).toContain("成功率50%");
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
    it("reads the enabled-app index and counter items only, in batches: a fixed 12 queries and one batch per 25 apps", async () => {
      for (let i = 0; i < 5; i++) await newApp(s);
      await s.runChecker();
      s.meter.reset();
      const summary = (await s.runChecker()) as { apps: number };
      const m = s.meter.read("threshold-check");
      expect(m.byCommand.ScanCommand).toBeUndefined();
      expect(m.byCommand.GetItemCommand).toBeUndefined();
      // Apps whose alert condition still holds re-try their (already delivered) marker: one
      // conditional update each. Everything else is a fixed 12 queries — the enabled-app index,
      // the webhook outbox's 8 due shards, replies queued before the outbox, orphan reports and
      // unknown sends whose report window closed — and the counters batched: 4 keys per app
      // (today's limits, this hour's statistics today and yesterday, the balance), 100 a call.
      expect(m.byCommand.PutItemCommand).toBeUndefined();
      expect(m.byCommand.QueryCommand).toBe(12);
      expect(m.byCommand.BatchGetItemCommand).toBe(Math.ceil((summary.apps * 4) / 100));
      expect(m.requests).toBeLessThanOrEqual(
        12 + Math.ceil((summary.apps * 4) / 100) + (m.byCommand.UpdateItemCommand ?? 0),
      );
    });
  });

  describe("alerts that arrive", () => {
    const historyOf = async (app: TestApp) =>
      (await s.api("GET", `/v1/apps/${app.appId}/alerts`, { key: app.apiKey })).body.alerts;

    it("fit the variable limits of both vendors: a long name and a huge count still arrive on Huawei and Tencent", async () => {
      const name = "Shop.example 国际商城 with a very long name";
      for (const provider of ["tencent", "huawei"] as const) {
        const app = await newApp(s, { name, thresholds: { domestic: { alert: 1 } } }, [provider]);
        const phones = await withContacts(app, { ops: ["overVolume"] });
        await s.deps.store.adjustUsage(
          app.appId,
          "2026-11-22",
          { "lim:domestic": 123_456_789 },
          START,
        );
        await s.runChecker();
        const got =
          provider === "tencent"
            ? alertsTo(phones.ops as string)
            : s.huawei
                .messages()
                .filter(
                  (m) => m.templateId === ALERT_TEMPLATE_IDS.huawei && m.phone === phones.ops,
                );
        expect(got).toHaveLength(1);
        expect(got[0]?.params).toEqual(["Shopex", "国内超量", "1亿", "1"]);
        expect(got[0]?.params.every((p) => Array.from(p).length <= 6)).toBe(true);
        expect(got[0]?.code).toBe(provider === "tencent" ? "Ok" : "000000");
      }
    });

    it("make one vendor call per region, so mainland and foreign contacts both get theirs", async () => {
      const app = await newApp(s, { thresholds: { domestic: { alert: 1 } } });
      const abroad = "+12025550199";
      const mainland = fresh();
      for (const [id, phone] of [
        ["cn", mainland],
        ["us", abroad],
      ] as const) {
        const r = await s.api("PUT", `/v1/apps/${app.appId}/contacts/${id}`, {
          key: app.apiKey,
          body: { name: id, phone, events: ["overVolume"] },
        });
        expect(r.status).toBe(200);
      }
      await app.send(code(fresh()));
      await app.send(code(fresh()));
      await s.runChecker();
      expect(alertsTo(mainland).map((m) => m.code)).toEqual(["Ok"]);
      const foreign = s.tencent
        .messages()
        .filter(
          (m) => m.templateId === ALERT_TEMPLATE_IDS.tencentInternational && m.phone === abroad,
        );
      expect(foreign.map((m) => m.code)).toEqual(["Ok"]);
      const [alert] = await historyOf(app);
      expect(alert.state).toBe("done");
      expect(alert.sent.map((d: { status: string }) => d.status)).toEqual([
        "submitted",
        "submitted",
      ]);
    });

    it("are retried while the period lasts when the vendor fails, and delivered once", async () => {
      const app = await newApp(s, { thresholds: { domestic: { alert: 1 } } });
      const phones = await withContacts(app, { ops: ["overVolume"] });
      await app.send(code(fresh()));
      await app.send(code(fresh()));
      s.tencent.setFault("http500");
      await s.runChecker();
      expect(alertsTo(phones.ops as string)).toEqual([]);
      let [alert] = await historyOf(app);
      expect(alert.state).toBe("pending");
      expect(alert.sent).toEqual([expect.objectContaining({ channel: "sms", status: "failed" })]);
      s.tencent.setFault("none");
      clock.advance(300_000); // the next run
      await s.runChecker();
      clock.advance(300_000);
      await s.runChecker();
      expect(alertsTo(phones.ops as string).map((m) => m.code)).toEqual(["Ok"]);
      [alert] = await historyOf(app);
      expect(alert).toMatchObject({ state: "done", attempts: 2 });
      expect(alert.sent).toEqual([
        expect.objectContaining({ channel: "sms", status: "submitted", attempts: 2 }),
      ]);
    });

    it("are not sent again when the vendor's answer was lost (it may have been delivered)", async () => {
      const app = await newApp(s, { thresholds: { domestic: { alert: 1 } } });
      const phones = await withContacts(app, { ops: ["overVolume"] });
      await app.send(code(fresh()));
      await app.send(code(fresh()));
      s.tencent.setFault("timeout");
      await s.runChecker();
      s.tencent.setFault("none");
      clock.advance(300_000);
      await s.runChecker();
      // The vendor received it once and never answered: not sent a second time.
      expect(alertsTo(phones.ops as string)).toHaveLength(1);
      const [alert] = await historyOf(app);
      expect(alert).toMatchObject({ state: "done", attempts: 1 });
      expect(alert.sent).toEqual([expect.objectContaining({ status: "unknown" })]);
    });

    it("go by e-mail through SES too, and a refused e-mail is retried without texting again", async () => {
      const app = await newApp(s, { name: "mailshop", thresholds: { domestic: { limit: 1 } } });
      const phone = fresh();
      const put = await s.api("PUT", `/v1/apps/${app.appId}/contacts/ops`, {
        key: app.apiKey,
        body: { name: "Ops", phone, email: "ops@example.com", events: ["limitReached"] },
      });
      expect(put.status).toBe(200);
      await app.send(code(fresh()));
      s.ses.fault("reject");
      await s.runChecker();
      expect(s.ses.emails()).toEqual([]);
      s.ses.fault("none");
      clock.advance(300_000);
      await s.runChecker();
      clock.advance(300_000);
      await s.runChecker();
      expect(alertsTo(phone)).toHaveLength(1);
      const mails = s.ses.emails().filter((m) => m.to.includes("ops@example.com"));
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({ from: "alerts@smsgate.local" });
      expect(mails[0]?.subject).toContain("mailshop");
      expect(mails[0]?.text).toContain("国内日发送量1，达到上限1，今日暂停发送");
      // The control API serves the same mails.
      const control = (await (await fetch(`${s.ses.url}/_control/emails`)).json()) as {
        emails: { messageId: string }[];
      };
      expect(control.emails.map((m) => m.messageId)).toContain(mails[0]?.messageId);
      const [alert] = await historyOf(app);
      expect(alert.state).toBe("done");
      expect(alert.sent).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ channel: "sms", status: "submitted", attempts: 1 }),
          expect.objectContaining({ channel: "email", status: "sent", attempts: 2 }),
        ]),
      );
    });

    it("isolate one app's fault: the others are alerted, housekeeping runs, and the run fails loudly", async () => {
      const broken = await newApp(s, { thresholds: { domestic: { alert: 1 } } });
      const healthy = await newApp(s, { thresholds: { domestic: { alert: 1 } } });
      const phones = await withContacts(healthy, { ops: ["overVolume"] });
      for (const a of [broken, healthy]) {
        await a.send(code(fresh()));
        await a.send(code(fresh()));
      }
      // A hand-edited item: the app lost its thresholds.
      await s.deps.store.updateApp(broken.appId, { updatedAt: START }, ["thresholds"]);
      const err = await s.runChecker().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ name: "CheckerFailure" });
      expect((err as Error).message).toContain(`app ${broken.appId}`);
      expect((err as { summary: { apps: number } }).summary.apps).toBeGreaterThan(1);
      expect(alertsTo(phones.ops as string)).toHaveLength(1);
    });
  });
});
