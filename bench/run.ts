/**
 * `npm run bench`: bundle sizes, cold import time, DynamoDB requests per operation, send
 * latency and throughput next to a direct SDK call, and status ingestion next to raw
 * DynamoDB updates — all measured in one run, on loopback, bounded in time. Figures that
 * compare are printed as ratios: absolute times on shared machines are noisy.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { sms } from "tencentcloud-sdk-nodejs-sms";
import { messageIdForSerial, ulid } from "../lib/core/ids";
import type { App, MessageRecord } from "../lib/core/model";
import { callbackUrls } from "../lib/core/secrets";
import { dayOf } from "../lib/core/time";
import { localClient } from "../local/dynamo";
import { createDemoApp, DEMO_TENCENT_SDK_APP_ID, seedDemos } from "../local/seed";
import { LOCAL_TABLE, startStack } from "../local/stack";
import { bundle, FUNCTIONS } from "./bundle";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const root = join(import.meta.dirname, "..");
const started = Date.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;
const table = (rows: (string | number)[][]) => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length))) ?? [];
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join("  "));
  console.log();
};

// 1. Bundle sizes and cold import time -----------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), "smsgate-bench-"));
const runtime = join(dir, "runtime", "node_modules");
mkdirSync(runtime, { recursive: true });
symlinkSync(join(root, "node_modules/@aws-sdk"), join(runtime, "@aws-sdk"));
const sizes: (string | number)[][] = [["function", "bytes", "KB", "largest packages"]];
for (const name of FUNCTIONS) {
  const b = await bundle(name);
  writeFileSync(join(dir, `${name}.js`), b.code);
  const top = Object.entries(b.packages)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3);
  sizes.push([
    name,
    b.bytes,
    (b.bytes / 1024).toFixed(1),
    top.map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}K`).join(", "),
  ]);
}
writeFileSync(join(dir, "empty.js"), "exports.handler = async () => ({});\n");
console.log("Bundle sizes (minified, esbuild metafile; @aws-sdk comes from the Lambda runtime)\n");
table(sizes);

const env = {
  PATH: process.env.PATH,
  NODE_PATH: runtime,
  SMSGATE_TABLE: "bench",
  AWS_REGION: "ap-southeast-1",
  SMSGATE_ADMIN_KEY: "operator-key-for-the-benchmark",
  SMSGATE_SECRET: "master-secret-for-operator-key-for-the",
  TENCENT_SECRET_ID: "id",
  TENCENT_SECRET_KEY: "key",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};
const coldStart = (file: string) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(file)})`], {
    env,
    stdio: "ignore",
  });
  if (r.status !== 0) throw new Error(`${file} failed to load`);
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const RUNS = 15;
const times: Record<string, number[]> = Object.fromEntries(
  ["empty", ...FUNCTIONS].map((n) => [n, []]),
);
for (let i = 0; i < RUNS; i++) {
  // Interleaved, so drift in the machine's speed hits every bundle alike.
  times.empty?.push(coldStart(join(dir, "empty.js")));
  for (const name of FUNCTIONS) times[name]?.push(coldStart(join(dir, `${name}.js`)));
}
const empty = median(times.empty ?? []);
console.log(
  `Cold start: a fresh Node process that requires the bundle, median of ${RUNS}, as a ratio to an empty bundle's\n`,
);
table([
  ["function", "ratio to empty", "goal"],
  ...FUNCTIONS.map((n) => [n, (median(times[n] ?? []) / empty).toFixed(2), "≤ 1.30"]),
]);

// 2. The local stack: DynamoDB requests, latency, throughput -------------------------------
const stack = await startStack({
  port: 0,
  dynamoPort: 0,
  tencentPort: 0,
  huaweiPort: 0,
  logLevel: "silent",
  reportDelayMs: 3_600_000,
});
await seedDemos(
  stack.apiUrl,
  stack.adminKey,
  { tencent: stack.tencent, huawei: stack.huawei },
  stack.huaweiAppKey,
);
const app = await createDemoApp(stack.apiUrl, stack.adminKey, ["tencent"], {
  frequency: { sameContentThirtySeconds: null, oneDay: null },
});
let n = 0;
/** A fresh mainland number, never one with a simulator suffix (…4). */
const number = (): string => {
  const candidate = `+86138${String(++n).padStart(8, "0")}`;
  return candidate.endsWith("4") ? number() : candidate;
};
const send = async (to: string[], headers: Record<string, string> = {}) => {
  const res = await fetch(`${stack.apiUrl}/v1/messages`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${app.apiKey}`,
      "content-type": "application/json",
      ...headers,
    },
    body: JSON.stringify({ to, template: "login-code", params: ["482913", "5"] }),
  });
  if (res.status !== 200) throw new Error(`send answered ${res.status}`);
  return res.json() as Promise<{ messages: { id: string; status: string }[] }>;
};
const measure = async (label: string, per: number, fn: () => Promise<unknown>, scope = "send") => {
  stack.meter.reset();
  await fn();
  const m = stack.meter.read(scope);
  return [label, m.requests, m.rounds, (m.requests / per).toFixed(3)];
};
const rows: (string | number)[][] = [
  ["operation", "DynamoDB requests", "sequential round trips", "per recipient / report"],
];
rows.push(await measure("single-recipient send", 1, () => send([number()])));
const two = Array.from({ length: 200 }, number);
rows.push(await measure("200-recipient send", 200, () => send(two)));
const dupTo = number();
await send([dupTo], { "idempotency-key": "bench-dup" });
rows.push(
  await measure("duplicate (idempotent replay)", 1, () =>
    send([dupTo], { "idempotency-key": "bench-dup" }),
  ),
);
const sent = stack.tencent
  .messages()
  .filter((m) => two.includes(m.phone))
  .slice(0, 100);
const statusUrl = callbackUrls(stack.deps.config, stack.apiUrl, app.appId).tencent.status;
const push = (reports: object[]) =>
  fetch(statusUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(reports),
  });
const report = (m: { phone: string; serial: string }) => ({
  user_receive_time: "2026-11-22 10:00:05",
  nationcode: "86",
  mobile: m.phone.slice(3),
  report_status: "SUCCESS",
  errmsg: "DELIVRD",
  description: "",
  sid: m.serial,
});
rows.push(
  await measure("100-report status push", 100, () => push(sent.map(report)), "status-callback"),
);
console.log("DynamoDB requests per operation (counted by an SDK middleware in the handlers)\n");
table(rows);

// Latency and throughput: through smsgate, and a direct SDK call to the same emulator.
const emulatorCreds = {
  secretId: process.env.TENCENT_SECRET_ID ?? "",
  secretKey: process.env.TENCENT_SECRET_KEY ?? "",
};
const direct = new sms.v20210111.Client({
  credential: emulatorCreds,
  region: "ap-guangzhou",
  profile: {
    httpProfile: { endpoint: new URL(stack.tencent.url).host, protocol: "http://", reqTimeout: 10 },
  },
});
const directSend = (to: string[]) =>
  direct.SendSms({
    PhoneNumberSet: to,
    SmsSdkAppId: DEMO_TENCENT_SDK_APP_ID,
    TemplateId: "1000001",
    SignName: "smsgate",
    TemplateParamSet: ["482913", "5"],
  });
const load = async (
  requests: number,
  connections: number,
  recipients: number,
  fn: (to: string[]) => Promise<unknown>,
) => {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < requests) {
        next++;
        const to = Array.from({ length: recipients }, number);
        const t = performance.now();
        await fn(to);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), rps: requests / seconds };
};
const perf: (string | number)[][] = [
  [
    "recipients",
    "connections",
    "smsgate p50 ms",
    "direct p50 ms",
    "p50 ratio",
    "p99 ratio",
    "throughput ratio (smsgate/direct)",
  ],
];
for (const [recipients, connections, requests] of [
  [1, 1, 150],
  [1, 8, 300],
  [200, 1, 15],
  [200, 8, 24],
] as const) {
  const ours = await load(requests, connections, recipients, (to) => send(to));
  const theirs = await load(requests, connections, recipients, directSend);
  perf.push([
    recipients,
    connections,
    ours.p50.toFixed(1),
    theirs.p50.toFixed(1),
    (ours.p50 / theirs.p50).toFixed(2),
    (ours.p99 / theirs.p99).toFixed(2),
    (ours.rps / theirs.rps).toFixed(2),
  ]);
}
console.log(
  "Send latency and throughput: smsgate (HTTP → send handler → policy → SDK → emulator) next to a direct SDK call to the same emulator\n",
);
table(perf);

// Status ingestion next to raw conditional updates on the same dynalite.
const records: MessageRecord[] = Array.from({ length: 2000 }, (_, i) => {
  const at = new Date().toISOString();
  return {
    id: messageIdForSerial("tencent", `bench:${i}`),
    appId: app.appId,
    requestId: "bench",
    to: `+86139${String(i).padStart(8, "0")}`,
    country: "CN",
    template: "login-code",
    templateKind: "verification",
    params: [],
    status: "submitted",
    code: "Ok",
    segments: 1,
    provider: "tencent",
    providerMessageId: `bench:${i}`,
    createdAt: at,
    day: "2026-11-22",
    hour: "10",
    submittedAt: at,
    history: [],
  };
});
await stack.deps.store.putMessages(records);
const pushes = Array.from({ length: 20 }, (_, p) =>
  records
    .slice(p * 100, p * 100 + 100)
    .map((r) => report({ phone: r.to, serial: r.providerMessageId ?? "" })),
);
let t = performance.now();
for (let i = 0; i < pushes.length; i += 4) await Promise.all(pushes.slice(i, i + 4).map(push));
const ingestRate = 2000 / ((performance.now() - t) / 1000);
const raw = localClient(process.env.DYNAMODB_ENDPOINT ?? "");
t = performance.now();
for (let i = 0; i < 2000; i += 400) {
  await Promise.all(
    Array.from({ length: 400 }, (_, j) =>
      raw.send(
        new UpdateItemCommand({
          TableName: LOCAL_TABLE,
          Key: { pk: { S: `BENCH#${i + j}` }, sk: { S: "X" } },
          UpdateExpression: "SET #s = :s",
          ConditionExpression: "attribute_not_exists(#s)",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":s": { S: "delivered" } },
        }),
      ),
    ),
  );
}
const rawRate = 2000 / ((performance.now() - t) / 1000);
console.log(
  "Status ingestion (2,000 reports in pushes of 100, 4 at a time) next to raw conditional updates (2,000, 400 at a time)\n",
);
table([
  ["", "per second", "ratio"],
  ["status pushes", ingestRate.toFixed(0), (ingestRate / rawRate).toFixed(2)],
  ["raw UpdateItem", rawRate.toFixed(0), "1.00"],
]);

