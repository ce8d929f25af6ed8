/**
 * A hot app's day counters split into shards (docs/performance.md "Hot apps"): each shard a
 * slice of every limit, the limit exact across them at 128 concurrent sends, on dynalite and
 * DynamoDB Local; the change takes effect on the next app-local day; operator-only.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { newApp, startTestStack, TEST_STORES, type TestStack } from "../helpers/stack";

// 10:00 in Shanghai on 2026-11-22; the next app-local day starts 16:00Z.
const START = "2026-11-22T02:00:00Z";
const NEXT_DAY = "2026-11-23T02:00:00Z";
const code = (to: string[], extra: object = {}) => ({
  to,
  template: "login-code",
  params: ["482913", "5"],
  ...extra,
});

describe.each(TEST_STORES)("sharded day counters on %s", (store) => {
  let s: TestStack;
  const clock = fixedClock(START);
  let n = 0;
  const fresh = (): string => {
    const candidate = `+86136${String(++n).padStart(8, "0")}`;
    return candidate.endsWith("4") ? fresh() : candidate;
  };

  beforeAll(async () => {
    s = await startTestStack({ store, clock, tencentTimeoutSeconds: 5 });
  }, 60_000);
  afterAll(() => s?.close());
  beforeEach(() => {
    clock.set(START);
    s.tencent.reset();
  });

  it("is the operator's setting, and takes effect on the next app-local day", async () => {
    const app = await newApp(s, { thresholds: { domestic: { limit: 50 } } });
    const own = await s.api("PATCH", `/v1/apps/${app.appId}`, {
      key: app.apiKey,
      body: { usageShards: 4 },
    });
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe("UnauthorizedOperation.OperatorOnlySetting");
    const bad = await s.api("PATCH", `/v1/apps/${app.appId}`, {
      key: s.adminKey,
      body: { usageShards: 17 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/usageShards/);

    await app.send(code([fresh()]));
    await app.operatorPatch({ usageShards: 4 });
    const got = await s.api("GET", `/v1/apps/${app.appId}`, { key: s.adminKey });
    expect(got.body.usageShards).toEqual({ count: 4, from: "2026-11-23", before: 1 });
    // Today stays on the one item its slices were drawn on.
    await app.send(code([fresh()]));
    const today = await s.deps.store.readUsage(app.appId, "2026-11-22", 4);
    expect(today?.["lim:domestic"]).toBe(2);
    expect((await s.deps.store.readUsage(app.appId, "2026-11-22", 1))?.["lim:domestic"]).toBe(2);
  });

  it.each([1, 2])(
    "submits exactly 50 of 128 concurrent sends against a limit of 50 over 4 shards (trial %i)",
    async () => {
      const app = await newApp(s, { thresholds: { domestic: { limit: 50 } } });
      await app.operatorPatch({ usageShards: 4 });
      clock.set(NEXT_DAY);
      const numbers = Array.from({ length: 128 }, () => fresh());
      const answers = await Promise.all(numbers.map((to) => app.send(code([to]))));
      expect(answers.map((a) => a.status)).toEqual(numbers.map(() => 200));
      const submitted = answers.filter((a) => a.body.messages[0].status === "submitted");
      expect(submitted).toHaveLength(50);
      expect(
        answers.filter(
          (a) => a.body.messages[0].code === "LimitExceeded.AppMainlandChinaDailyLimit",
        ),
      ).toHaveLength(78);
      expect(s.tencent.messages().filter((m) => numbers.includes(m.phone))).toHaveLength(50);

      // Every shard holds at most its slice (13, 13, 12, 12), and together exactly the limit.
      const day = "2026-11-23";
      const perShard = await Promise.all(
        [0, 1, 2, 3].map(async (shard) => {
          const item = await s.deps.store.readShard(app.appId, day, shard);
          return Number(item?.["lim:domestic"] ?? 0);
        }),
      );
      expect(perShard.reduce((a, b) => a + b, 0)).toBe(50);
      perShard.forEach((used, shard) => {
        expect(used, `shard ${shard}`).toBeLessThanOrEqual(shard < 2 ? 13 : 12);
      });
      expect((await s.deps.store.readUsage(app.appId, day, 4))?.["lim:domestic"]).toBe(50);

      // The statistics add up across shards too.
      const stats = await s.api("GET", `/v1/stats?from=${day}&to=${day}&groupBy=day`, {
        key: app.apiKey,
      });
      expect(stats.body.total.requests).toBe(128);
      expect(stats.body.total.submitted).toBe(50);
      expect(stats.body.total.rejected).toBe(78);

      // A dry run sees the total: the limit is reached.
      const dry = await app.send(code([fresh()], { dryRun: true }));
      expect(dry.body.messages[0].code).toBe("LimitExceeded.AppMainlandChinaDailyLimit");
    },
    120_000,
  );
});
