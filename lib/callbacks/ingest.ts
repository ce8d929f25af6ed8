/**
 * Vendor webhooks (docs/architecture.md "Following the delivery report"). The URL's token names the app and is
 * verified without a read. Status reports become final statuses exactly once; replies are
 * stored, "stop" keywords opt the number out, and replies are forwarded to the app.
 */
import { createHash } from "node:crypto";
import { masterSecret } from "../config";
import { appBindingKey } from "../core/binding";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import { messageIdForSerial, ulid } from "../core/ids";
import type { App, InboundReply, StoredReply } from "../core/model";
import {
  claimOfCallbackToken,
  isAccountReplyToken,
  type TokenClaim,
  tokenValid,
} from "../core/secrets";
import type { WebhookAck, Webhooks } from "../providers/port";
import { isUnsubscribe } from "../rules/keywords";
import { forwardReply } from "./forward";
import { replyOptOut } from "./reply-optout";

/**
 * The app a callback token was minted for, and its generation (verified without a read);
 * whether that generation is still valid is checked once the app is read (tokenValid).
 */
function claimForToken(deps: Deps, token: string): TokenClaim {
  const claim = claimOfCallbackToken(masterSecret(deps.config), token);
  if (!claim) throw new AppError("AuthFailure.InvalidCallbackToken");
  return claim;
}

/** A rotated-out token past its 7 days answers like an unknown one; nothing is written. */
function requireCurrent(deps: Deps, app: App | undefined, claim: TokenClaim): App {
  if (!app || !tokenValid(app.callbackTokens, claim.generation, deps.clock.now()))
    throw new AppError("AuthFailure.InvalidCallbackToken");
  return app;
}

function webhooksFor(deps: Deps, provider: string): Webhooks {
  const w = deps.providers.webhooks(provider);
  if (!w)
    throw new AppError(
      "ResourceNotFound",
      `Unknown provider "${provider}"; use tencent or huawei.`,
    );
  return w;
}

export interface CallbackInput {
  provider: string;
  token: string;
  body: string;
  contentType?: string;
}

/** POST /callbacks/{provider}/status/{token}. */
export async function ingestStatusReports(deps: Deps, input: CallbackInput): Promise<WebhookAck> {
  const webhooks = webhooksFor(deps, input.provider);
  const claim = claimForToken(deps, input.token);
  const { appId } = claim;
  const parsed = webhooks.parseStatusReports(input.body, input.contentType);
  if (!parsed.ok) {
    deps.log.warn("status report refused", {
      appId,
      provider: input.provider,
      error: parsed.error,
    });
    return { ...webhooks.ack(false, parsed.error), statusCode: 400 };
  }
  const at = new Date(deps.clock.now()).toISOString();
  // The token's binding decides which reports it may speak for (docs/architecture.md).
  const result = await deps.store.applyReports(
    parsed.items.map((report) => ({
      messageId: messageIdForSerial(report.provider, report.serial),
      report,
    })),
    at,
    {
      appId,
      // Refuses (before anything is written) a token rotated out past its 7 days.
      bindingOf: (app) =>
        appBindingKey(deps.config, requireCurrent(deps, app, claim).providers, input.provider),
    },
  );
  if (result.ignored > 0)
    deps.log.warn("status reports ignored: not sent through this token's binding", {
      appId,
      provider: input.provider,
      ignored: result.ignored,
    });
  deps.log.info("status reports", {
    appId,
    provider: input.provider,
    reports: parsed.items.length,
    ...result,
  });
  return webhooks.ack(true);
}

/**
 * The signature a reply answers: Tencent names it; Huawei names only the channel number the
 * user replied to (huawei.md §5), which the app's binding maps back to a signature. Unknown:
 * every signature of the app ("*"), unless the app has only one.
 */
function signOf(app: App, reply: InboundReply): string {
  if (reply.sign) return reply.sign;
  if (reply.provider === "huawei" && reply.extend) {
    const senders = app.providers.find((b) => b.provider === "huawei")?.senders ?? {};
    const match = Object.entries(senders).find(([, channel]) => reply.extend?.startsWith(channel));
    if (match) return match[0];
  }
  return app.signatures.length === 1 ? (app.signatures[0] as string) : "*";
}

const fingerprint = (r: InboundReply) =>
  createHash("sha256")
    .update(JSON.stringify([r.phone, r.sign ?? "", r.text, r.receivedAt]))
    .digest("base64url")
    .slice(0, 32);

/**
 * POST /callbacks/{provider}/reply/{token}. An app's token files replies under that app; the
 * account-level token (GET /v1/callbacks) files each under the app that last texted the
 * number under its signature — Tencent takes one reply URL per account and its reply names
 * no SdkAppId (docs/providers/tencent.md §4b). Replies are de-duplicated on number, signature,
 * text and the vendor's time; each new reply gets one quick forward attempt, and what the
 * app did not acknowledge is retried by the checker (lib/checker/housekeeping.ts).
 */
export async function ingestReplies(deps: Deps, input: CallbackInput): Promise<WebhookAck> {
  const webhooks = webhooksFor(deps, input.provider);
  const account = isAccountReplyToken(masterSecret(deps.config), input.token);
  const claim = account ? undefined : claimForToken(deps, input.token);
  const tokenApp = claim?.appId;
  const parsed = webhooks.parseReplies(input.body, input.contentType);
  if (!parsed.ok) {
    deps.log.warn("reply refused", {
      appId: tokenApp,
      provider: input.provider,
      error: parsed.error,
    });
    return { ...webhooks.ack(false, parsed.error), statusCode: 400 };
  }
  const routed = await Promise.all(
    parsed.items.map(async (reply) => ({
      reply,
      appId: tokenApp ?? (await deps.store.lastSender(input.provider, reply.phone, reply.sign)),
    })),
  );
  const apps = new Map<string, App | undefined>();
  for (const { appId } of routed)
    if (appId && !apps.has(appId)) apps.set(appId, await deps.store.getApp(appId));
  if (claim) requireCurrent(deps, apps.get(claim.appId), claim);
  const at = new Date(deps.clock.now()).toISOString();
  let duplicates = 0;
  let unroutable = 0;
  await Promise.all(
    routed.map(async ({ reply, appId }) => {
      const app = appId ? apps.get(appId) : undefined;
      if (!app) {
        unroutable++; // nobody we know texted this number: acknowledged, logged, not filed
        return;
      }
      if (!(await deps.store.claimReply(app.appId, reply.phone, fingerprint(reply), at))) {
        duplicates++;
        return;
      }
      const r: StoredReply = {
        ...reply,
        id: ulid(deps.clock.now()),
        appId: app.appId,
        createdAt: at,
        optedOut: isUnsubscribe(reply.text, app.unsubscribeKeywords),
      };
      // The durable writes: the reply (queued for forwarding) and any opt-out it makes.
      await Promise.all([
        deps.store.putReply(r, Boolean(app.replyWebhook)),
        // Opted out of the signature and the type of the message it answers (reply-optout.ts).
        r.optedOut ? replyOptOut(deps, r, signOf(app, r), at) : undefined,
      ]);
      deps.log.info("reply", { appId: app.appId, id: r.id, phone: r.phone, optedOut: r.optedOut });
      // One quick attempt now (docs/api.md "Reply forwarding"); the checker retries the rest.
      if (app.replyWebhook) await forwardReply(deps, app, r, 0, 1500);
    }),
  );
  if (duplicates || unroutable)
    deps.log.info("replies not filed", { provider: input.provider, duplicates, unroutable });
  return webhooks.ack(true);
}
