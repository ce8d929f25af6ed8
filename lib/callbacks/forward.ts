/**
 * Forwards replies to an app's own webhook: a JSON body signed with the app's secret in
 * `X-Smsgate-Signature` (hex HMAC-SHA256 of the exact body). A 2xx answer acknowledges.
 */
import { createHmac } from "node:crypto";
import type { StoredReply } from "../core/model";

export function signBody(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/** The body the app receives for a reply. */
export function replyEvent(r: StoredReply): string {
  return JSON.stringify({
    type: "reply",
    id: r.id,
    appId: r.appId,
    phone: r.phone,
    text: r.text,
    sign: r.sign ?? null,
    provider: r.provider,
    receivedAt: r.receivedAt,
    optedOut: r.optedOut,
  });
}

/** One attempt; true when the app acknowledged with a 2xx. Never throws. */
export async function deliver(
  url: string,
  secret: string,
  body: string,
  timeoutMs: number,
): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-smsgate-signature": signBody(secret, body),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** When to try again after `attempts` failures: 1, 2, 4 … minutes, at most an hour apart. */
export function nextAttempt(now: number, attempts: number): number {
  return now + Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

export const FORWARD_WINDOW_MS = 24 * 3600_000;