// The threshold checker over 1,000 enabled apps, each with counters for today.
const template = (await stack.deps.store.getApp(app.appId)) as App;
const now = new Date().toISOString();
for (let i = 0; i < 1000; i += 50) {
  await Promise.all(
    Array.from({ length: 50 }, async (_, j) => {
      const appId = ulid(Date.now() + i + j);
      await stack.deps.store.createApp({
        ...template,
        appId,
        name: `bench ${i + j}`,
        thresholds: { domestic: { alert: 1_000_000 } },
      });
      await stack.deps.store.adjustUsage(
        appId,
        dayOf(Date.now(), template.timeZone),
        { "lim:domestic": 10, "n:submitted": 10 },
        now,
      );
    }),
  );
}
stack.meter.reset();
t = performance.now();
const checked = (await stack.runChecker()) as { apps: number };
const checkMs = performance.now() - t;
const m = stack.meter.read("threshold-check");
console.log("Threshold checker over every enabled app (no alert due)\n");
table([
  ["apps", "DynamoDB requests", "per app", "round trips", "run time vs the 240 s timeout"],
  [
    checked.apps,
    m.requests,
    (m.requests / checked.apps).toFixed(3),
    m.rounds,
    `${(checkMs / 1000).toFixed(2)} s (${((checkMs / 240_000) * 100).toFixed(2)} %)`,
  ],
]);

await stack.close();
rmSync(dir, { recursive: true, force: true });
console.log(`(bench took ${((Date.now() - started) / 1000).toFixed(0)} s)`);
