/**
 * Outbound webhooks to apps (docs/api.md "Webhooks to the app"): the one delivery
 * machinery. A target guard (public https addresses only), Standard Webhooks signing, and
 * bounded single attempts; callers own retries and what they record.
 */
import type { Config } from "../config";
import type { Deps } from "../core/deps";
import { AppError, messageFor } from "../core/errors";
import { checkTarget } from "./target";

export { type AddressClass, classifyAddress } from "./address";
export {
  type DeliveryResult,
  deliverWebhook,
  MAX_RESPONSE_BYTES,
  type WebhookAttempt,
} from "./deliver";
export { isUsableSecret, signatureHeaders, signingKey } from "./sign";
export { type CheckedTarget, checkTarget, type TargetCheck, type TargetPolicy } from "./target";

/** The local stack's SMSGATE_WEBHOOK_ALLOW_LOOPBACK: plain http and loopback targets allowed. */
export const loopbackAllowed = (config: Config): boolean =>
  config.SMSGATE_WEBHOOK_ALLOW_LOOPBACK === "true";

/** An event's body: `{"type":"message.reply","data":{…}}`. */
export const eventBody = (type: string, data: unknown): string => JSON.stringify({ type, data });

/**
 * When a URL is set: refuses what the guard refuses, resolving the host now (an unset URL
 * passes). The message is the same whatever the reason, so the answer tells nothing about
 * internal names; the log keeps the reason.
 */
export async function assertWebhookUrl(
  deps: Pick<Deps, "config" | "log">,
  field: string,
  url: string | undefined,
): Promise<void> {
  if (url === undefined) return;
  const checked = await checkTarget(url, {
    allowLoopback: loopbackAllowed(deps.config),
    timeoutMs: 3000,
  });
  if (checked.ok) return;
  deps.log.info("webhook url refused", { field, reason: checked.reason });
  throw new AppError(
    "InvalidParameterValue.WebhookUrl",
    `${field}: ${messageFor("InvalidParameterValue.WebhookUrl")}`,
  );
}
