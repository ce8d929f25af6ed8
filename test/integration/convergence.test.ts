/**
 * Unknown outcomes converge (docs/architecture.md "Following the delivery report"): the fault
 * matrix — the send's answer lost (timeout, unreadable) × Tencent / Huawei × both binding forms
 * (naming the vendor account, or `{"provider":…}` alone) × the vendor still out during a
 * checker run (timeout, 5xx, unreadable) or back before it — through the real handlers, the
 * real SDK and the emulators. Every `unknown` must reach its real status within one checker
 * period after the vendor recovers, and be counted once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { newApp, routeTo, startTestStack, type TestApp, type TestStack } from "../helpers/stack";

const START = "2026-11-22T02:00:00Z";
const CHECKER_PERIOD_MS = 5 * 60_000; // serverless.yml: rate(5 minutes)
const clock = fixedClock(START);
let s: TestStack;
let n = 0;
/** Numbers the emulators deliver (not ending in 4). */
const fresh = (): string => {
  const c = `+86137${String(++n).padStart(8, "0")}`;
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
  s.huawei.reset();
});

type Provider = "tencent" | "huawei";
const emulator = (p: Provider) => (p === "tencent" ? s.tencent : s.huawei);

/** One app per binding form: the vendor account named, and the minimal documented form. */
async function appsFor(provider: Provider): Promise<TestApp[]> {
  const named = await newApp(s, {}, [provider]);
  const bare = await newApp(s, { providers: [{ provider }] }, [provider]);
  // Tencent: one status URL per SdkAppId, shared by both apps (the same vendor account).
  if (provider === "tencent") await routeTo(s, named, "tencent");
  return [named, bare];
}

const statusOf = async (app: TestApp, id: string) =>
  (await s.api("GET", `/v1/messages/${id}`, { key: app.apiKey })).body;

const faults = ["timeout", "badjson"] as const;
const outages = ["none", "timeout", "http500", "badjson"] as const;

describe.each(["tencent", "huawei"] as const)("%s", (provider) => {
  it.each(faults.flatMap((fault) => outages.map((outage) => [fault, outage] as const)))(
    "answer lost by %s, vendor out (%s) during a checker run: every unknown converges",
    async (fault, outage) => {
      const apps = await appsFor(provider);
      emulator(provider).setFault(fault);
      const sent = await Promise.all(
        apps.map(async (app) => {
          const res = await app.send(code(fresh()));
          return {
            app,
            id: res.body.messages[0].id as string,
            status: res.body.messages[0].status,
          };
        }),
      );
      expect(sent.map((x) => x.status)).toEqual(["unknown", "unknown"]);
      // A timeout hides the answer of a send the vendor made; the emulators' unreadable
      // answer comes from a front that never passed the send on (docs/api.md "The emulators").
      const received = fault === "timeout";
      expect(emulator(provider).messages()).toHaveLength(received ? 2 : 0);
      emulator(provider).setFault(outage);
      if (outage !== "none") await s.runChecker(); // the pull (Tencent) fails or is lost
      emulator(provider).setFault("none");
      // Sent: delivered within one checker period. Never sent: expired when the window closes.
      clock.advance(received ? CHECKER_PERIOD_MS : 72 * 3600_000 + CHECKER_PERIOD_MS);
      await s.runChecker();
      const final = received ? "delivered" : "expired";
      for (const { app, id } of sent)
        expect(await statusOf(app, id)).toMatchObject({ id, status: final });
      // Counted once: a second run changes nothing.
      const stats = async (app: TestApp) =>
        (await s.api("GET", "/v1/stats?from=2026-11-22&to=2026-11-22", { key: app.apiKey })).body
          .total.delivered;
      const before = await Promise.all(apps.map(stats));
      expect(before).toEqual(received ? [1, 1] : [0, 0]);
      clock.advance(CHECKER_PERIOD_MS);
      await s.runChecker();
      expect(await Promise.all(apps.map(stats))).toEqual(before);
    },
    30_000,
  );
});

describe("the pushed report alone", () => {
  it("Tencent with `ext` enabled: the push reconciles on the next run, no pull needed", async () => {
    const [app] = await appsFor("tencent");
    s.tencent.addApp({
      sdkAppId: "1400000001",
      statusCallbackUrl: (await s.api("GET", `/v1/apps/${app?.appId}`, { key: app?.apiKey })).body
        .callbackUrls.tencent.status,
      statusExt: true,
    });
    s.tencent.setFault("timeout");
    const res = await (app as TestApp).send(code(fresh()));
    // Every pull from now on is lost: only the push can reconcile.
    const summary = (await s.runChecker()) as { orphans: { reconciled: number } };
    s.tencent.setFault("none");
    expect(res.body.messages[0].status).toBe("unknown");
    expect(summary.orphans.reconciled).toBe(1);
    expect(await statusOf(app as TestApp, res.body.messages[0].id)).toMatchObject({
      status: "delivered",
    });
  }, 30_000);

  it("an unknown never reported ends expired after 72 h and stops waiting", async () => {
    const [app] = await appsFor("huawei");
    s.huawei.setFault("timeout");
    const res = await (app as TestApp).send(code("+8613700000444")); // never reported
    s.huawei.setFault("none");
    const id = res.body.messages[0].id;
    expect(res.body.messages[0].status).toBe("unknown");
    clock.advance(72 * 3600_000 - 60_000);
    await s.runChecker();
    expect((await statusOf(app as TestApp, id)).status).toBe("unknown");
    clock.advance(2 * 60_000);
    expect(((await s.runChecker()) as { expired: number }).expired).toBeGreaterThanOrEqual(1);
    expect((await statusOf(app as TestApp, id)).status).toBe("expired");
    expect(((await s.runChecker()) as { expired: number }).expired).toBe(0);
  }, 30_000);
});
