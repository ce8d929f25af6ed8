/**
 * X-WSSE, the UsernameToken scheme of Huawei Cloud MSGSMS — pure functions, no I/O.
 *
 * docs/providers/huawei.md §3.1 ("X-WSSE认证"; cited below as "docs/providers/huawei.md §n"):
 *   Authorization: WSSE realm="SDP",profile="UsernameToken",type="Appkey"
 *   X-WSSE: UsernameToken Username="<app_key>",PasswordDigest="<d>",Nonce="<n>",Created="<c>"
 *   PasswordDigest = Base64(SHA256(Nonce + Created + app_secret)), joined with no separator.
 * docs/providers/huawei.md §0.3: which bytes get base64-encoded is ambiguous (the doc example is base64 of the
 * lowercase HEX string, 88 chars; many working clients send base64 of the RAW digest, 44
 * chars), so the verifier accepts both. Vectors: docs/providers/huawei.md §3.3, test/unit/huawei-wsse.test.ts.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { type HeaderBag, headerValue } from "../emulator-kit/http";

export type { HeaderBag };

export type DigestEncoding = "hex" | "raw";

/** docs/providers/huawei.md §3.1: the accepted skew is 24 hours (in either direction). */
export const WSSE_MAX_SKEW_MS = 24 * 3600_000;

/**
 * Codes and HTTP statuses from docs/providers/huawei.md §2.4. The 400 group is the header-shape checks, the
 * 401 group the credential checks.
 */
export const WSSE_FAILURES = {
  E000001: [400, "Authorization not contained in HTTP header."],
  E000002: [400, "realm not contained in Authorization."],
  E000003: [400, "profile not contained in Authorization."],
  E000004: [400, "realm in Authorization must be SDP."],
  E000005: [400, "profile in Authorization must be UsernameToken."],
  E000006: [400, "type in Authorization must be Appkey."],
  E000007: [400, "type not contained in Authorization."],
  E000008: [400, "WSSE not contained in Authorization."],
  E000020: [400, "X-WSSE not contained in HTTP header."],
  E000021: [400, "UserName not contained in X-WSSE."],
  E000022: [400, "Nonce not contained in X-WSSE."],
  // UNCONFIRMED (docs/providers/huawei.md §2.4): E000023/E000024 are numbered by analogy with E000021/22.
  E000023: [400, "Created not contained in X-WSSE."],
  E000024: [400, "PasswordDigest not contained in X-WSSE."],
  // docs/providers/huawei.md §2.4 [doc fragment]: 401 "Authentication failed".
  E000101: [401, "Authentication failed."],
  // UNCONFIRMED (docs/providers/huawei.md §2.4): "Time out limit", i.e. Created too far from server time.
  // (The doc's E000001 troubleshooting also mentions the 24 h skew; we follow the 401 table.)
  E000110: [401, "Time out limit."],
  // docs/providers/huawei.md §2.4 [doc fragment; code inferred from its position]: no user for the app_key.
  E000111: [401, "User name or password is incorrect."],
} as const satisfies Record<string, readonly [number, string]>;

export type WsseFailureCode = keyof typeof WSSE_FAILURES;

export interface WsseFailure {
  ok: false;
  code: WsseFailureCode;
  status: number;
  description: string;
}

export type WsseResult = { ok: true; appKey: string; encoding: DigestEncoding } | WsseFailure;

export interface WsseHeaderInput {
  appKey: string;
  appSecret: string;
  /** Default: 32 upper-case hex characters, like the doc example (docs/providers/huawei.md §3.1). */
  nonce?: string;
  /** Default: now, UTC `YYYY-MM-DDTHH:MM:SSZ`. */
  created?: string;
  /** Default "hex", the form of the doc example (docs/providers/huawei.md §0.3). */
  encoding?: DigestEncoding;
}

