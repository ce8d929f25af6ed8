/**
 * TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0 — pure functions, no I/O.
 *
 * docs/providers/tencent.md §2.3 (TC3-HMAC-SHA256 as the SDK computes it) and §2.4 (verifying a
 * signature); cited below as "docs/providers/tencent.md §n". Verified against tencentcloud-sdk-nodejs-common
 * 4.1.220 `common/sign.js` (see test/unit/tencent-tc3.test.ts, which signs with the SDK and
 * verifies with this file).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { type HeaderBag, headerValue } from "../emulator-kit/http";

export type { HeaderBag };

export const TC3_ALGORITHM = "TC3-HMAC-SHA256";

/** docs/providers/tencent.md §2.3: skew > 5 min → AuthFailure.SignatureExpire. */
export const TC3_MAX_SKEW_SECONDS = 300;

export type Tc3FailureCode =
  | "AuthFailure.InvalidAuthorization"
  | "AuthFailure.SecretIdNotFound"
  | "AuthFailure.SignatureExpire"
  | "AuthFailure.SignatureFailure";

export interface Tc3SignInput {
  secretId: string;
  secretKey: string;
  /** "POST" or "GET". */
  method: string;
  /** URL path, e.g. "/". */
  path: string;
  /** Raw query string without "?"; "" for POST. */
  query?: string;
  /**
   * Headers to sign; must contain `content-type` and `host`, may contain more (Tencent's own
   * demo also signs `x-tc-action`). Values are signed as given (lower-cased, trimmed): pass
   * the host WITHOUT port, as the SDK does (it signs `URL.hostname`).
   */
  headers: { "content-type": string; host: string } & Record<string, string>;
  body: Buffer | string;
  /** Unix seconds; the same value goes into X-TC-Timestamp. */
  timestamp: number;
  /** Credential-scope service, e.g. "sms" (the SDK uses `endpoint.split(".")[0]`). */
  service: string;
  /** Override the credential-scope date (tests only; normally the UTC date of timestamp). */
  date?: string;
}

export interface Tc3VerifyInput {
  method: string;
  /** Path part of the request target (before "?"). */
  path: string;
  /** Raw query string without "?". */
  query: string;
  /** Received headers; keys in any case (node:http lower-cases them). */
  headers: HeaderBag;
  /** The raw request body bytes, exactly as received. */
  body: Buffer;
  /** SecretKey for a SecretId, undefined if unknown. */
  lookupSecretKey: (secretId: string) => string | undefined;
  /** Current time in ms. */
  nowMs: number;
}

export type Tc3VerifyResult =
  | { ok: true; secretId: string; service: string }
  | { ok: false; code: Tc3FailureCode; message: string };

