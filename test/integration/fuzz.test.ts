/**
 * Property-based: ≥ 10,000 generated requests across every operation of /openapi.json against
 * the local stack (real handlers, dynalite), seeded so a failure replays. Whatever the path,
 * query, headers and body — valid, malformed, hostile — the answer is never a 5xx, every 4xx
 * carries the error envelope (or, on vendor callbacks, the vendor's own refusal), and a
 * refused request writes nothing.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackUrls } from "../../lib/core/secrets";
import { newApp, startTestStack, type TestApp, type TestStack } from "../helpers/stack";

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

let s: TestStack;
let a: TestApp;
let b: TestApp;
let readKey: string;
let tokenA: string;
interface Op {
  method: string;
  path: string;
  query: string[];
  body: boolean;
}
const ops: Op[] = [];

beforeAll(async () => {
  // Reports are never pushed during the run, so every write the meter sees is the request's.
  s = await startTestStack({ reportDelayMs: 3_600_000 });
  a = await newApp(s);
  b = await newApp(s);
  readKey = (
    await s.api("POST", `/v1/apps/${a.appId}/keys`, { key: a.apiKey, body: { scopes: ["read"] } })
  ).body.key;
  tokenA = callbackUrls(s.deps.config, s.apiUrl, a.appId).tencent.status.split("/").pop() ?? "";
  const doc = (await s.api("GET", "/openapi.json", { key: null })).body;
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>))
    for (const [method, op] of Object.entries(methods))
      ops.push({
        method: method.toUpperCase(),
        path,
        query: (op.parameters ?? [])
          .filter((p: { in: string }) => p.in === "query")
          .map((p: { name: string }) => p.name),
        body: Boolean(op.requestBody),
      });
}, 60_000);
afterAll(() => s?.close());

const hostile = fc.constantFrom(
  "__proto__",
  "constructor",
  "toString",
  "%E0%A4%A",
  "%",
  "%00",
  "x".repeat(3000),
  "..%2F..%2Fetc",
  "+86 013911110077",
  "+8612345678901",
  "01ZZZZZZZZZZZZZZZZZZZZZZZZ",
  "",
  "tencent",
  "huawei",
);
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  hostile,
);
const pathValue = (name: string) =>
  fc.oneof(
    text,
    ...(name === "appId" ? [fc.constant("A"), fc.constant("B")] : []),
    ...(name === "token" ? [fc.constant("TOKEN")] : []),
    ...(name === "provider" ? [fc.constantFrom("tencent", "huawei")] : []),
    ...(name === "phone" ? [fc.constantFrom("+8613800138000", "13800138001")] : []),
  );

// Bodies: near-valid ones (a real field set to something wrong) as well as noise.
const sendLike = fc.record(
  {
    to: fc.oneof(fc.array(fc.oneof(text, fc.constant("+8613800138000")), { maxLength: 5 }), text),
    template: fc.oneof(fc.constantFrom("login-code", "order-shipped", "intl-code"), text),
    params: fc.oneof(fc.array(text, { maxLength: 4 }), fc.jsonValue()),
    sign: text,
    context: text,
    dryRun: fc.oneof(fc.boolean(), text),
  },
  { requiredKeys: [] },
);
const settingsLike = fc.record(
  {
    name: text,
    thresholds: fc.oneof(fc.jsonValue(), fc.record({ domestic: fc.jsonValue() })),
    frequency: fc.jsonValue(),
    marketingWindow: fc.jsonValue(),
    replyWebhook: fc.oneof(
      fc.record({ url: fc.oneof(text, fc.webUrl()), secret: text }),
      fc.jsonValue(),
    ),
    providers: fc.jsonValue(),
    scopes: fc.array(fc.oneof(text, fc.constantFrom("send", "read", "admin"))),
    phone: text,
    consent: fc.jsonValue(),
    kind: text,
    body: text,
    events: fc.jsonValue(),
    // The prepaid package and its top-ups (PUT …/package, POST …/package/top-ups): near-valid
    // amounts, prices and modes next to noise.
    domestic: fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          segments: fc.oneof(fc.integer({ min: -5, max: 200_000_000 }), fc.double(), text),
          alertBelow: fc.oneof(fc.nat(), fc.double()),
          onExhausted: fc.oneof(fc.constantFrom("stop", "continue"), text),
        },
        { requiredKeys: [] },
      ),
    ),
    international: fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          amount: fc.oneof(
            fc.double(),
            fc.constantFrom(0, 0.05, 0.00001, 1e308, -1, 100_000_000.0001),
            text,
          ),
          alertPercents: fc.oneof(fc.array(fc.double(), { maxLength: 7 }), fc.jsonValue()),
          prices: fc.oneof(
            fc.dictionary(
              fc.oneof(fc.constantFrom("US", "GB", "__proto__", "us"), text),
              fc.oneof(fc.double(), fc.constantFrom(0.05, 0, 0.123456), text),
              { maxKeys: 4 },
            ),
            fc.jsonValue(),
          ),
          defaultPrice: fc.oneof(fc.double(), fc.constantFrom(0.06, 0)),
          onExhausted: fc.oneof(fc.constantFrom("stop", "continue"), text),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);
const tencentReport = fc.record(
  {
    user_receive_time: fc.oneof(text, fc.constant("2026-11-22 10:00:01")),
    nationcode: fc.oneof(text, fc.constant("86")),
    mobile: fc.oneof(text, fc.constant("13800138000"), fc.constant("9".repeat(5000))),
    report_status: fc.oneof(text, fc.constantFrom("SUCCESS", "FAIL")),
    errmsg: text,
    description: text,
    sid: text,
    text,
    sign: text,
    time: fc.oneof(fc.double(), fc.constant(1e308), fc.integer()),
    extend: text,
  },
  { requiredKeys: [] },
);
/** Mostly the real value, sometimes a hostile one: near-valid payloads reach the deep code. */
const mostly = <T>(valid: T, other: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: other });
const anyValue = fc.oneof(text, fc.double(), fc.constant(1e308), fc.constant(null), fc.jsonValue());
const tencentReply = fc.record({
  extend: mostly("", anyValue),
  mobile: mostly("13800138000", fc.oneof(anyValue, fc.constant("9".repeat(5000)))),
  nationcode: mostly("86", anyValue),
  sign: mostly("smsgate", anyValue),
  text: mostly("TD", fc.oneof(anyValue, fc.constant("退".repeat(5000)))),
  time: mostly(1764590400, fc.oneof(anyValue, fc.constant(1e308), fc.constant(-1))),
});
const tencentStatus = fc.array(
  fc.record({
    user_receive_time: mostly("2026-11-22 10:00:01", anyValue),
    nationcode: mostly("86", anyValue),
    mobile: mostly("13800138000", anyValue),
    report_status: mostly("SUCCESS", anyValue),
    errmsg: mostly("DELIVRD", fc.oneof(anyValue, fc.constant("E".repeat(3000)))),
    description: mostly("ok", anyValue),
    sid: mostly("2028:0000000001", anyValue),
    ext: mostly("", anyValue),
  }),
  { maxLength: 3 },
);
const huaweiForm = fc
  .record({
    smsMsgId: mostly("a1b2c3d4-0000_0", text),
    status: mostly("DELIVRD", text),
    to: mostly("+8613800138000", text),
    from: mostly("+8613800138000", text),
    body: mostly("TD", text),
    orgCode: mostly("00000", text),
    extend: mostly("01JD0000000000000000000000", text),
    updateTime: mostly("2026-11-22T02:00:01Z", text),
    createTime: mostly("2026-11-22T02:00:01Z", text),
  })
  .map((d) => new URLSearchParams(d as Record<string, string>).toString());

