/**
 * One reservation per number (docs/architecture.md "Following one send"): a number that any
 * rule or the vendor refuses holds nothing afterwards — no frequency slot, no daily-limit count,
 * no package segments — whatever order the parallel updates finished in; and a function that
 * dies right after the vendor call leaves a record and an Idempotency-Key a retry can use.
 * On dynalite, and on DynamoDB Local when Java is on the machine.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import type { Provider } from "../../lib/providers/port";
import { sendMessages } from "../../lib/send/pipeline";
import {
  newApp,
  startTestStack,
  TEST_STORES,
  type TestApp,
  type TestStack,
  waitFor,
} from "../helpers/stack";

const START = "2026-11-22T02:00:00Z"; // 10:00 in Shanghai
const DAY = "2026-11-22";
const code = (to: string[], otp = "482913") => ({
  to,
  template: "login-code",
  params: [otp, "5"],
});

describe.each(TEST_STORES)("holds on %s", (store) => {
  let s: TestStack;
  const clock = fixedClock(START);
  let n = 0;
  /** A mainland number no other test uses; `refused` ends in 44 (the emulator refuses it). */
  const fresh = (refused = false): string => {
    return `+86138${String(++n).padStart(5, "0")}0${refused ? "44" : "11"}`;
  };

  beforeAll(async () => {
    // The deployed 5 s vendor timeout, as in send-policy: under 128 racing sends on DynamoDB
    // Local a 2-core machine can answer the emulator's calls after 2 s, and those numbers are
    // rightly `unknown` — not what these holds tests examine.
    s = await startTestStack({ store, clock, tencentTimeoutSeconds: 5 });
  }, 60_000);
  afterAll(() => s?.close());
  beforeEach(() => {
    clock.set(START);
    s.tencent.reset();
  });

  const balance = async (app: TestApp) =>
    (await s.api("GET", `/v1/apps/${app.appId}/package`, { key: app.apiKey })).body.remaining
      .domestic;
  const topUp = (app: TestApp, segments: number) =>
    s.api("PUT", `/v1/apps/${app.appId}/package`, {
      key: s.adminKey,
      body: { domestic: { segments } },
    });
  const dayCounts = async (app: TestApp, numbers: string[]) => {
    const items = await s.deps.store.readFrequency(app.appId, numbers);
    return numbers.map((p) => Number(items.get(p)?.[`d_${DAY}`] ?? 0));
  };
  const domesticUsed = async (app: TestApp) =>
    Number((await s.deps.store.readUsage(app.appId, DAY))?.["lim:domestic"] ?? 0);

  it("charges a double-clicked code once: the second, refused by frequency, takes no balance", async () => {
    const app = await newApp(s);
    await topUp(app, 10);
    const to = fresh();
    const [a, b] = await Promise.all([app.send(code([to])), app.send(code([to]))]);
    expect([a.body.messages[0].status, b.body.messages[0].status].sort()).toEqual([
      "rejected",
      "submitted",
    ]);
    expect(await balance(app)).toBe(9);
    expect(await dayCounts(app, [to])).toEqual([1]);
    expect(await domesticUsed(app)).toBe(1);
  });

  it("lets a number the daily limit refused be sent once there is room: it held no frequency slot", async () => {
    const app = await newApp(s, {
      thresholds: { domestic: { limit: 1 } },
      frequency: { oneDay: 1 },
    });
    const [first, second] = [fresh(), fresh()];
    expect((await app.send(code([first]))).body.messages[0].status).toBe("submitted");
    expect((await app.send(code([second]))).body.messages[0].code).toBe(
      "LimitExceeded.AppMainlandChinaDailyLimit",
    );
    expect(await dayCounts(app, [second])).toEqual([0]);
    await app.operatorPatch({ ceilings: { domestic: 2 }, thresholds: { domestic: { limit: 2 } } });
    expect((await app.send(code([second]))).body.messages[0].status).toBe("submitted");
  });

  /**
   * Every pair of refusing rules at 128 concurrent sends. Afterwards every counter says exactly
   * what was sent: the balance dropped by the segments submitted, the daily count is what was
   * handed to the vendor, each number's day count is what it was sent.
   */
  const pairs: {
    name: string;
    settings: object;
    pkg?: number;
    /** The 128 sends: numbers (with repeats for frequency) and whether the vendor refuses. */
    numbers: () => string[];
  }[] = [
    {
      name: "frequency and the daily limit",
      settings: { thresholds: { domestic: { limit: 40 } } },
      numbers: () => Array.from({ length: 64 }, () => fresh()).flatMap((p) => [p, p]),
    },
    {
      name: "frequency and the balance",
      settings: {},
      pkg: 40,
      numbers: () => Array.from({ length: 64 }, () => fresh()).flatMap((p) => [p, p]),
    },
    {
      name: "the daily limit and the balance",
      settings: { thresholds: { domestic: { limit: 60 } } },
      pkg: 40,
      numbers: () => Array.from({ length: 128 }, () => fresh()),
    },
    {
      name: "the vendor, frequency, the daily limit and the balance",
      settings: { thresholds: { domestic: { limit: 50 } } },
      pkg: 45,
      numbers: () =>
        Array.from({ length: 64 }, (_, i) => fresh(i % 4 === 0)).flatMap((p) => [p, p]),
    },
  ];

  it.each(pairs)(
    "keeps balance, counters and windows exact when $name refuse at 128 concurrent sends",
    async ({ settings, pkg, numbers }) => {
      const app = await newApp(s, settings);
      if (pkg !== undefined) await topUp(app, pkg);
      const to = numbers();
      const answers = await Promise.all(to.map((p) => app.send(code([p]))));
      const results = answers.map((a) => a.body.messages[0]);
      const submitted = results.filter((m) => m.status === "submitted");
      const failed = results.filter((m) => m.status === "failed");
      const rejected = results.filter((m) => m.status === "rejected");
      expect(submitted.length + failed.length + rejected.length).toBe(128);
      expect(rejected.length).toBeGreaterThan(0);
      // Exactly what the vendor received, nothing else.
      const received = s.tencent.messages().filter((m) => to.includes(m.phone));
      expect(received).toHaveLength(submitted.length + failed.length);
      if (pkg !== undefined) {
        expect(submitted.length).toBeLessThanOrEqual(pkg);
        expect(await balance(app)).toBe(pkg - submitted.length);
      }
      // Limits count every number handed to the vendor (submitted or refused by it).
      expect(await domesticUsed(app)).toBe(submitted.length + failed.length);
      const distinct = [...new Set(to)];
      const sentTo = (p: string) => submitted.filter((m) => m.to === p).length;
      expect(await dayCounts(app, distinct)).toEqual(distinct.map(sentTo));
      for (const p of distinct) expect(sentTo(p)).toBeLessThanOrEqual(1);
    },
    120_000,
  );

  it("leaves a record and an answer when the function dies right after the vendor call", async () => {
    const app = await newApp(s);
    const to = fresh();
    const real = s.deps.providers.get("tencent") as Provider;
    // The vendor call completes, then the function "dies": nothing after it ever runs.
    const dying: Provider = {
      ...real,
      send: async (batch) => {
        await real.send(batch);
        return new Promise(() => {});
      },
    };
    const crashing = {
      ...s.deps,
      providers: {
        ...s.deps.providers,
        get: (name: string) => (name === "tencent" ? dying : undefined),
      },
    };
    void sendMessages(crashing, {
      key: app.apiKey,
      body: { ...code([to]), params: ["482913", "5"], dryRun: false },
      requestId: "01CRASHED0000000000000000",
      idempotencyKey: "crash-1",
      origin: s.apiUrl,
    });
    await waitFor(async () => s.tencent.messages().some((m) => m.phone === to), 5000, "vendor");
    // A record exists for what the vendor may have sent.
    const listed = await waitFor(async () => {
      const r = await s.api(
        "GET",
        `/v1/messages?phone=${encodeURIComponent(to)}&from=2026-11-22T00:00:00Z`,
        {
          key: app.apiKey,
        },
      );
      return r.body.messages?.length ? r.body.messages : undefined;
    }, 15_000);
    expect(listed[0]).toMatchObject({ status: "unknown", code: "InternalError.SendInterrupted" });
    // While the holder may still be alive: 409. Once its lease is over: the provisional answer.
    const retry = () => app.send(code([to]), { "idempotency-key": "crash-1" });
    expect((await retry()).status).toBe(409);
    clock.advance(16_000);
    const answered = await retry();
    expect(answered.status).toBe(200);
    expect(answered.body.messages).toEqual([
      expect.objectContaining({ to, status: "unknown", id: listed[0].id }),
    ]);
    expect(s.tencent.messages().filter((m) => m.phone === to)).toHaveLength(1);
  }, 30_000);

  it("lets a retry take over a key whose holder died before the vendor call", async () => {
    const app = await newApp(s);
    const to = fresh();
    // A holder that claimed the key and died at once (nothing written but the claim).
    await s.deps.store.claimIdempotency(
      app.appId,
      "crash-2",
      "another body, same key",
      new Date(clock.now()).toISOString(),
      clock.now() + 15_000,
    );
    const retry = () => app.send(code([to]), { "idempotency-key": "crash-2" });
    expect((await retry()).status).toBe(422);
    await s.deps.store.releaseIdempotency(app.appId, "crash-2");
    const { sha256Hex } = await import("../../lib/core/ids");
    await s.deps.store.claimIdempotency(
      app.appId,
      "crash-2",
      sha256Hex(JSON.stringify({ ...code([to]), params: ["482913", "5"], dryRun: false })),
      new Date(clock.now()).toISOString(),
      clock.now() + 15_000,
    );
    expect((await retry()).status).toBe(409);
    clock.advance(16_000);
    const taken = await retry();
    expect(taken.status).toBe(200);
    expect(taken.body.messages[0].status).toBe("submitted");
    expect((await retry()).body).toEqual(taken.body);
    expect(s.tencent.messages().filter((m) => m.phone === to)).toHaveLength(1);
  }, 30_000);
});
