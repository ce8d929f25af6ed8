/**
 * Vendor webhooks (DESIGN.md "Callbacks and replies"). The URL's token names the app and is
 * verified without a read. Status reports become final statuses exactly once; replies are
 * stored, "stop" keywords opt the number out, and replies are forwarded to the app.
 */
import { masterSecret } from "../config";
import { appBindingKey } from "../core/binding";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import { messageIdForSerial, ulid } from "../core/ids";
import type { App, InboundReply, StoredReply } from "../core/model";
import { appOfCallbackToken } from "../core/secrets";
import type { WebhookAck, Webhooks } from "../providers/port";
import { isUnsubscribe } from "../rules/keywords";
import { forwardReply } from "./forward";
import { replyOptOut } from "./reply-optout";

function appIdForToken(deps: Deps, token: string): string {
  const appId = appOfCallbackToken(masterSecret(deps.config), token);
  if (!appId) throw new AppError("AuthFailure.InvalidCallbackToken");
  return appId;
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
  const appId = appIdForToken(deps, input.token);
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
    { appId, bindingOf: (app) => app && appBindingKey(deps.config, app.providers, input.provider) },
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

/** POST /callbacks/{provider}/reply/{token}. */
export async function ingestReplies(deps: Deps, input: CallbackInput): Promise<WebhookAck> {
  const webhooks = webhooksFor(deps, input.provider);
  const appId = appIdForToken(deps, input.token);
  const parsed = webhooks.parseReplies(input.body, input.contentType);
  if (!parsed.ok) {
    deps.log.warn("reply refused", { appId, provider: input.provider, error: parsed.error });
    return { ...webhooks.ack(false, parsed.error), statusCode: 400 };
  }
  const app = await deps.store.getApp(appId);
  if (!app) throw new AppError("AuthFailure.InvalidCallbackToken");
  const at = new Date(deps.clock.now()).toISOString();
  const stored: StoredReply[] = parsed.items.map((reply) => ({
    ...reply,
    id: ulid(deps.clock.now()),
    appId,
    createdAt: at,
    optedOut: isUnsubscribe(reply.text, app.unsubscribeKeywords),
  }));
  // The durable writes first: the reply (queued for forwarding) and any opt-out it makes.
  await Promise.all(
    stored.flatMap((r) => [
      deps.store.putReply(r, Boolean(app.replyWebhook)),
      // Opted out of the signature and the type of the message it answers (reply-optout.ts).
      r.optedOut ? replyOptOut(deps, r, signOf(app, r), at) : undefined,
    ]),
  );
  for (const r of stored)
    deps.log.info("reply", { appId, id: r.id, phone: r.phone, optedOut: r.optedOut });
  // One quick attempt now; the checker retries what the app did not acknowledge.
  if (app.replyWebhook) await Promise.all(stored.map((r) => forwardReply(deps, app, r, 0, 1500)));
  return webhooks.ack(true);
}