const form = fc
  .dictionary(
    fc.constantFrom("smsMsgId", "status", "to", "from", "body", "orgCode", "extend", "x"),
    text,
  )
  .map((d) => new URLSearchParams(d).toString());
const body = fc.oneof(
  fc.constant(undefined),
  fc.constant("not json"),
  fc.constant("{"),
  fc.json(),
  sendLike.map((v) => JSON.stringify(v)),
  settingsLike.map((v) => JSON.stringify(v)),
  fc.array(tencentReport, { maxLength: 3 }).map((v) => JSON.stringify(v)),
  tencentReport.map((v) => JSON.stringify(v)),
  form,
  tencentReply.map((v) => JSON.stringify(v)),
  tencentStatus.map((v) => JSON.stringify(v)),
  huaweiForm,
);
const auth = fc.constantFrom("none", "garbage", "admin", "read", "operator", "other");
const headerValue = fc.oneof(text, fc.constant("k-1"));

const request = fc.record({
  op: fc.nat(),
  params: fc.dictionary(fc.constantFrom("appId", "id", "phone", "name", "provider", "token"), text),
  pick: fc.dictionary(
    fc.constantFrom("appId", "id", "phone", "name", "provider", "token"),
    fc.nat(),
  ),
  query: fc.dictionary(
    fc.oneof(
      fc.constantFrom("phone", "from", "to", "limit", "cursor", "appId", "groupBy", "sign"),
      text,
    ),
    text,
    { maxKeys: 4 },
  ),
  auth,
  idem: fc.option(headerValue),
  contentType: fc.constantFrom(
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "",
  ),
  body,
  unknownRoute: fc.boolean(),
});

