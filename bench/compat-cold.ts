/**
 * `node --import tsx bench/compat-cold.ts`: the first-request cold start of the send
 * function's bundle (which also serves the Tencent-compatible ingress and the Logto route),
 * in a fresh Node process per run against the local stack: time to require the bundle, the
 * first request (handler build, DynamoDB client, the vendor call) and a second, warm one —
 * for POST / (SendSms, TC3) and for POST /v1/messages, interleaved. Figures in
 * docs/performance.md.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createDemoApp, seedDemos } from "../local/seed";
import { startStack } from "../local/stack";
import { bundle } from "./bundle";

const root = join(import.meta.dirname, "..");
const RUNS = Number(process.env.RUNS ?? 9);
const Sign = createRequire(import.meta.url)(
  "tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js",
).default;

const dir = mkdtempSync(join(tmpdir(), "smsgate-compat-cold-"));
const runtime = join(dir, "runtime", "node_modules");
mkdirSync(runtime, { recursive: true });
symlinkSync(join(root, "node_modules/@aws-sdk"), join(runtime, "@aws-sdk"));
const b = await bundle("send");
// Beside the runtime's node_modules, as on Lambda (dynamic imports ignore NODE_PATH).
writeFileSync(join(dir, "runtime", "send.js"), b.code);

const stack = await startStack({
  port: 0,
  dynamoPort: 0,
  tencentPort: 0,
  huaweiPort: 0,
  logLevel: process.env.DEBUG ? "error" : "silent",
  reportDelayMs: 1000,
});
await seedDemos(stack.apiUrl, stack.adminKey, stack, stack.huaweiAppKey);
const app = await createDemoApp(stack.apiUrl, stack.adminKey, ["tencent"]);
const cred = (await (
  await fetch(`${stack.apiUrl}/v1/apps/${app.appId}/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${app.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ scopes: ["send"], format: "tencent" }),
  })
).json()) as { secretId: string; secretKey: string };
const host = new URL(stack.apiUrl).host;

let n = 0;
const phone = () => `+86138009${String(n++).padStart(5, "0")}`;
const event = (routeKey: string, path: string, headers: Record<string, string>, body: string) => ({
  version: "2.0",
  routeKey,
  rawPath: path,
  rawQueryString: "",
  headers: { host, "content-type": "application/json", ...headers },
  body,
  isBase64Encoded: false,
  requestContext: { http: { method: "POST", path }, domainName: host, requestId: "bench" },
});
const tencentEvent = () => {
  const payload = {
    PhoneNumberSet: [phone()],
    SmsSdkAppId: app.appId,
    TemplateId: "1000001",
    SignName: "smsgate",
    TemplateParamSet: ["482913", "5"],
  };
  const timestamp = Math.floor(Date.now() / 1000);
  const authorization = Sign.sign3({
    method: "POST",
    url: `http://${host}/`,
    payload,
    timestamp,
    service: "127",
    secretId: cred.secretId,
    secretKey: cred.secretKey,
    multipart: false,
    boundary: "",
    headers: { "Content-Type": "application/json" },
  });
  return event(
    "POST /",
    "/",
    {
      authorization,
      "x-tc-action": "SendSms",
      "x-tc-version": "2021-01-11",
      "x-tc-timestamp": String(timestamp),
      "x-tc-region": "ap-guangzhou",
    },
    JSON.stringify(payload),
  );
};
const messagesEvent = () =>
  event(
    "POST /v1/messages",
    "/v1/messages",
    { authorization: `Bearer ${app.apiKey}` },
    JSON.stringify({ to: [phone()], template: "login-code", params: ["482913", "5"] }),
  );

const child = `
const t0 = process.hrtime.bigint();
const ms = (a, b) => Number(b - a) / 1e6;
const { handler } = require(${JSON.stringify(join(dir, "runtime", "send.js"))});
const t1 = process.hrtime.bigint();
const [first, second] = JSON.parse(process.env.BENCH_EVENTS);
(async () => {
  const r1 = await handler(first);
  const t2 = process.hrtime.bigint();
  const r2 = await handler(second);
  const t3 = process.hrtime.bigint();
  const ok = (r) => r.statusCode === 200 && !/"Error"|"error"/.test(r.body) && /"Ok"/.test(r.body);
  process.stdout.write(JSON.stringify({ require: ms(t0, t1), first: ms(t1, t2), warm: ms(t2, t3), ok: ok(r1) && ok(r2), body: r1.body.slice(0, 300) }));
  // Keep-alive sockets would hold the process open.
  process.exit(0);
})();
`;
// Asynchronous: the stack runs in this process, and a synchronous spawn would starve it.
const run = async (events: object[]) => {
  const r = await promisify(execFile)(process.execPath, ["-e", child], {
    env: {
      ...process.env,
      NODE_PATH: runtime,
      BENCH_EVENTS: JSON.stringify(events),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    encoding: "utf8",
  });
  if (process.env.DEBUG) console.error(r.stderr);
  const out = JSON.parse(r.stdout) as {
    require: number;
    first: number;
    warm: number;
    ok: boolean;
    body: string;
  };
  if (!out.ok) throw new Error(`a benchmark request failed: ${out.body}`);
  return out;
};

const results: Record<string, { require: number[]; first: number[]; warm: number[] }> = {
  "POST / (SendSms)": { require: [], first: [], warm: [] },
  "POST /v1/messages": { require: [], first: [], warm: [] },
};
for (let i = 0; i < RUNS; i++) {
  for (const [name, make] of [
    ["POST / (SendSms)", tencentEvent],
    ["POST /v1/messages", messagesEvent],
  ] as const) {
    const out = await run([make(), make()]);
    const r = results[name];
    r?.require.push(out.require);
    r?.first.push(out.first);
    r?.warm.push(out.warm);
  }
}
const median = (xs: number[]) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  `send bundle: ${(b.bytes / 1024).toFixed(1)} KB; median of ${RUNS} fresh processes (ms)\n`,
);
console.log("route                require  first request  warm request");
for (const [name, r] of Object.entries(results))
  console.log(
    `${name.padEnd(20)} ${median(r.require).toFixed(1).padStart(7)}  ${median(r.first).toFixed(1).padStart(13)}  ${median(r.warm).toFixed(1).padStart(12)}`,
  );
await stack.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
