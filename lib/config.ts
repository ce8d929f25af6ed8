import { z } from "zod";

/**
 * The only reader of process.env. Parsed once per cold start; a bad or missing variable
 * fails the start with its name, so a misconfigured deployment never half-works.
 */
const flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  SMSGATE_TABLE: z.string().min(3),
  AWS_REGION: z.string().min(1).default("ap-east-1"),
  DYNAMODB_ENDPOINT: z.url().optional(),
  SMSGATE_ADMIN_KEY: z.string().min(16),
  // Derives callback tokens and the key sealing webhook secrets; defaults to the operator
  // key, so set it separately to rotate one without the other.
  SMSGATE_SECRET: z.string().min(16).optional(),
  SMSGATE_PUBLIC_URL: z.url().optional(),
  SMSGATE_RECORD_TTL_DAYS: positiveInt.default(60),
  SMSGATE_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  SMSGATE_CONFIG_CACHE_SECONDS: z.coerce.number().int().min(0).default(0),
  TENCENT_SECRET_ID: z.string().min(1).optional(),
  TENCENT_SECRET_KEY: z.string().min(1).optional(),
  TENCENT_SDK_APP_ID: z.string().min(1).optional(),
  // "https://sms.tencentcloudapi.com" in production; the local stack points it at the emulator.
  TENCENT_ENDPOINT: z.url().default("https://sms.tencentcloudapi.com"),
  TENCENT_REGION: z.string().min(1).default("ap-guangzhou"),
  // API Gateway gives up after 30 s; the vendor call must end well before that.
  TENCENT_TIMEOUT_SECONDS: positiveInt.max(20).default(5),
  SMSGATE_EXPOSE_DEBUG: flag.default(false),
});

export type Config = z.infer<typeof schema>;

/** The master secret for derived secrets (lib/secrets.ts). */
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
