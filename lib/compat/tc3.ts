/**
 * TC3-HMAC-SHA256 verification as Tencent Cloud verifies a request (pure, no I/O), so the
 * official SDKs and hand-rolled signers (docs/providers/tencent.md §6) reach smsgate unchanged.
 *
 * The rules, from docs/providers/tencent.md §2.3 and §2.4: service and date come from the
 * credential scope (the SDK takes the service from the endpoint's first label, so a
 * self-hosted endpoint signs something other than "sms"); the canonical headers are rebuilt
 * from the received headers named in SignedHeaders (at least content-type and host), values
 * trimmed and lower-cased, the Host header's port stripped; the body hash is over the raw
 * bytes as received; the scope date is the UTC date of X-TC-Timestamp, at most 300 s from now.
 *
 * Written apart from the emulator's verifier (local/tencent-emulator/): a test that signs
 * with the real SDK only proves something if the two sides were written independently.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const MAX_SKEW_SECONDS = 300;

export type Tc3Failure =
  | "AuthFailure.InvalidAuthorization"
  | "AuthFailure.SecretIdNotFound"
  | "AuthFailure.SignatureExpire"
  | "AuthFailure.SignatureFailure";

export interface Tc3Authorization {
  secretId: string;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export interface Tc3Request {
  method: string;
  /** The request path, e.g. "/". */
  path: string;
  /** The raw query string without "?" ("" for POST). */
  query: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The body bytes as received. */
  body: Buffer;
}

const AUTH =
  /^TC3-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/i;
const SCOPE = /^([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request$/;

/** The parsed Authorization header, or undefined when it is not a TC3 one. */
export function parseTc3Authorization(value: string | undefined): Tc3Authorization | undefined {
  const m = value ? AUTH.exec(value.trim()) : null;
  if (!m) return undefined;
  const scope = SCOPE.exec(m[1] ?? "");
  if (!scope) return undefined;
  const signedHeaders = (m[2] ?? "").toLowerCase().split(";");
  if (signedHeaders.includes("")) return undefined;
  return {
    secretId: scope[1] ?? "",
    date: scope[2] ?? "",
    service: scope[3] ?? "",
    signedHeaders,
    signature: (m[3] ?? "").toLowerCase(),
  };
}

const hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const mac = (key: Buffer | string, data: string) =>
  createHmac("sha256", key).update(data, "utf8").digest();

/** The expected signature of a request under a secret key (the scope as the caller named it). */
export function tc3Signature(
  req: Tc3Request,
  auth: Omit<Tc3Authorization, "signature">,
  timestamp: number,
  secretKey: string,
): string | undefined {
  const lines: string[] = [];
  for (const name of [...auth.signedHeaders].sort()) {
    const raw = req.headers[name];
    if (raw === undefined) return undefined;
    const value = name === "host" ? raw.replace(/:\d+$/, "") : raw;
    lines.push(`${name}:${value.trim().toLowerCase()}\n`);
  }
  const canonical = [
    req.method.toUpperCase(),
    req.path,
    req.query,
    lines.join(""),
    [...auth.signedHeaders].sort().join(";"),
    hex(req.body),
  ].join("\n");
  const scope = `${auth.date}/${auth.service}/tc3_request`;
  const toSign = ["TC3-HMAC-SHA256", String(timestamp), scope, hex(canonical)].join("\n");
  const kSigning = mac(mac(mac(`TC3${secretKey}`, auth.date), auth.service), "tc3_request");
  return mac(kSigning, toSign).toString("hex");
}

/** Checks what can be checked without the key: shape, signed headers, timestamp, scope date. */
export function preverify(
  req: Tc3Request,
  nowMs: number,
):
  | { ok: true; auth: Tc3Authorization; timestamp: number }
  | { ok: false; code: Tc3Failure; message: string } {
  const auth = parseTc3Authorization(req.headers.authorization);
  if (!auth)
    return {
      ok: false,
      code: "AuthFailure.InvalidAuthorization",
      message:
        "Authorization must be `TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request, SignedHeaders=content-type;host, Signature=<hex>`.",
    };
  if (!auth.signedHeaders.includes("content-type") || !auth.signedHeaders.includes("host"))
    return {
      ok: false,
      code: "AuthFailure.InvalidAuthorization",
      message: "SignedHeaders must include content-type and host.",
    };
  const ts = req.headers["x-tc-timestamp"] ?? "";
  if (!/^\d{1,12}$/.test(ts))
    return {
      ok: false,
      code: "AuthFailure.InvalidAuthorization",
      message: "X-TC-Timestamp must be the signing time in Unix seconds.",
    };
  const timestamp = Number(ts);
  if (Math.abs(nowMs / 1000 - timestamp) > MAX_SKEW_SECONDS)
    return {
      ok: false,
      code: "AuthFailure.SignatureExpire",
      message: "Signature expired: X-TC-Timestamp must be within 5 minutes of the server's time.",
    };
  if (auth.date !== new Date(timestamp * 1000).toISOString().slice(0, 10))
    return {
      ok: false,
      code: "AuthFailure.SignatureFailure",
      message: "The credential scope's date must be the UTC date of X-TC-Timestamp.",
    };
  return { ok: true, auth, timestamp };
}

/** Compares the presented signature with the expected one in constant time. */
export function signatureMatches(
  req: Tc3Request,
  auth: Tc3Authorization,
  timestamp: number,
  secretKey: string,
): boolean {
  const expected = tc3Signature(req, auth, timestamp, secretKey);
  if (!expected) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(auth.signature);
  return a.length === b.length && timingSafeEqual(a, b);
}
