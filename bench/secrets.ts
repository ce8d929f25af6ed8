/**
 * What reading the secrets from Secrets Manager adds to a cold start (docs/performance.md
 * "Secrets at cold start"): the send bundle, built as `serverless package` builds it, in a
 * fresh Node process per run, serving its first request — once with its secrets in plain
 * environment variables, once reading them from the local Secrets Manager (smsgate's own
 * client, lib/aws/client.ts; SigV4 verified by the emulator; loopback). Runs interleaved; medians and their ratio.
 *
 *   npm run bench:secrets [-- runs]     (default 15)
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureTable, localClient, startDynalite } from "../local/dynamo";
import { startSecretsManager } from "../local/secrets-manager/index";
import { bundle } from "./bundle";

const run = promisify(execFile);
const RUNS = Number(process.argv[2] ?? 15);
const dir = mkdtempSync(join(tmpdir(), "smsgate-bench-secrets-"));
const file = join(dir, "send.js");
writeFileSync(file, (await bundle("send")).code);

const dynamo = await startDynalite({});
await ensureTable(localClient(dynamo.endpoint), "smsgate-bench");
const aws = { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret-access-key" };
const sm = await startSecretsManager({ credentials: [aws], region: "ap-southeast-1" });
const secrets = {
  adminKey: "operator-key-for-the-bench",
  master: "master-secret-for-the-bench",
  tencent: { secretId: "AKIDtencent", secretKey: "tencent-secret" },
};
sm.put("smsgate/bench/operator", { adminKey: secrets.adminKey });
sm.put("smsgate/bench/master", { secrets: [secrets.master] });
sm.put("smsgate/bench/tencent", secrets.tencent);

const common = {
  PATH: process.env.PATH ?? "",
  AWS_REGION: "ap-southeast-1",
  AWS_ACCESS_KEY_ID: aws.accessKeyId,
  AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  SMSGATE_TABLE: "smsgate-bench",
  DYNAMODB_ENDPOINT: dynamo.endpoint,
  SMSGATE_LOG_LEVEL: "silent",
};
const modes = {
  environment: {
    ...common,
    SMSGATE_ADMIN_KEY: secrets.adminKey,
    SMSGATE_SECRET: secrets.master,
    TENCENT_SECRET_ID: secrets.tencent.secretId,
    TENCENT_SECRET_KEY: secrets.tencent.secretKey,
  },
  "secrets manager": {
    ...common,
    SMSGATE_SECRETS_PREFIX: "smsgate/bench/",
    SMSGATE_SECRETS: "operator,master,tencent",
    SECRETS_MANAGER_ENDPOINT: sm.url,
  },
};

// The first request: a send with an unknown app key (one DynamoDB read, then 401), the same
// work in both modes. Prints ms from process start to the module loaded and to the answer.
const event = {
  version: "2.0",
  routeKey: "POST /v1/messages",
  rawPath: "/v1/messages",
  rawQueryString: "",
  headers: {
    host: "bench",
    "content-type": "application/json",
    authorization: "Bearer sgk_01JBENCHBENCHBENCHBENCHBE_nope",
  },
  body: JSON.stringify({ to: ["+8613800138000"], template: "t", params: [] }),
  isBase64Encoded: false,
  requestContext: {
    accountId: "0",
    apiId: "bench",
    domainName: "bench",
    domainPrefix: "bench",
    http: {
      method: "POST",
      path: "/v1/messages",
      protocol: "HTTP/1.1",
      sourceIp: "127.0.0.1",
      userAgent: "bench",
    },
    requestId: "bench",
    routeKey: "POST /v1/messages",
    stage: "$default",
    time: "",
    timeEpoch: 0,
  },
};
const script = `const { performance } = require("node:perf_hooks");
const { handler } = require(${JSON.stringify(file)});
const loaded = performance.now();
handler(${JSON.stringify(event)}).then((r) => {
  if (r.statusCode !== 401) throw new Error("unexpected " + r.statusCode + " " + r.body);
  console.log(JSON.stringify({ loaded, answered: performance.now() }));
});`;

type Sample = { wall: number; loaded: number; answered: number };
const samples: Record<string, Sample[]> = { environment: [], "secrets manager": [] };
for (let i = 0; i < RUNS; i++)
  for (const [mode, env] of i % 2 ? Object.entries(modes).reverse() : Object.entries(modes)) {
    const t0 = performance.now();
    const { stdout } = await run(process.execPath, ["-e", script], { env });
    const wall = performance.now() - t0;
    samples[mode]?.push({ wall, ...JSON.parse(stdout) });
  }

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const of = (mode: string, k: keyof Sample) => median((samples[mode] ?? []).map((s) => s[k]));
console.log(
  `send bundle, first request in a fresh process, median of ${RUNS} interleaved runs (ms)\n`,
);
console.log("mode               process wall   module loaded   first answer");
for (const mode of Object.keys(modes))
  console.log(
    `${mode.padEnd(18)} ${of(mode, "wall").toFixed(1).padStart(12)} ${of(mode, "loaded").toFixed(1).padStart(15)} ${of(mode, "answered").toFixed(1).padStart(14)}`,
  );
const ratio = (k: keyof Sample) => (of("secrets manager", k) / of("environment", k)).toFixed(2);
console.log(
  `\nratio secrets manager / environment: process wall ${ratio("wall")}, first answer ${ratio("answered")}; added to the first answer: ${(of("secrets manager", "answered") - of("environment", "answered")).toFixed(1)} ms`,
);
console.log(`Secrets Manager calls: ${JSON.stringify(sm.calls)}`);

await sm.close();
await dynamo.close();
rmSync(dir, { recursive: true, force: true });
