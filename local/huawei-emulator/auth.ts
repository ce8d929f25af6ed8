/**
 * Authentication of vendor requests: X-WSSE (wsse.ts) against the configured app_key →
 * app_secret pairs, on the emulator's clock for the ±24 h Created check.
 */
import type { IncomingMessage } from "node:http";
import type { HuaweiEmulatorCredential } from "./types";
import { verifyWsse, type WsseResult } from "./wsse";

/** docs/providers/huawei.md §3.1; a failure carries the code and HTTP status of §2.4. */
export function authenticate(
  req: IncomingMessage,
  credentials: ReadonlyMap<string, HuaweiEmulatorCredential>,
  nowMs: number,
): WsseResult {
  return verifyWsse(req.headers, (appKey) => credentials.get(appKey)?.appSecret, nowMs);
}
