/**
 * AWS Signature Version 4 as the AWS SDK signs a JSON-protocol request (POST /, no query),
 * verified the way AWS does — pure functions, no I/O. docs/deploy.md "The secrets" says
 * what the local Secrets Manager is for.
 *
 * Authorization: AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request,
 * SignedHeaders=<a;b;c>, Signature=<hex>; X-Amz-Date: <yyyymmddThhmmssZ>. The canonical
 * request is method, path, query, "name:value\n" per signed header (lower-case names, sorted,
 * values trimmed with inner spaces collapsed), the signed header names, and the SHA-256 of the
 * body; the string to sign is the algorithm, the date, the scope and the canonical request's
 * hash; the key is HMAC-chained from "AWS4"+secret over date, region, service, "aws4_request".
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { type HeaderBag, headerValue } from "../emulator-kit/http";

/** AWS refuses a request signed more than 15 minutes away from its clock. */
export const SIGV4_MAX_SKEW_MS = 15 * 60_000;

export type SigV4Failure =
  | "MissingAuthenticationTokenException"
  | "IncompleteSignatureException"
  | "UnrecognizedClientException"
  | "InvalidSignatureException";

export type SigV4Result =
  | { ok: true; accessKeyId: string; region: string; service: string }
  | { ok: false; code: SigV4Failure; message: string };

export interface SigV4Request {
  method: string;
  path: string;
  query: string;
  headers: HeaderBag;
  body: Buffer;
}

const sha256Hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) =>
  createHmac("sha256", key).update(data, "utf8").digest();

function signature(
  req: SigV4Request,
  signedHeaders: string[],
  amzDate: string,
  scope: { date: string; region: string; service: string },
  secretAccessKey: string,
): string {
  const canonicalHeaders = signedHeaders
    .map(
      (name) => `${name}:${(headerValue(req.headers, name) ?? "").trim().replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const canonicalRequest = [
    req.method.toUpperCase(),
    req.path,
    req.query,
    canonicalHeaders,
    signedHeaders.join(";"),
    sha256Hex(req.body),
  ].join("\n");
  const scopeText = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scopeText, sha256Hex(canonicalRequest)].join("\n");
  const key = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, scope.date), scope.region), scope.service),
    "aws4_request",
  );
  return hmac(key, toSign).toString("hex");
}

/** Parses X-Amz-Date (yyyymmddThhmmssZ) to ms, or undefined. */
function amzDateMs(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
}

/**
 * Verifies a request for `service` against the known access keys, on `nowMs`. The signed
 * headers must include host and x-amz-date (AWS's own minimum for header signing).
 */
export function verifySigV4(
  req: SigV4Request,
  opts: { service: string; secretOf: (accessKeyId: string) => string | undefined; nowMs: number },
): SigV4Result {
  const fail = (code: SigV4Failure, message: string): SigV4Result => ({ ok: false, code, message });
  const auth = headerValue(req.headers, "authorization");
  if (!auth) return fail("MissingAuthenticationTokenException", "Missing Authentication Token");
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth.trim(),
    );
  if (!m) return fail("IncompleteSignatureException", "Authorization header is malformed.");
  const [, accessKeyId = "", date = "", region = "", service = "", headerList = "", sig = ""] = m;
  const signedHeaders = headerList.split(";");
  if (!signedHeaders.includes("host") || !signedHeaders.includes("x-amz-date"))
    return fail("IncompleteSignatureException", "SignedHeaders must include host and x-amz-date.");
  if ([...signedHeaders].sort().join(";") !== headerList)
    return fail("IncompleteSignatureException", "SignedHeaders must be sorted.");
  const amzDate = headerValue(req.headers, "x-amz-date") ?? "";
  const when = amzDateMs(amzDate);
  if (when === undefined)
    return fail("IncompleteSignatureException", "X-Amz-Date is missing or malformed.");
  if (service !== opts.service)
    return fail("InvalidSignatureException", `Credential should be scoped to ${opts.service}.`);
  if (amzDate.slice(0, 8) !== date)
    return fail("InvalidSignatureException", "Credential date does not match X-Amz-Date.");
  const secret = opts.secretOf(accessKeyId);
  if (secret === undefined)
    return fail(
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  if (Math.abs(opts.nowMs - when) > SIGV4_MAX_SKEW_MS)
    return fail("InvalidSignatureException", "Signature expired.");
  for (const name of signedHeaders)
    if (headerValue(req.headers, name) === undefined)
      return fail("InvalidSignatureException", `Signed header ${name} was not sent.`);
  const expected = Buffer.from(
    signature(req, signedHeaders, amzDate, { date, region, service }, secret),
  );
  const got = Buffer.from(sig);
  if (expected.length !== got.length || !timingSafeEqual(expected, got))
    return fail(
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided.",
    );
  return { ok: true, accessKeyId, region, service };
}
