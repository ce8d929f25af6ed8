/**
 * `npm run bench`: what users feel, side by side in one run (docs/performance.md).
 *
 * 1. Bundle sizes, each function built exactly as `serverless package` builds it.
 * 2. First request (INIT + first invoke) and warm p50/p95 of the packaged send and
 *    status-callback functions next to hand-built baselines (bench/baselines/) doing the same
 *    DynamoDB requests and vendor call: every cold start a fresh Node process (bench/child.mjs)
 *    against one local stack (dynalite + Tencent emulator), rounds interleaved A B / B A,
 *    medians of the rounds and their ratio.
 * 3. DynamoDB requests per operation, and the widest fan-out's concurrency at the wire.
 *
 * Bounded: BENCH_ROUNDS (default 7) × BENCH_WARM (default 40) keeps it near two minutes on
 * these 2-core machines. BENCH_NODE_OPTIONS overrides the packaged NODE_OPTIONS (a lever).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { build } from "esbuild";
import { messageIdForSerial } from "../lib/core/ids";
import { callbackUrls } from "../lib/core/secrets";
import { localClient } from "../local/dynamo";
import { createDemoApp, seedDemos } from "../local/seed";
import { readServerlessYml } from "../local/serverless-config";
import { LOCAL_TABLE, startStack } from "../local/stack";
import { bundle, FUNCTIONS } from "./bundle";
import { holdingProxy } from "./holding-proxy";

const started = Date.now();
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WARM = Number(process.env.BENCH_WARM ?? 40);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) =>
  sorted(xs)[Math.min(xs.length - 1, Math.floor(((xs.length - 1) * p) / 100))] ?? 0;
const median = (xs: number[]) => pct(xs, 50);
const table = (rows: (string | number)[][]) => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length))) ?? [];
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join("  "));
  console.log();
};
const doc = readServerlessYml() as unknown as {
  custom: { esbuild: Record<string, unknown> };
  provider: { environment: Record<string, unknown> };
};

// 1. Bundles --------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), "smsgate-bench-"));
// The bundles live in a folder with no node_modules above it: everything they run is inside
// them, as on Lambda (whose runtime SDK none of them uses).
const task = join(dir, "task");
mkdirSync(task);
const sizes: (string | number)[][] = [["bundle", "KB", "largest packages"]];
for (const name of FUNCTIONS) {
  const b = await bundle(name);
  writeFileSync(join(task, `${name}.js`), b.code);
  const top = Object.entries(b.packages).sort((x, y) => y[1] - x[1]);
  sizes.push([
    name,
    (b.bytes / 1024).toFixed(1),
    top
      .slice(0, 3)
      .map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}K`)
      .join(", "),
  ]);
}
// The baselines: the recipe a careful engineer would hand-build — one minified ESM bundle,
// module-first resolution, node-fetch → Node's fetch (bench/baselines/node-fetch.ts), form-data
// and the proxy agent stubbed (as serverless.yml does for smsgate), the AWS SDK bundled with
// only the commands used and an env-only credential provider.
const { alias } = doc.custom.esbuild as { alias: Record<string, string> };
for (const name of ["send", "status-callback", "reply", "admin", "threshold-check"]) {
  const out = await build({
    entryPoints: [join(import.meta.dirname, "baselines", `${name}.ts`)],
    bundle: true,
    minify: !process.env.BENCH_PROFILE,
    platform: "node",
    target: "node20",
    format: "esm",
    mainFields: ["module", "main"],
    alias: {
      ...Object.fromEntries(
        Object.entries(alias).map(([k, v]) => [k, join(import.meta.dirname, "..", v)]),
      ),
      "@aws-sdk/credential-provider-node": join(
        import.meta.dirname,
        "baselines/credential-provider-node.ts",
      ),
      "node-fetch": join(import.meta.dirname, "baselines/node-fetch.ts"),
    },
    banner: {
      js: 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);',
    },
    write: false,
    logLevel: "silent",
    metafile: true,
    outfile: `baseline-${name}.mjs`,
  });
  writeFileSync(join(task, `baseline-${name}.mjs`), out.outputFiles[0]?.text ?? "");
  const bytes = Object.values(out.metafile.outputs)[0]?.bytes ?? 0;
  sizes.push([`baseline ${name}`, (bytes / 1024).toFixed(1), "hand-built (bench/baselines)"]);
}
console.log("Bundle sizes (minified, esbuild metafile)\n");
table(sizes);

// 2. The local stack and the events ---------------------------------------------------------
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
  const candidate = `+86139${String(++n).padStart(8, "0")}`;
  return candidate.endsWith("4") ? number() : candidate;
};
const event = (method: string, path: string, routeKey: string, body: string, extra: object) => ({
  version: "2.0",
  routeKey,
  rawPath: path,
  rawQueryString: "",
  headers: { host: "bench.local", "content-type": "application/json", "user-agent": "bench" },
  body,
  isBase64Encoded: false,
  requestContext: {
    accountId: "000000000000",
    apiId: "bench",
    domainName: "bench.local",
    domainPrefix: "bench",
    http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench" },
    requestId: `bench-${++n}`,
    routeKey,
    stage: "$default",
    time: new Date().toISOString(),
    timeEpoch: Date.now(),
  },
  ...extra,
});
const sendEvent = (to: string[]) => {
  const e = event(
    "POST",
    "/v1/messages",
    "POST /v1/messages",
    JSON.stringify({ to, template: "login-code", params: ["482913", "5"] }),
    {},
  );
  Object.assign(e.headers, { authorization: `Bearer ${app.apiKey}` });
  return e;
};
const statusUrl = new URL(callbackUrls(stack.deps.config, stack.apiUrl, app.appId).tencent.status);
const token = statusUrl.pathname.split("/").pop() ?? "";
const statusEvent = (m: { phone: string; serial: string }) =>
  event(
    "POST",
    statusUrl.pathname,
    "POST /callbacks/{provider}/status/{token}",
    JSON.stringify([
      {
        user_receive_time: "2026-11-22 10:00:05",
        nationcode: "86",
        mobile: m.phone.slice(3),
        report_status: "SUCCESS",
        errmsg: "DELIVRD",
        description: "",
        sid: m.serial,
      },
    ]),
    { pathParameters: { provider: "tencent", token } },
  );
const replyUrl = new URL(callbackUrls(stack.deps.config, stack.apiUrl, app.appId).tencent.reply);
const replyEvent = () =>
  event(
    "POST",
    replyUrl.pathname,
    "POST /callbacks/{provider}/reply/{token}",
    JSON.stringify({
      extend: "",
      mobile: number().slice(3),
      nationcode: "86",
      sign: "",
      text: "thanks, received",
      time: Math.floor(Date.now() / 1000),
    }),
    { pathParameters: { provider: "tencent", token: replyUrl.pathname.split("/").pop() } },
  );
const adminEvent = () => {
  const e = event("GET", `/v1/apps/${app.appId}`, "GET /v1/apps/{appId}", "", {
    pathParameters: { appId: app.appId },
  });
  Object.assign(e.headers, { authorization: `Bearer ${app.apiKey}` });
  return e;
};
// Reports need real records, one per invocation (the first report wins): sent beforehand.
const sendHttp = async (to: string[], label = "send") => {
  const res = await fetch(`${stack.apiUrl}/v1/messages`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${app.apiKey}`,
      "content-type": "application/json",
      "x-meter-label": label,
    },
    body: JSON.stringify({ to, template: "login-code", params: ["482913", "5"] }),
  });
  if (res.status !== 200) throw new Error(`send answered ${res.status}: ${await res.text()}`);
};
const reportsNeeded = 2 * ROUNDS * (WARM + 1);
for (let i = 0; i < reportsNeeded; i += 200) await sendHttp(Array.from({ length: 200 }, number));
const sentMessages = stack.tencent.messages().slice(0, reportsNeeded);
let nextReport = 0;

const packagedEnv = doc.provider.environment.NODE_OPTIONS;
const childEnv = (nodeOptions?: string) => ({
  PATH: process.env.PATH,
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) =>
      /^(SMSGATE_|TENCENT_|HUAWEI_|DYNAMODB_|AWS_REGION$)/.test(k),
    ),
  ),
  SMSGATE_LOG_LEVEL: "info",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
});
interface ColdRun {
  init: number;
  first: number;
  warm: number[];
  /** Outgoing HTTP requests by port: both sides must make the same (bench/child.mjs). */
  requests: Record<string, number>;
}
let eventFiles = 0;
// BENCH_PROFILE=<dir>: every child writes a V8 CPU profile there (docs/performance.md, method).
const profile = (file: string) =>
  process.env.BENCH_PROFILE
    ? [
        "--cpu-prof",
        "--cpu-prof-interval=100",
        `--cpu-prof-dir=${process.env.BENCH_PROFILE}`,
        `--cpu-prof-name=${file.split("/").pop()}-${eventFiles}.cpuprofile`,
      ]
    : [];