/** UTC `yyyy-MM-dd'T'HH:mm:ss'Z'` (docs/providers/huawei.md §3.1 Created, §2.3 createTime, §4.1 updateTime). */
export function wsseCreated(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Base64 of SHA-256(nonce + created + secret): of the hex string, or of the raw 32 bytes. */
export function passwordDigest(
  nonce: string,
  created: string,
  secret: string,
  encoding: DigestEncoding,
): string {
  const hash = createHash("sha256").update(`${nonce}${created}${secret}`, "utf8");
  if (encoding === "raw") return hash.digest("base64");
  return Buffer.from(hash.digest("hex"), "utf8").toString("base64");
}

/** The two headers a client sends (docs/providers/huawei.md §3.1). */
export function wsseHeaders(input: WsseHeaderInput): { Authorization: string; "X-WSSE": string } {
  const nonce = input.nonce ?? randomUUID().replaceAll("-", "").toUpperCase();
  const created = input.created ?? wsseCreated(Date.now());
  const digest = passwordDigest(nonce, created, input.appSecret, input.encoding ?? "hex");
  return {
    Authorization: 'WSSE realm="SDP",profile="UsernameToken",type="Appkey"',
    "X-WSSE": `UsernameToken Username="${input.appKey}",PasswordDigest="${digest}",Nonce="${nonce}",Created="${created}"`,
  };
}

// ---------------------------------------------------------------------------------------------
// Parsing: loose on purpose (docs/providers/huawei.md §3.1: working clients use both "," and ", " between
// attributes), so: optional spaces around "," and "=", optional quotes, any case of names.

export interface ParsedHeader {
  /** The leading token ("WSSE", "UsernameToken"), or undefined when the value starts with an attribute. */
  scheme: string | undefined;
  /** Attribute values by lower-cased name; the first occurrence wins. */
  attributes: Map<string, string>;
}

/** Splits `Scheme name="value", name2=value2` into its scheme and attributes. */
export function parseHeader(value: string): ParsedHeader {
  const schemeMatch = /^\s*([A-Za-z][\w-]*)(?!\s*=)(?:\s+|$)/.exec(value);
  const scheme = schemeMatch?.[1];
  const rest = schemeMatch ? value.slice(schemeMatch[0].length) : value;
  const attributes = new Map<string, string>();
  for (const match of rest.matchAll(/([A-Za-z][\w-]*)\s*=\s*(?:"([^"]*)"|([^\s,"]*))/g)) {
    const name = (match[1] ?? "").toLowerCase();
    if (!attributes.has(name)) attributes.set(name, match[2] ?? match[3] ?? "");
  }
  return { scheme, attributes };
}

function fail(code: WsseFailureCode): WsseFailure {
  const [status, description] = WSSE_FAILURES[code];
  return { ok: false, code, status, description };
}

/** Ms since the epoch of a strict `YYYY-MM-DDTHH:MM:SSZ`, or undefined. */
export function parseCreated(created: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(created);
  if (!match) return undefined;
  const ms = Date.parse(created);
  // Date.parse rolls over impossible dates in some engines; insist on a round trip.
  return Number.isNaN(ms) || wsseCreated(ms) !== created ? undefined : ms;
}

/** docs/providers/huawei.md §3.1: realm SDP, profile UsernameToken, type Appkey. */
function checkAuthorization(value: string | undefined): WsseFailure | undefined {
  if (value === undefined || value.trim() === "") return fail("E000001");
  const { scheme, attributes } = parseHeader(value);
  if (scheme?.toLowerCase() !== "wsse") return fail("E000008");
  const realm = attributes.get("realm");
  if (!realm) return fail("E000002");
  if (realm !== "SDP") return fail("E000004");
  const profile = attributes.get("profile");
  if (!profile) return fail("E000003");
  if (profile !== "UsernameToken") return fail("E000005");
  const type = attributes.get("type");
  if (!type) return fail("E000007");
  if (type !== "Appkey") return fail("E000006");
  return undefined;
}

interface UsernameToken {
  username: string;
  nonce: string;
  created: string;
  digest: string;
}

function parseUsernameToken(value: string | undefined): UsernameToken | WsseFailure {
  if (value === undefined || value.trim() === "") return fail("E000020");
  const { scheme, attributes } = parseHeader(value);
  // Inferred: no code is documented for a wrong scheme; the header is as good as missing.
  if (scheme?.toLowerCase() !== "usernametoken") return fail("E000020");
  const username = attributes.get("username");
  if (!username) return fail("E000021");
  const nonce = attributes.get("nonce");
  // docs/providers/huawei.md §3.1: Nonce is 1-128 digits and letters. Inferred: a bad one counts as missing.
  if (!nonce || !/^[0-9A-Za-z]{1,128}$/.test(nonce)) return fail("E000022");
  const created = attributes.get("created");
  if (!created) return fail("E000023");
  const digest = attributes.get("passworddigest");
  if (!digest) return fail("E000024");
  return { username, nonce, created, digest };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Verifies the two headers: shape first (400 codes), then the app_key, Created within ±24 h
 * of nowMs, and the digest in either encoding (401 codes).
 */
export function verifyWsse(
  headers: HeaderBag,
  lookupSecret: (appKey: string) => string | undefined,
  nowMs: number,
): WsseResult {
  const authorizationProblem = checkAuthorization(headerValue(headers, "authorization"));
  if (authorizationProblem) return authorizationProblem;
  const token = parseUsernameToken(headerValue(headers, "x-wsse"));
  if ("ok" in token) return token;

  const secret = lookupSecret(token.username);
  if (secret === undefined) return fail("E000111");
  const createdMs = parseCreated(token.created);
  if (createdMs === undefined || Math.abs(nowMs - createdMs) > WSSE_MAX_SKEW_MS) {
    return fail("E000110");
  }
  for (const encoding of ["hex", "raw"] as const) {
    const expected = passwordDigest(token.nonce, token.created, secret, encoding);
    if (sameText(expected, token.digest)) return { ok: true, appKey: token.username, encoding };
  }
  return fail("E000101");
}
