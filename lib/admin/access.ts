/** What every admin resource shares: the app a route names, times, numbers, the public app. */
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import { type App, type Principal, STATUS_EVENTS } from "../core/model";
import { parsePhone } from "../core/phone";
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

/**
 * A phone number from a path or body, in E.164 by the same normaliser as sends use, so an
 * opt-out or whitelist entry written in any spelling matches the number a send names; or a
 * 400 that says how to write it.
 */
export function phoneParam(raw: string): string {
  const e164 = raw.length <= 32 ? parsePhone(raw)?.e164 : undefined;
  if (!e164) throw new AppError("InvalidParameterValue.IncorrectPhoneNumber");
  return e164;
}

/** An app's callback URLs with its current token generation. */
export const appCallbackUrls = (deps: Deps, app: App, origin: string) =>
  callbackUrls(deps.config, origin, app.appId, app.callbackTokens?.current ?? 0);

/**
 * The configuration as callers see it: never vendor credentials or API keys, and callback
 * URLs only to the operator and `admin` keys (holding a callback token is write access).
 */
export function publicApp(deps: Deps, app: App, origin: string, viewer: Principal) {
  const { whitelist, replyWebhook, statusWebhook, callbackTokens: _tokens, ...rest } = app;
  return {
    ...rest,
    frequency: { ...DEFAULT_FREQUENCY, ...app.frequency },
    whitelistSize: Object.keys(whitelist ?? {}).length,
    ...(replyWebhook ? { replyWebhook: { url: replyWebhook.url, secretSet: true } } : {}),
    ...(statusWebhook
      ? {
          statusWebhook: {
            url: statusWebhook.url,
            secretSet: true,
            events: statusWebhook.events ?? [...STATUS_EVENTS],
          },
        }
      : {}),
    ...(viewer.appId === "*" || viewer.scopes.includes("admin")
      ? { callbackUrls: appCallbackUrls(deps, app, origin) }
      : {}),
  };
}

/** A list route's page size: `?limit=` within 1..500, 100 when absent or not a number. */
export const pageLimit = (query: Record<string, string | undefined>): number =>
  Math.min(Math.max(Number(query.limit ?? 100) || 100, 1), 500);