const runChild = (file: string, events: object[], env: object): Promise<ColdRun> => {
  const eventsFile = join(dir, `events-${++eventFiles}.json`);
  writeFileSync(eventsFile, JSON.stringify(events));
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...profile(file), join(import.meta.dirname, "child.mjs"), file, eventsFile],
      {
        env: env as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0)
        reject(new Error(`${file} exited ${code}: ${out.slice(-1500)} ${err.slice(0, 800)}`));
      else resolve(JSON.parse(last) as ColdRun);
    });
  });
};

type Side = "smsgate" | "baseline";
const pairs = {
  send: () => Array.from({ length: WARM + 1 }, () => sendEvent([number()])),
  "status-callback": () =>
    Array.from({ length: WARM + 1 }, () => statusEvent(sentMessages[nextReport++] as never)),
  reply: () => Array.from({ length: WARM + 1 }, replyEvent),
  admin: () => Array.from({ length: WARM + 1 }, adminEvent),
  // EventBridge's scheduled event; with nothing due every run makes the same requests.
  "threshold-check": () =>
    Array.from({ length: WARM + 1 }, () => ({
      version: "0",
      id: `bench-${++n}`,
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: new Date().toISOString(),
      region: "ap-guangzhou",
      resources: [],
      detail: {},
    })),
};
const results: Record<string, Record<Side, ColdRun[]>> = {
  send: { smsgate: [], baseline: [] },
  "status-callback": { smsgate: [], baseline: [] },
  reply: { smsgate: [], baseline: [] },
  admin: { smsgate: [], baseline: [] },
  "threshold-check": { smsgate: [], baseline: [] },
};
const nodeOptions = process.env.BENCH_NODE_OPTIONS ?? (packagedEnv ? String(packagedEnv) : "");
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, events] of Object.entries(pairs)) {
    // A B in even rounds, B A in odd ones: drift in the machine's speed hits both alike.
    const order: Side[] = round % 2 ? ["baseline", "smsgate"] : ["smsgate", "baseline"];
    for (const side of order) {
      const file =
        side === "smsgate" ? join(task, `${name}.js`) : join(task, `baseline-${name}.mjs`);
      const run = await runChild(file, events(), childEnv(side === "smsgate" ? nodeOptions : ""));
      results[name]?.[side].push(run);
      if (process.env.BENCH_DEBUG) console.log(name, side, JSON.stringify(run.requests));
    }
  }
}
// The reports really landed: the last smsgate status push wrote its status item.
const lastReport = sentMessages[ROUNDS * 2 * (WARM + 1) - 1];
const landed = await localClient(String(process.env.DYNAMODB_ENDPOINT)).send(
  new GetItemCommand({
    TableName: LOCAL_TABLE,
    Key: {
      pk: { S: `MSG#${messageIdForSerial("tencent", lastReport?.serial ?? "")}` },
      sk: { S: "STATUS" },
    },
  }),
);
if (!landed.Item) throw new Error("the status pushes left no status item: the bench is broken");

