/**
 * Forwards replies to an app's own webhook through lib/webhooks (docs/api.md "Webhooks to
 * the app"): a `message.reply` event signed per Standard Webhooks, `webhook-id` the reply's
 * id on every attempt. A 2xx answer acknowledges; anything else is retried with backoff.
 */
import { masterSecret } from "../config";
import type { Deps } from "../core/deps";
import type { App, StoredReply } from "../core/model";
import { unseal } from "../core/secrets";
import { deliverWebhook, eventBody, loopbackAllowed } from "../webhooks";

/** The body the app receives for a reply. */
export function replyEvent(r: StoredReply): string {
  return eventBody("message.reply", {
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

/** When to try again after `attempts` failures: 1, 2, 4 … minutes, at most an hour apart. */
export function nextAttempt(now: number, attempts: number): number {
  return now + Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

export const FORWARD_WINDOW_MS = 24 * 3600_000;

/**
 * One forward attempt, recorded: delivered, due again with backoff, or given up after 24 h.
 * What went wrong goes to the log only; the reply records just the state, so reading
 * replies tells a caller nothing about what the URL's host answered or how fast.
 */
export async function forwardReply(
  deps: Deps,
  app: App,
  r: StoredReply,
  attemptsBefore: number,
  timeoutMs: number,
): Promise<boolean> {
  if (!app.replyWebhook) return false;
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const result = await deliverWebhook({
    url: app.replyWebhook.url,
    secret: unseal(masterSecret(deps.config), app.replyWebhook.sealedSecret),
    id: r.id,
    body: replyEvent(r),
    now,
    timeoutMs,
    allowLoopback: loopbackAllowed(deps.config),
  });
  const attempts = attemptsBefore + 1;
  if (!result.ok)
    deps.log.info("reply forward failed", {
      appId: app.appId,
      id: r.id,
      attempts,
      reason: result.reason,
    });
  const expired = now - Date.parse(r.createdAt) >= FORWARD_WINDOW_MS;
  await deps.store.settleForward(
    r,
    result.ok
      ? { state: "delivered" }
      : expired
        ? { state: "failed" }
        : { state: "pending", next: new Date(nextAttempt(now, attempts)).toISOString() },
    attempts,
    at,
  );
  return result.ok;
}
