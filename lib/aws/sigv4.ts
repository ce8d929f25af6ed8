/**
 * AWS Signature Version 4 for the one request shape smsgate sends AWS: a JSON POST with no
 * query, to "/" (the JSON protocols) or to a fixed ASCII path (SES's REST API). Pure functions over node:crypto; checked against the
 * AWS SDK's own signer (@smithy/signature-v4) in test/unit/sigv4.test.ts, and verified on the
 * wire by the local Secrets Manager (local/secrets-manager/sigv4.ts), which signs nothing.
 */
import { createHash, createHmac } from "node:crypto";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (a Lambda role's) carry one; it is signed as x-amz-security-token. */
  sessionToken?: string;
}

export interface Scope {
  region: string;
  /** The signing name: dynamodb, sqs, secretsmanager. */
  service: string;
}

const sha256Hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: Buffer | string, data: string) =>
  createHmac("sha256", key).update(data, "utf8").digest();

/** yyyymmddThhmmssZ, as X-Amz-Date wants it. */
export const amzDate = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

/**
 * The derived key depends only on the secret, the day, the region and the service: four HMACs
 * saved on every request but the first of a day.
 */
const keys = new Map<string, Buffer>();
function signingKey(secret: string, day: string, scope: Scope): Buffer {
  const id = `${day}/${scope.region}/${scope.service}/${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), scope.region), scope.service), "aws4_request");
    if (keys.size > 16) keys.clear();
    keys.set(id, key);
  }
  return key;
}

/**
 * Adds x-amz-date, x-amz-security-token (when there is one) and authorization to `headers`
 * (lower-case names, host among them) for a POST of `body` to `path` (unreserved characters
 * and "/" only, so it is its own canonical form). Every header given is signed.
 */
export function sign(
  path: string,
  headers: Record<string, string>,
  body: string,
  credentials: Credentials,
  scope: Scope,
  nowMs: number,
): Record<string, string> {
  const date = amzDate(nowMs);
  const day = date.slice(0, 8);
  const all: Record<string, string> = { ...headers, "x-amz-date": date };
  if (credentials.sessionToken) all["x-amz-security-token"] = credentials.sessionToken;
  const names = Object.keys(all).sort();
  const canonical = [
    "POST",
    path,
    "",
    names.map((n) => `${n}:${String(all[n]).trim().replace(/\s+/g, " ")}\n`).join(""),
    names.join(";"),
    sha256Hex(body),
  ].join("\n");
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${date}\n${credentialScope}\n${sha256Hex(canonical)}`;
  const signature = createHmac("sha256", signingKey(credentials.secretAccessKey, day, scope))
    .update(toSign, "utf8")
    .digest("hex");
  all.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
  return all;
}