console.log(
  `First request (INIT + first invoke) and warm latency: fresh Node processes, medians of ${ROUNDS} interleaved rounds, ${WARM} warm invocations each; smsgate NODE_OPTIONS=${nodeOptions || "(none)"}\n`,
);
const rows: (string | number)[][] = [
  [
    "function",
    "side",
    "INIT ms",
    "first ms",
    "warm p50",
    "warm p95",
    "HTTP req/inv",
    "first ×",
    "p50 ×",
    "goal",
  ],
];
const goals: Record<string, string> = {
  send: "first ≤ 1.00, p50 ≤ 1.05",
  "status-callback": "first ≤ 1.00",
  reply: "first ≤ 1.20",
  admin: "first ≤ 1.20",
  "threshold-check": "first ≤ 1.20",
};
for (const [name, sides] of Object.entries(results)) {
  const fig = (runs: ColdRun[]) => ({
    init: median(runs.map((r) => r.init)),
    first: median(runs.map((r) => r.first)),
    p50: median(runs.map((r) => pct(r.warm, 50))),
    p95: median(runs.map((r) => pct(r.warm, 95))),
  });
  const a = fig(sides.smsgate);
  const b = fig(sides.baseline);
  // Outgoing HTTP requests per invocation, every run of a side summed: the two must match.
  const perInvocation = (runs: ColdRun[]) =>
    (
      runs.reduce((n, r) => n + Object.values(r.requests).reduce((x, y) => x + y, 0), 0) /
      (runs.length * (WARM + 1))
    ).toFixed(2);
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  rows.push([
    name,
    "smsgate",
    a.init.toFixed(1),
    `${a.first.toFixed(1)} (${spread(sides.smsgate.map((r) => r.first))})`,
    a.p50.toFixed(2),
    a.p95.toFixed(2),
    perInvocation(sides.smsgate),
    (a.first / b.first).toFixed(2),
    (a.p50 / b.p50).toFixed(2),
    goals[name] ?? "",
  ]);
  rows.push([
    "",
    "baseline",
    b.init.toFixed(1),
    `${b.first.toFixed(1)} (${spread(sides.baseline.map((r) => r.first))})`,
    b.p50.toFixed(2),
    b.p95.toFixed(2),
    perInvocation(sides.baseline),
    "1.00",
    "1.00",
    "",
  ]);
}
table(rows);

