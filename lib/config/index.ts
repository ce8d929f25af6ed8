import * as z from "zod/mini";
import type { Credentials } from "../aws/sigv4";

/**
 * The only reader of process.env. Parsed once per cold start; a bad or missing variable
 * fails the start with its name, so a misconfigured deployment never half-works.
 */
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number()
    .check(z.refine(Number.isInteger, "must be a whole number"), z.gte(min), z.lte(max));
const text = (min = 1) => z.string().check(z.minLength(min));
const withDefault = <T extends z.ZodMiniType>(schema: T, value: z.output<T>) =>
  z._default(schema, value as never);

/** "a, b,c" → ["a","b","c"]; unset → []. */
const commaList = () =>
  withDefault(
    z.pipe(
      z.string(),
      z.transform((v) =>
        v
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ),
    [],
  );

const schema = z.object({
  SMSGATE_TABLE: text(3),
  AWS_REGION: withDefault(text(), "ap-east-1"),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  // Deployed: the secrets below come from AWS Secrets Manager at cold start, one call, never
  // from plaintext environment variables (lib/config/secrets.ts). SMSGATE_SECRETS_PREFIX names
  // them ("smsgate/prod/"), SMSGATE_SECRETS lists the ones this function may read.
  SMSGATE_SECRETS_PREFIX: z.optional(z.string().check(z.regex(/^[\w/+=.@-]{1,200}$/))),
  SMSGATE_SECRETS: commaList(),
  // A local Secrets Manager (the local stack's emulator); unset in AWS.
  SECRETS_MANAGER_ENDPOINT: z.optional(z.url()),
  // The operator key: only the functions that authenticate keys (send, admin) are given it.
  SMSGATE_ADMIN_KEY: z.optional(text(16)),
  // The master secret, versioned: current first, then the previous ones still accepted
  // (comma-separated). Derives callback tokens and seals webhook secrets; separate from the
  // operator key so each rotates alone.
  SMSGATE_SECRET: commaList(),
  SMSGATE_PUBLIC_URL: z.optional(z.url()),
  SMSGATE_RECORD_TTL_DAYS: withDefault(int(1), 60),
  SMSGATE_LOG_LEVEL: withDefault(z.enum(["debug", "info", "warn", "error", "silent"]), "info"),
  // The local stack only: lets webhooks use plain http and loopback addresses. Strictly
  // "true" or "false"; off unless set (docs/api.md "Webhooks to the app").
  SMSGATE_WEBHOOK_ALLOW_LOOPBACK: withDefault(z.enum(["true", "false"]), "false"),
  TENCENT_SECRET_ID: z.optional(text()),
  TENCENT_SECRET_KEY: z.optional(text()),
  TENCENT_SDK_APP_ID: z.optional(text()),
  // "https://sms.tencentcloudapi.com" in production; the local stack points it at the emulator.
  TENCENT_ENDPOINT: withDefault(z.url(), "https://sms.tencentcloudapi.com"),
  TENCENT_REGION: withDefault(text(), "ap-guangzhou"),
  // API Gateway gives up after 30 s; the vendor call must end well before that.
  TENCENT_TIMEOUT_SECONDS: withDefault(int(1, 20), 5),
  // Huawei Cloud SMS application (docs/providers/huawei.md §3): app_key/app_secret, APP access address,
  // and the channel number used when an app's binding names none.
  HUAWEI_APP_KEY: z.optional(text()),
  HUAWEI_APP_SECRET: z.optional(text()),
  HUAWEI_ENDPOINT: withDefault(z.url(), "https://smsapi.cn-north-4.myhuaweicloud.com:443"),
  HUAWEI_SENDER: z.optional(text()),
  HUAWEI_TIMEOUT_SECONDS: withDefault(int(1, 20), 5),
  // Campaigns (docs/architecture.md "Campaigns"): the queue the worker reads, how many
  // chunks of one campaign are in flight at once, and how long a scheduled or window-paused
  // campaign waits between looks (SQS delays stop at 900 s). How many recipients a campaign
  // may hold is a per-app setting (`ceilings.campaignRecipients`), not the deployment's.
  SMSGATE_CAMPAIGN_QUEUE_URL: z.optional(z.url()),
  SMSGATE_CAMPAIGN_LANES: withDefault(int(1, 50), 4),
  // Rows per stored chunk (one queue message): 200, Tencent's numbers per call; less
  // spreads a small campaign over more lanes.
  SMSGATE_CAMPAIGN_CHUNK_ROWS: withDefault(int(1, 200), 200),
  SMSGATE_CAMPAIGN_RECHECK_SECONDS: withDefault(int(1, 900), 900),
  // The webhook queue (docs/architecture.md "Webhooks to the app"): producers wake the
  // webhook worker through it; unset, the checker's sweep delivers (minutes later).
  SMSGATE_WEBHOOK_QUEUE_URL: z.optional(z.url()),
  // The built-in alert template (ALERT_TEMPLATE_BODY) as approved in each vendor console.
  TENCENT_ALERT_TEMPLATE_ID: z.optional(text()),
  HUAWEI_ALERT_TEMPLATE_ID: z.optional(text()),
  // The same template approved as an international template, for contacts outside the mainland.
  TENCENT_ALERT_TEMPLATE_ID_INTERNATIONAL: z.optional(text()),
  // Alert e-mails through Amazon SES (v2 API): the verified sender address; unset means
  // contacts get SMS only. SES_REGION defaults to the table's; SES_ENDPOINT is the local
  // stack's emulator (docs/api.md "Alert contacts and alert history").
  SMSGATE_ALERT_EMAIL_FROM: z.optional(z.email()),
  SES_REGION: z.optional(text()),
  SES_ENDPOINT: z.optional(z.url()),
});

export type Config = z.output<typeof schema>;

/** The master secrets, current first (lib/core/secrets.ts). */
export const masterSecret = (c: Config): readonly string[] => c.SMSGATE_SECRET;

const invalid = (problems: string[]) =>
  new Error(`smsgate configuration invalid — ${problems.join("; ")}`);

/**
 * Parses the environment; throws naming every bad variable. When the secrets come from
 * Secrets Manager they are checked once fetched (checkSecrets), not here.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success)
    throw invalid(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  if (!parsed.data.SMSGATE_SECRETS_PREFIX) checkSecrets(parsed.data);
  return parsed.data;
}

/** Every function needs the master secret, each at least 16 characters. */
export function checkSecrets(c: Config): Config {
  const problems: string[] = [];
  if (c.SMSGATE_SECRET.length === 0) problems.push("SMSGATE_SECRET: required");
  if (c.SMSGATE_SECRET.some((m) => m.length < 16))
    problems.push("SMSGATE_SECRET: each master secret needs at least 16 characters");
  if (problems.length) throw invalid(problems);
  return c;
}

/**
 * The function's AWS credentials, as Lambda gives it its role's: in the environment, never in
 * the configuration (they are not smsgate's secrets and rotate with the sandbox). Read by
 * lib/aws/client.ts on its first signed call; a missing pair fails that call by name.
 */
export function awsCredentials(env: NodeJS.ProcessEnv = process.env): Credentials {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = env;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY)
    throw Object.assign(
      new Error(
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them from the function's role)",
      ),
      { name: "CredentialsProviderError" },
    );
  return {
    accessKeyId: AWS_ACCESS_KEY_ID,
    secretAccessKey: AWS_SECRET_ACCESS_KEY,
    sessionToken: AWS_SESSION_TOKEN || undefined,
  };
}
