/**
 * The deployment's secrets, read from AWS Secrets Manager at cold start instead of plaintext
 * environment variables (docs/deploy.md "The secrets"). Each function is told which secrets
 * it may read (SMSGATE_SECRETS) under one prefix (SMSGATE_SECRETS_PREFIX, "smsgate/prod/"),
 * and its role may read exactly those; all of them come in ONE BatchGetSecretValue call.
 *
 * A failure names the secret and the field, never a value: the message ends up in the logs
 * and in the function's error.
 */
import * as z from "zod/mini";
import { awsJsonClient, type Credentials } from "../aws/client";
import { awsCredentials, type Config, checkSecrets } from "./index";

const text = (min = 1) => z.string().check(z.minLength(min));

/** Each secret's JSON, and the configuration it fills. */
const SECRETS = {
  // The operator key: the functions that authenticate keys (send, admin).
  operator: {
    shape: z.object({ adminKey: text(16) }),
    fill: (v: { adminKey: string }) => ({ SMSGATE_ADMIN_KEY: v.adminKey }),
  },
  // The master secret, versioned: current first (lib/core/secrets.ts).
  master: {
    shape: z.object({ secrets: z.array(text(16)).check(z.minLength(1)) }),
    fill: (v: { secrets: string[] }) => ({ SMSGATE_SECRET: v.secrets }),
  },
  tencent: {
    shape: z.object({ secretId: text(), secretKey: text() }),
    fill: (v: { secretId: string; secretKey: string }) => ({
      TENCENT_SECRET_ID: v.secretId,
      TENCENT_SECRET_KEY: v.secretKey,
    }),
  },
  huawei: {
    shape: z.object({ appKey: text(), appSecret: text() }),
    fill: (v: { appKey: string; appSecret: string }) => ({
      HUAWEI_APP_KEY: v.appKey,
      HUAWEI_APP_SECRET: v.appSecret,
    }),
  },
} as const;

export type SecretName = keyof typeof SECRETS;
export const SECRET_NAMES = Object.keys(SECRETS) as SecretName[];

/** What to fix, in words (zod/mini carries no messages of its own); never the value. */
function problem(issue: z.core.$ZodIssue): string {
  const what = issue.path.join(".") || "(value)";
  if (issue.code === "too_small")
    return issue.origin === "string"
      ? `${what}: needs at least ${issue.minimum} characters`
      : `${what}: needs at least ${issue.minimum} entries`;
  if (issue.code === "invalid_type")
    return `${what}: required, ${issue.expected === "array" ? "a list" : `a ${issue.expected}`}`;
  return `${what}: invalid`;
}

const failed = (problems: string[]) =>
  new Error(`smsgate secrets invalid — ${problems.join("; ")}`);

/** What the client needs besides the configuration; tests pass credentials. */
export interface SecretsClientOptions {
  credentials?: Credentials;
}

/** BatchGetSecretValue's answer, the parts read here. */
interface BatchOutput {
  SecretValues?: { Name?: string; ARN?: string; SecretString?: string }[];
  Errors?: { SecretId?: string; ErrorCode?: string }[];
}

/**
 * The configuration with the listed secrets filled in, checked (checkSecrets). Without
 * SMSGATE_SECRETS_PREFIX (the local stack, tests) the configuration is returned as it is:
 * its secrets came from the environment and were checked by loadConfig.
 */
export async function resolveSecrets(
  config: Config,
  options: SecretsClientOptions = {},
): Promise<Config> {
  const prefix = config.SMSGATE_SECRETS_PREFIX;
  if (!prefix) return config;
  const listed = [...new Set(config.SMSGATE_SECRETS)];
  const unknown = listed.filter((n) => !SECRET_NAMES.includes(n as SecretName));
  const names = listed as SecretName[];
  if (unknown.length || names.length === 0)
    throw failed([
      `SMSGATE_SECRETS: ${unknown.length ? `unknown ${unknown.join(", ")}` : "empty"} (any of ${SECRET_NAMES.join(", ")})`,
    ]);
  const ids = names.map((n) => `${prefix}${n}`);

  const client = awsJsonClient({
    service: "secretsmanager",
    target: "secretsmanager",
    protocol: "1.1",
    region: config.AWS_REGION,
    endpoint: config.SECRETS_MANAGER_ENDPOINT,
    // A hung connection must not hold the cold start until the Lambda timeout.
    timeoutMs: 3000,
    maxAttempts: 3,
    credentials: options.credentials ?? awsCredentials,
  });
  let out: BatchOutput;
  try {
    out = await client.call("BatchGetSecretValue", { SecretIdList: ids });
  } catch (err) {
    const e = err as Error;
    // AWS error messages name resources and permissions, never secret values.
    throw new Error(
      `smsgate could not read its secrets (${ids.join(", ")}) from Secrets Manager — ${e.name}: ${e.message}`,
    );
  }

  const problems: string[] = [];
  const filled: Partial<Config> = {};
  for (const [i, name] of names.entries()) {
    const id = ids[i] as string;
    const value = out.SecretValues?.find((v) => v.Name === id || v.ARN === id);
    const error = out.Errors?.find((e) => e.SecretId === id);
    if (!value) {
      problems.push(`secret ${id}: ${error?.ErrorCode ?? "not returned"}`);
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(value.SecretString ?? "");
    } catch {
      // JSON.parse's message quotes the input: never pass it on.
      problems.push(`secret ${id}: SecretString is not JSON`);
      continue;
    }
    const { shape, fill } = SECRETS[name];
    const parsed = shape.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`secret ${id}: ${problem(issue)}`);
      continue;
    }
    Object.assign(filled, (fill as (v: unknown) => Partial<Config>)(parsed.data));
  }
  if (problems.length) throw failed(problems);
  return checkSecrets({ ...config, ...filled });
}

/**
 * Starts the fetch now (a function's INIT, overlapping with loading its handler) and returns
 * the way to await it. A success is kept for the life of the process; a failure is
 * forgotten, so the next event fetches again (the handler build fails with it and is
 * retried too, lib/core/lazy.ts handlerAtInit).
 */
export function secretsAtColdStart(
  config: Config,
  resolve: (c: Config) => Promise<Config> = resolveSecrets,
): () => Promise<Config> {
  let pending: Promise<Config> | undefined;
  const start = () => {
    const p = resolve(config);
    // Handled here, so a failure at INIT is not an unhandled rejection (which would kill the
    // process); the event that awaits it gets the error.
    p.catch(() => {
      if (pending === p) pending = undefined;
    });
    return p;
  };
  pending = start();
  return () => {
    pending ??= start();
    return pending;
  };
}