// 3. DynamoDB requests, and the widest fan-out at the wire -----------------------------------
stack.meter.reset();
await sendHttp([number()], "one");
await sendHttp(Array.from({ length: 200 }, number), "two-hundred");
const one = stack.meter.read("one");
const wide = stack.meter.read("two-hundred");
console.log("DynamoDB requests per send (counted by an observer of the handlers' client)\n");
table([
  ["send", "requests", "round trips", "by command"],
  ["1 recipient", one.requests, one.rounds, JSON.stringify(one.byCommand)],
  ["200 recipients", wide.requests, wide.rounds, JSON.stringify(wide.byCommand)],
]);

// The widest fan-out at the wire: a proxy holds requests until 201 have arrived, so it counts
// the client's concurrency, not how fast dynalite answers (bench/holding-proxy.ts).
const proxy = await holdingProxy(String(process.env.DYNAMODB_ENDPOINT), 201);
const proxyUrl = proxy.url;
await runChild(join(task, "send.js"), [sendEvent(Array.from({ length: 200 }, number))], {
  ...childEnv(),
  DYNAMODB_ENDPOINT: proxyUrl,
});
console.log(
  `Widest fan-out: one 200-recipient send in a fresh send function, ${proxy.peak()} DynamoDB requests in flight at once at the wire (its widest round: 205 updates beside the in-flight records' batch writes; sockets: 256, the AWS SDK's default 50)\n`,
);
await proxy.close();

await stack.close();
// Profiles name the bundles they ran: keep those beside them.
if (process.env.BENCH_PROFILE) console.log(`bundles kept in ${task}`);
else rmSync(dir, { recursive: true, force: true });
console.log(`bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
