/**
 * Standard Webhooks signing (docs/api.md "Webhooks to the app"): `webhook-id`,
 * `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
 */
import { createHmac } from "node:crypto";

const PREFIX = "whsec_";

/** A `whsec_` secret is base64 after the prefix, as the spec says; any other is its UTF-8 bytes. */
export function signingKey(secret: string): Buffer {
  return secret.startsWith(PREFIX)
    ? Buffer.from(secret.slice(PREFIX.length), "base64")
    : Buffer.from(secret, "utf8");
}

/** Whether a `whsec_` secret is well formed: standard base64 of at least 16 bytes. */
export function isUsableSecret(secret: string): boolean {
  if (!secret.startsWith(PREFIX)) return true;
  const b64 = secret.slice(PREFIX.length);
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)
    ? signingKey(secret).length >= 16
    : false;
}

/** The three headers for one attempt; `timestamp` is the attempt's unix seconds. */
export function signatureHeaders(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  const mac = createHmac("sha256", signingKey(secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest("base64");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${mac}`,
  };
}
