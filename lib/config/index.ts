import * as z from "zod/mini";

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

const schema = z.object({
  SMSGATE_TABLE: text(3),
  AWS_REGION: withDefault(text(), "ap-east-1"),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  SMSGATE_ADMIN_KEY: text(16),
  // Derives callback tokens and the key sealing webhook secrets; defaults to the operator
  // key, so set it separately to rotate one without the other.
  SMSGATE_SECRET: z.optional(text(16)),
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
  // recipients one campaign may hold (100,000 unless the operator raises it, at most
  // 1,000,000), how many chunks of one campaign are in flight at once, and how long a
  // scheduled or window-paused campaign waits between looks (SQS delays stop at 900 s).
  SMSGATE_CAMPAIGN_QUEUE_URL: z.optional(z.url()),
  SMSGATE_CAMPAIGN_MAX_RECIPIENTS: withDefault(int(1, 1_000_000), 100_000),
  SMSGATE_CAMPAIGN_LANES: withDefault(int(1, 50), 4),
  // Rows per stored chunk (one queue message): 200, Tencent's numbers per call; less
  // spreads a small campaign over more lanes.
  SMSGATE_CAMPAIGN_CHUNK_ROWS: withDefault(int(1, 200), 200),
  SMSGATE_CAMPAIGN_RECHECK_SECONDS: withDefault(int(1, 900), 900),
  // The built-in alert template (ALERT_TEMPLATE_BODY) as approved in each vendor console.
  TENCENT_ALERT_TEMPLATE_ID: z.optional(text()),
  HUAWEI_ALERT_TEMPLATE_ID: z.optional(text()),
});

export type Config = z.output<typeof schema>;

/** The master secret for derived secrets (lib/core/secrets.ts). */
export const masterSecret = (c: Config): string => c.SMSGATE_SECRET ?? c.SMSGATE_ADMIN_KEY;

/** Parses the environment; throws naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`smsgate configuration invalid — ${problems.join("; ")}`);
  }
  return parsed.data;
}
