/**
 * Vendor webhooks (DESIGN.md "Callbacks and replies"): the URL's token names the app; status
 * reports move records forward monotonically; replies are stored.
 */
import type { Deps } from "./deps";
import { AppError } from "./errors";
import { messageIdForSerial, safeEqual, ulid } from "./ids";
import type { App } from "./model";
import type { WebhookAck, Webhooks } from "./providers/port";

/** Callback tokens name their app ("<appId>_<secret>"), so one read authenticates them. */
export async function appForToken(deps: Deps, token: string): Promise<App> {
  const appId = token.split("_")[0] ?? "";
  const app = /^[0-9A-Z]{26}$/.test(appId) ? await deps.store.getApp(appId) : undefined;
  if (!app || !safeEqual(app.callbackToken, token))
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
  const app = await appForToken(deps, input.token);
  const parsed = webhooks.parseStatusReports(input.body, input.contentType);
  if (!parsed.ok) {
    deps.log.warn("status report refused", {
      appId: app.appId,
      provider: input.provider,
      error: parsed.error,
    });
    return { ...webhooks.ack(false, parsed.error), statusCode: 400 };
  }
  const at = new Date(deps.clock.now()).toISOString();
  await Promise.all(
    parsed.items.map(async (report) => {
      const id = messageIdForSerial(report.provider, report.serial);
      const applied = await deps.store.applyReport(id, report, at);
      if (applied.outcome === "missing")
        await deps.store.putOrphanReport(app.appId, id, report, at);
      deps.log.info("status report", {
        appId: app.appId,
        id,
        outcome: applied.outcome,
        carrier: report.carrierCode,
      });
    }),
  );
  return webhooks.ack(true);
}

/** POST /callbacks/{provider}/reply/{token}. */
export async function ingestReplies(deps: Deps, input: CallbackInput): Promise<WebhookAck> {
  const webhooks = webhooksFor(deps, input.provider);
  const app = await appForToken(deps, input.token);
  const parsed = webhooks.parseReplies(input.body, input.contentType);
  if (!parsed.ok) {
    deps.log.warn("reply refused", {
      appId: app.appId,
      provider: input.provider,
      error: parsed.error,
    });
    return { ...webhooks.ack(false, parsed.error), statusCode: 400 };
  }
  const at = new Date(deps.clock.now()).toISOString();
  await Promise.all(
    parsed.items.map((reply) => deps.store.putReply(app.appId, ulid(deps.clock.now()), reply, at)),
  );
  return webhooks.ack(true);
}
