/**
 * `npm run bench` (second part): campaigns through the whole local stack — the upload
 * handler, the SQS emulator, the worker, the send pipeline, dynalite and the Tencent
 * emulator (and the Huawei emulator). A 100,000-row campaign with shared variables and a
 * 5,000-row one with a variable per row, on Tencent; the 5,000-row one again on Huawei
 * (batchSendDiffSms). BENCH_CAMPAIGNS=shared,perRow,huaweiPerRow picks cases. Bounded: each campaign runs for at most BENCH_CAMPAIGN_SECONDS (60)
 * of sending, then is cancelled and its rate measured on what it sent
 * (BENCH_CAMPAIGN_SECONDS=0 runs each to the end). Method and results: docs/performance.md.
 */
import { createDemoApp, seedDemos } from "../local/seed";
import { startStack } from "../local/stack";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const LIMIT_S = Number(process.env.BENCH_CAMPAIGN_SECONDS ?? 60);

const stack = await startStack({
  port: 0,
  dynamoPort: 0,
  tencentPort: 0,
  huaweiPort: 0,
  logLevel: "silent",
  // No delivery reports pushed during the bench: it measures sending.
  reportDelayMs: 3_600_000,
  campaignLanes: 4,
  campaignVisibilityTimeout: 120,
});
await seedDemos(
  stack.apiUrl,
  stack.adminKey,
  { tencent: stack.tencent, huawei: stack.huawei },
  stack.huaweiAppKey,
);
const settings = { thresholds: { domestic: { alert: 2_000_000, limit: 2_000_000 } } };
const keys = {
  tencent: (await createDemoApp(stack.apiUrl, stack.adminKey, ["tencent"], settings)).apiKey,
  huawei: (await createDemoApp(stack.apiUrl, stack.adminKey, ["huawei"], settings)).apiKey,
};
let apiKey = keys.tencent;

// biome-ignore lint/suspicious/noExplicitAny: bench reads answers loosely
async function call(method: string, path: string, body?: unknown, raw?: Buffer): Promise<any> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      "content-type": raw ? "text/csv" : "application/json",
    },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Peak heap and RSS above a baseline while `fn` runs, sampled every 20 ms. */
async function peakMemory<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; heapMB: number; rssMB: number }> {
  global.gc?.();
  const base = process.memoryUsage();
  let heap = base.heapUsed;
  let rss = base.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  }, 20);
  try {
    const value = await fn();
    return {
      value,
      heapMB: (heap - base.heapUsed) / 1048576,
      rssMB: (rss - base.rss) / 1048576,
    };
  } finally {
    clearInterval(timer);
  }
}

interface Result {
  name: string;
  rows: number;
  csvMB: number;
  uploadS: number;
  uploadHeapMB: number;
  uploadReqPerRow: number;
  sent: number;
  sendS: number;
  rowsPerS: number;
  vendorCallsPerRow: number;
  workerReqPerRow: number;
  workerHeapMB: number;
  finished: boolean;
}

type Vendor = "tencent" | "huawei";

/** What the vendor's emulator received, one entry per number, and how many calls that was. */
function received(vendor: Vendor) {
  const all = stack[vendor].messages() as { sessionContext?: string; extend?: string }[];
  // Each call carries its request id: Tencent's SessionContext, Huawei's `extend`.
  const callOf = (m: { sessionContext?: string; extend?: string }) =>
    vendor === "tencent" ? m.sessionContext : m.extend;
  return { all, callOf };
}

