/**
 * Authentication of vendor requests: the TC3-HMAC-SHA256 signature (tc3.ts) against the
 * configured SecretId → SecretKey pairs, on the emulator's clock for the ±300 s check.
 */
import type { IncomingMessage } from "node:http";
import { type Tc3VerifyResult, verifyTc3 } from "./tc3";

/**
 * docs/providers/tencent.md §2.4: the path and the raw query as received (not re-encoded) and
 * the raw body bytes are what the client signed.
 */
export function authenticate(
  req: IncomingMessage,
  body: Buffer,
  secretKeys: ReadonlyMap<string, string>,
  nowMs: number,
): Tc3VerifyResult {
  const [path = "/", query = ""] = (req.url ?? "/").split(/\?(.*)/s);
  return verifyTc3({
    method: req.method ?? "POST",
    path,
    query,
    headers: req.headers,
    body,
    lookupSecretKey: (secretId) => secretKeys.get(secretId),
    nowMs,
  });
}