/** Vendor pushes with a valid token: the payload is what is fuzzed. */
const vendorPush = fc.record({
  op: fc.constant(-1),
  params: fc.record({
    provider: fc.constantFrom("tencent", "huawei"),
    token: fc.constant("TOKEN"),
    kind: fc.constantFrom("status", "reply"),
  }),
  pick: fc.constant({}),
  query: fc.constant({}),
  auth: fc.constant("none"),
  idem: fc.constant(null),
  contentType: fc.constantFrom("application/json", "application/x-www-form-urlencoded"),
  body,
  unknownRoute: fc.constant(false),
});
const anyRequest = fc.oneof(
  { weight: 3, arbitrary: request },
  { weight: 1, arbitrary: vendorPush },
);

type Req = typeof anyRequest extends fc.Arbitrary<infer T> ? T : never;

function keyFor(auth: string): string | undefined {
  return {
    none: undefined,
    garbage: "sgk_garbage",
    admin: a.apiKey,
    read: readKey,
    operator: s.adminKey,
    other: b.apiKey,
  }[auth];
}

/** One generated request, sent; what a failure needs to replay it. */
async function exercise(r: Req, label: string) {
  const push = r.op === -1 ? (r.params as { kind?: string }).kind : undefined;
  const op = push
    ? { method: "POST", path: `/callbacks/{provider}/${push}/{token}`, query: [], body: true }
    : (ops[r.op % ops.length] as Op);
  let path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const generated = fc.sample(pathValue(name), {
      seed: ((r.pick as Record<string, number>)[name] ?? 0) + 1,
      numRuns: 1,
    })[0];
    const v = (r.params as Record<string, string>)[name] ?? generated ?? "";
    const value = v === "A" ? a.appId : v === "B" ? b.appId : v === "TOKEN" ? tokenA : v;
    // Hostile escapes go through raw; everything else is encoded as a client would.
    return /^%|%2F/.test(value) ? value : encodeURIComponent(value);
  });
  if (r.unknownRoute)
    path = `${path}/${encodeURIComponent((r.params as { id?: string }).id ?? "x")}/nope`;
  const qs = new URLSearchParams(r.query).toString();
  const headers: Record<string, string> = { "x-meter-label": label };
  const key = keyFor(r.auth);
  if (key) headers.authorization = `Bearer ${key}`;
  if (r.contentType) headers["content-type"] = r.contentType;
  // fetch sends header values as Latin-1 only.
  if (r.idem !== null)
    headers["idempotency-key"] = r.idem.replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
  const res = await fetch(`${s.apiUrl}${path}${qs ? `?${qs}` : ""}`, {
    method: op.method,
    headers,
    body: op.method === "GET" ? undefined : r.body,
  });
  const text = await res.text();
  const what = `${op.method} ${path} → ${res.status} ${text.slice(0, 300)}`;
  const problems: string[] = [];
  if (res.status >= 500) problems.push("5xx");
  if (res.status >= 400 && res.status < 500) {
    const vendorRefusal =
      path.startsWith("/callbacks/") && (text === "" || /"result":\s*[1-9]/.test(text));
    if (!vendorRefusal) {
      let envelope: { code?: unknown; message?: unknown; requestId?: unknown } | undefined;
      try {
        envelope = JSON.parse(text).error;
      } catch {}
      if (
        typeof envelope?.code !== "string" ||
        typeof envelope.message !== "string" ||
        envelope.message.length === 0 ||
        typeof envelope.requestId !== "string"
      )
        problems.push("no envelope");
    }
    const writes = s.meter.writes(label);
    // A refused send may claim its Idempotency-Key and release it again in the same request
    // (the claim rides with the authentication read, saving a round trip): two writes that
    // leave nothing behind, which is what is checked then.
    const idem = headers["idempotency-key"];
    const released =
      writes === 2 &&
      op.path === "/v1/messages" &&
      idem !== undefined &&
      (await s.deps.store.getIdempotency(key === b.apiKey ? b.appId : a.appId, idem)) === undefined;
    if (writes > 0 && !released) problems.push(`wrote ${writes} times`);
  }
  return problems.length ? `${problems.join(", ")}: ${what}` : undefined;
}

describe("every operation, fuzzed", () => {
  it(`${RUNS} generated requests: no 5xx, the envelope on every 4xx, no write by a refused request`, async () => {
    const samples = fc.sample(anyRequest, { seed: SEED, numRuns: RUNS });
    const failures: string[] = [];
    let next = 0;
    const started = Date.now();
    // Eight in flight: each request's DynamoDB calls are counted under its own label.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < samples.length && failures.length < 5) {
          const i = next++;
          const failure = await exercise(samples[i] as Req, `fuzz-${i}`);
          if (failure) failures.push(`#${i} (seed ${SEED}): ${failure}`);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`fuzz: ${next} requests in ${seconds.toFixed(1)} s, ${failures.length} failures`);
    expect(failures).toEqual([]);
    expect(next).toBeGreaterThanOrEqual(RUNS);
  }, 180_000);
});