async function bench(
  name: string,
  rows: number,
  perRow: boolean,
  prefix: string,
  vendor: Vendor = "tencent",
): Promise<Result> {
  apiKey = keys[vendor];
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const phone = `+86${prefix}${String(i).padStart(8, "0")}`;
    lines.push(perRow ? `${phone},N${i},${i % 7}天` : `${phone},S-1,明天`);
  }
  const csv = Buffer.from(`phone,order,when\n${lines.join("\n")}\n`);
  const c = await call("POST", "/v1/campaigns", { name, template: "order-shipped" });
  stack.meter.reset();
  const t0 = performance.now();
  const up = await peakMemory(() =>
    call("POST", `/v1/campaigns/${c.id}/recipients`, undefined, csv),
  );
  const uploadS = (performance.now() - t0) / 1000;
  const uploadReq = stack.meter.read("campaigns").requests;
  if (up.value.accepted !== rows) throw new Error(`accepted ${up.value.accepted} of ${rows}`);

  stack.meter.reset();
  const before = received(vendor).all.length;
  const t1 = performance.now();
  const sending = await peakMemory(async () => {
    await call("POST", `/v1/campaigns/${c.id}/start`, {});
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await call("GET", `/v1/campaigns/${c.id}`);
      const elapsed = (performance.now() - t1) / 1000;
      if (now.status === "completed") return { done: now, finished: true };
      if (LIMIT_S > 0 && elapsed > LIMIT_S) {
        await call("POST", `/v1/campaigns/${c.id}/cancel`, {});
        // Chunks in flight finish; wait for the counters to settle.
        await new Promise((r) => setTimeout(r, 3000));
        return { done: await call("GET", `/v1/campaigns/${c.id}`), finished: false };
      }
    }
  });
  const sendS = (performance.now() - t1) / 1000;
  const { done, finished } = sending.value;
  const sent = done.total - done.counts.pending;
  const { all, callOf } = received(vendor);
  const got = all.slice(before);
  const calls = new Set(got.map(callOf)).size;
  return {
    name,
    rows,
    csvMB: csv.length / 1048576,
    uploadS,
    uploadHeapMB: up.heapMB,
    uploadReqPerRow: uploadReq / rows,
    sent,
    sendS,
    rowsPerS: sent / sendS,
    vendorCallsPerRow: calls / Math.max(1, got.length),
    workerReqPerRow: stack.meter.read("campaign-worker").requests / Math.max(1, sent),
    workerHeapMB: sending.heapMB,
    finished,
  };
}

const CASES = {
  shared: () => bench("100,000 rows, shared variables", 100_000, false, "137"),
  perRow: () => bench("5,000 rows, a variable per row", 5_000, true, "136"),
  huaweiPerRow: () => bench("5,000 rows, a variable per row, Huawei", 5_000, true, "135", "huawei"),
};
const picked = (process.env.BENCH_CAMPAIGNS ?? Object.keys(CASES).join(","))
  .split(",")
  .map((c) => c.trim()) as (keyof typeof CASES)[];
const results: Result[] = [];
for (const c of picked) results.push(await CASES[c]());
const f = (x: number, d = 2) => x.toFixed(d);
const rowsOut = [
  [
    "campaign",
    "CSV MB",
    "upload s",
    "upload heap MB",
    "upload req/row",
    "sent",
    "send s",
    "rows/s",
    "vendor calls/row",
    "worker req/row",
    "worker heap MB",
    "completed",
  ],
  ...results.map((r) => [
    r.name,
    f(r.csvMB, 1),
    f(r.uploadS, 1),
    f(r.uploadHeapMB, 0),
    f(r.uploadReqPerRow, 3),
    r.sent,
    f(r.sendS, 0),
    f(r.rowsPerS, 1),
    f(r.vendorCallsPerRow, 3),
    f(r.workerReqPerRow, 2),
    f(r.workerHeapMB, 0),
    r.finished ? "yes" : `no (stopped at ${LIMIT_S} s)`,
  ]),
];
const widths =
  rowsOut[0]?.map((_, i) => Math.max(...rowsOut.map((r) => String(r[i]).length))) ?? [];
console.log("\nCampaigns (local stack, one process, 2 cores shared)");
for (const r of rowsOut) console.log(r.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join("  "));
console.log(JSON.stringify(results));
await stack.close();
process.exit(0);
