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
import type { Item } from "../store/db";
import { outboxPartition } from "../store/outbox";
import { replyOutboxEvent } from "../webhooks/events";
import { wakeOutbox } from "../webhooks/queue";
import { replyOptOut } from "./reply-optout";
import { afterTransitions, appLookup } from "./transitions";

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
  // Acknowledge first, forward after: the events are queued (outbox + queue) before the
  // answer, and delivered by the webhook worker (docs/architecture.md "Webhooks to the app").
  const { transitions, app: _app, ...counts } = result;
  const { events } = await afterTransitions(deps, transitions, appLookup(deps, [result.app]));
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
    ...counts,
    events,
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
 * text and the vendor's time; each new reply is queued for the app's webhook in the outbox
 * and delivered after the vendor is answered (lib/callbacks/forward.ts).
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
  // The durable writes, batched: each reply, its outbox event, and any opt-out it makes.
  const items: Item[] = [];
  const partitions: string[] = [];
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
      items.push(deps.store.replyItem(r, Boolean(app.replyWebhook)));
      if (app.replyWebhook) {
        const event = replyOutboxEvent(r);
        items.push(...deps.store.outboxItems([event], at));
        partitions.push(outboxPartition(event));
      }
      // Opted out of the signature and the type of the message it answers (reply-optout.ts).
      if (r.optedOut) await replyOptOut(deps, r, signOf(app, r), at);
      deps.log.info("reply", { appId: app.appId, id: r.id, phone: r.phone, optedOut: r.optedOut });
    }),
  );
  await deps.store.putBatch(items);
  // Acknowledge first, forward after: the webhook worker delivers (docs/api.md "Webhooks to
  // the app"); woken before the answer, as nothing runs after it on Lambda.
  await wakeOutbox(deps, partitions);
  if (duplicates || unroutable)
    deps.log.info("replies not filed", { provider: input.provider, duplicates, unroutable });
  return webhooks.ack(true);
}
