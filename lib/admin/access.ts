/** What every admin resource shares: the app a route names, times, numbers, the public app. */
import type { Deps } from "../core/deps";
import { normaliseE164 } from "../core/e164";
import { AppError } from "../core/errors";
import type { App } from "../core/model";
import { callbackUrls } from "../core/secrets";
import type { RouteContext } from "../http/routes";
import { DEFAULT_FREQUENCY } from "../rules/frequency";

/**
 * The app a route names. The dispatcher has already refused another app's key with the same
 * 404 (lib/http/routes.ts); a missing app answers that 404 too.
 */
export async function loadApp(deps: Deps, appId: string): Promise<App> {
  const app = /^[0-9A-Z]{26}$/.test(appId) ? await deps.store.getApp(appId) : undefined;
  if (!app) throw new AppError("ResourceNotFound", `No app ${appId}.`);
  return app;
}

export const nowIso = (deps: Deps) => new Date(deps.clock.now()).toISOString();

/** The public base URL callback URLs are built on. */
export const originOf = ({ deps, req }: RouteContext) =>
  deps.config.SMSGATE_PUBLIC_URL ?? req.origin;

/** A phone number from a path or body, in E.164, or a 400 that says how to write it. */
export function phoneParam(raw: string): string {
  const e164 = normaliseE164(raw);
  if (!e164) throw new AppError("InvalidParameterValue.IncorrectPhoneNumber");
  return e164;
}

/** The configuration as callers see it: never vendor credentials or API keys. */
export function publicApp(deps: Deps, app: App, origin: string) {
  const { whitelist, replyWebhook, ...rest } = app;
  return {
    ...rest,
    frequency: { ...DEFAULT_FREQUENCY, ...app.frequency },
    whitelistSize: Object.keys(whitelist ?? {}).length,
    ...(replyWebhook ? { replyWebhook: { url: replyWebhook.url, secretSet: true } } : {}),
    callbackUrls: callbackUrls(deps.config, origin, app.appId),
  };
}