export interface ParsedAuthorization {
  secretId: string;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** UTC YYYY-MM-DD of a unix-seconds timestamp (docs/providers/tencent.md §2.3: `date`). */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

/** Strip a trailing ":port" from a Host value (docs/providers/tencent.md §2.3: host is signed without port). */
export function stripPort(host: string): string {
  return host.replace(/:\d+$/, "");
}

/** Header names sorted, values lower-cased and trimmed (docs/providers/tencent.md §2.3 general rules). */
function canonicalHeaders(entries: [string, string][]): { block: string; names: string } {
  const sorted = entries
    .map(([name, value]) => [name.toLowerCase(), value.trim().toLowerCase()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    block: sorted.map(([name, value]) => `${name}:${value}\n`).join(""),
    names: sorted.map(([name]) => name).join(";"),
  };
}

interface SignatureParts {
  method: string;
  path: string;
  query: string;
  headerEntries: [string, string][];
  bodyHash: string;
  timestamp: number;
  date: string;
  service: string;
  secretKey: string;
}

/** Hex signature over the canonical request; shared by signer and verifier. */
function computeSignature(parts: SignatureParts): { signature: string; signedHeaders: string } {
  const { block, names } = canonicalHeaders(parts.headerEntries);
  const canonicalRequest = [
    parts.method.toUpperCase(),
    parts.path,
    parts.query,
    block,
    names,
    parts.bodyHash,
  ].join("\n");
  const scope = `${parts.date}/${parts.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, parts.timestamp, scope, sha256Hex(canonicalRequest)].join(
    "\n",
  );
  const kDate = hmac(`TC3${parts.secretKey}`, parts.date);
  const kService = hmac(kDate, parts.service);
  const kSigning = hmac(kService, "tc3_request");
  return { signature: hmac(kSigning, stringToSign).toString("hex"), signedHeaders: names };
}

/** Authorization header value for a request (what the SDK's `Sign.sign3` returns). */
export function tc3Sign(input: Tc3SignInput): string {
  const date = input.date ?? tc3Date(input.timestamp);
  const { signature, signedHeaders } = computeSignature({
    method: input.method,
    path: input.path,
    query: input.query ?? "",
    headerEntries: Object.entries(input.headers),
    bodyHash: sha256Hex(input.body),
    timestamp: input.timestamp,
    date,
    service: input.service,
    secretKey: input.secretKey,
  });
  return `${TC3_ALGORITHM} Credential=${input.secretId}/${date}/${input.service}/tc3_request, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

/**
 * Parse `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=a;b,
 * Signature=<hex>`; undefined when malformed.
 */
export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  if (!value) return undefined;
  const match =
    /^TC3-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]{64})\s*$/.exec(
      value.trim(),
    );
  if (!match) return undefined;
  const [, credential = "", signedHeaderList = "", signature = ""] = match;
  const scope = /^(.+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request$/.exec(credential);
  if (!scope) return undefined;
  const [, secretId = "", date = "", service = ""] = scope;
  const signedHeaders = signedHeaderList.toLowerCase().split(";");
  if (signedHeaders.some((name) => name === "")) return undefined;
  return { secretId, date, service, signedHeaders, signature: signature.toLowerCase() };
}

function fail(code: Tc3FailureCode, message: string): Tc3VerifyResult {
  return { ok: false, code, message };
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Verify a received request (docs/providers/tencent.md §2.4): service and date
 * from the credential scope; canonical headers rebuilt from the RECEIVED headers listed in
 * SignedHeaders, Host with its port stripped; hash of the raw body bytes; scope date must be
 * the UTC date of X-TC-Timestamp; |now − timestamp| ≤ 300 s.
 */
export function verifyTc3(input: Tc3VerifyInput): Tc3VerifyResult {
  const auth = parseAuthorization(headerValue(input.headers, "authorization"));
  if (!auth) {
    return fail(
      "AuthFailure.InvalidAuthorization",
      "Authorization header is missing or malformed.",
    );
  }
  // docs/providers/tencent.md §2.3: SignedHeaders must include at least content-type and host.
  if (!auth.signedHeaders.includes("content-type") || !auth.signedHeaders.includes("host")) {
    return fail(
      "AuthFailure.InvalidAuthorization",
      "SignedHeaders must include content-type;host.",
    );
  }
  const timestampText = headerValue(input.headers, "x-tc-timestamp") ?? "";
  if (!/^\d+$/.test(timestampText)) {
    return fail("AuthFailure.InvalidAuthorization", "X-TC-Timestamp is missing or not a number.");
  }
  const timestamp = Number(timestampText);

  const secretKey = input.lookupSecretKey(auth.secretId);
  if (secretKey === undefined) {
    return fail(
      "AuthFailure.SecretIdNotFound",
      "The SecretId is not found, please ensure that your SecretId is correct.",
    );
  }
  if (Math.abs(input.nowMs / 1000 - timestamp) > TC3_MAX_SKEW_SECONDS) {
    return fail(
      "AuthFailure.SignatureExpire",
      "Signature expired. Timestamp must be within 5 minutes of server time.",
    );
  }
  if (auth.date !== tc3Date(timestamp)) {
    return fail(
      "AuthFailure.SignatureFailure",
      "The credential scope date does not match X-TC-Timestamp.",
    );
  }

  const headerEntries: [string, string][] = [];
  for (const name of auth.signedHeaders) {
    const value = headerValue(input.headers, name);
    if (value === undefined) {
      return fail("AuthFailure.SignatureFailure", `Signed header ${name} was not sent.`);
    }
    headerEntries.push([name, name === "host" ? stripPort(value) : value]);
  }
  const { signature } = computeSignature({
    method: input.method,
    path: input.path,
    query: input.query,
    headerEntries,
    bodyHash: sha256Hex(input.body),
    timestamp,
    date: auth.date,
    service: auth.service,
    secretKey,
  });
  if (!sameHex(signature, auth.signature)) {
    return fail(
      "AuthFailure.SignatureFailure",
      "The provided credentials could not be validated. Please check your signature is correct.",
    );
  }
  return { ok: true, secretId: auth.secretId, service: auth.service };
}
