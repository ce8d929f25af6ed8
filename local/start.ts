/**
 * `npm start`: the whole local stack, a seeded demo app, and curl lines that work.
 * Environment (docs/api.md "Local stack"): PORT, SMSGATE_ADMIN_KEY, SMSGATE_SECRET, SMSGATE_DATA_DIR,
 * DYNAMODB_PORT, TENCENT_EMULATOR_PORT, HUAWEI_EMULATOR_PORT, SES_EMULATOR_PORT,
 * SMSGATE_CHECK_INTERVAL_SECONDS. A bad setting or a busy port is one line naming the variable
 * to change, and exit code 1 — never a stack trace.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import * as z from "zod";
import { type Demo, seedDemos } from "./seed";
import { startStack } from "./stack";

// Local-only settings; the deployed functions read theirs in lib/config/index.ts.
const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  SMSGATE_ADMIN_KEY: z.string().min(16).optional(),
  SMSGATE_SECRET: z.string().min(16).optional(),
  SMSGATE_DATA_DIR: z.string().default(".data"),
  DYNAMODB_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  TENCENT_EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  HUAWEI_EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4020),
  SES_EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4030),
  SMSGATE_CHECK_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
  SMSGATE_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

function fail(message: string): never {
  console.error(`smsgate: ${message}`);
  process.exit(1);
}

const parsed = schema.safeParse(process.env);
if (!parsed.success)
  fail(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
const env = parsed.data;
const PORT_VARIABLES = [
  "PORT",
  "DYNAMODB_PORT",
  "TENCENT_EMULATOR_PORT",
  "HUAWEI_EMULATOR_PORT",
  "SES_EMULATOR_PORT",
] as const;

// These machines run Node 20; the pinned AWS SDK supports it and need not say otherwise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const dataDir = resolve(env.SMSGATE_DATA_DIR);
const localJsonPath = resolve(dataDir, "local.json");
const previous = existsSync(localJsonPath)
  ? (JSON.parse(readFileSync(localJsonPath, "utf8")) as {
      adminKey?: string;
      masterSecret?: string;
      demos?: Demo[];
    })
  : {};

const stack = await startStack({
  dataDir,
  port: env.PORT,
  dynamoPort: env.DYNAMODB_PORT,
  tencentPort: env.TENCENT_EMULATOR_PORT,
  huaweiPort: env.HUAWEI_EMULATOR_PORT,
  sesPort: env.SES_EMULATOR_PORT,
  adminKey: env.SMSGATE_ADMIN_KEY ?? previous.adminKey,
  masterSecret: env.SMSGATE_SECRET ?? previous.masterSecret,
  logLevel: env.SMSGATE_LOG_LEVEL,
}).catch((err: NodeJS.ErrnoException & { port?: number }) => {
  if (err.code !== "EADDRINUSE" && err.code !== "EACCES") throw err;
  const port = err.port ?? Number(/:(\d+)\s*$/.exec(err.message)?.[1]);
  const variable = PORT_VARIABLES.find((v) => env[v] === port) ?? "PORT";
  return fail(
    err.code === "EADDRINUSE"
      ? `port ${port} is already in use; set ${variable} to a free port (e.g. ${variable}=${port + 1} npm start), or stop what holds it`
      : `port ${port} may not be opened by this user; set ${variable} to a port above 1023`,
  );
});

const demos = await seedDemos(
  stack.apiUrl,
  stack.adminKey,
  { tencent: stack.tencent, huawei: stack.huawei },
  stack.huaweiAppKey,
  previous.demos,
);
const local = {
  apiUrl: stack.apiUrl,
  adminKey: stack.adminKey,
  masterSecret: stack.masterSecret,
  demos,
  emulators: { tencent: stack.tencent.url, huawei: stack.huawei.url, ses: stack.ses.url },
};
writeFileSync(localJsonPath, `${JSON.stringify(local, null, 2)}\n`, { mode: 0o600 });

const timer = setInterval(() => {
  stack.runChecker().catch((err) => console.error("threshold check failed", err));
}, env.SMSGATE_CHECK_INTERVAL_SECONDS * 1000);

const [demo, huaweiDemo] = demos as [Demo, Demo];
const code = demo.templates[0];
console.log(`
smsgate is running.

  API               ${stack.apiUrl}
  console           ${stack.apiUrl}/console   (sign in with a key below)
  Tencent emulator  ${stack.tencent.url}   (messages: ${stack.tencent.url}/_control/messages)
  Huawei emulator   ${stack.huawei.url}   (messages: ${stack.huawei.url}/_control/messages)
  SES emulator      ${stack.ses.url}   (alert e-mails: ${stack.ses.url}/_control/emails)
  data              ${dataDir}   (details in ${localJsonPath})
  operator key      ${stack.adminKey}
  Tencent demo app  ${demo.appId}   key ${demo.apiKey}
  Huawei demo app   ${huaweiDemo.appId}   key ${huaweiDemo.apiKey}

Send a verification code (a simulator number; delivered a moment later):

  curl -s ${stack.apiUrl}/v1/messages \\
    -H 'Authorization: Bearer ${demo.apiKey}' -H 'Content-Type: application/json' \\
    -d '{"to":["+8613800138000"],"template":"${code?.id}","params":["482913","5"]}'

Then read its record (use the "id" from the answer):

  curl -s ${stack.apiUrl}/v1/messages/<id> -H 'Authorization: Bearer ${demo.apiKey}'

The same through Huawei Cloud SMS: use the Huawei demo app's key.

Numbers ending in 4 are reported undelivered, 44 are refused by the vendor, 444 are never reported.
Ctrl-C stops everything; the data stays in ${dataDir}.
`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    console.log("\nstopping…");
    await stack.close();
    process.exit(0);
  });
}
