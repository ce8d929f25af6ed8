/**
 * API keys: random, shown once, stored as SHA-256. A key names its app
 * ("sgk_<appId>_<secret>") so the key, app and template load in one round trip.
 */
import { AppError } from "../core/errors";
import { randomToken, safeEqual, sha256Hex } from "../core/ids";
import type { ApiKeyRecord, App, Principal, Scope } from "../core/model";

const KEY_FORMAT = /^sgk_([0-9A-Z]{26})_([A-Za-z0-9]{32,64})$/;

export function newApiKey(appId: string): { key: string; hash: string } {
  const key = `sgk_${appId}_${randomToken(24).replace(/[-_]/g, "x")}`;
  return { key, hash: sha256Hex(key) };
}

/** The bearer token of a request, or a 401. */
export function bearer(headers: Record<string, string>): string {
  const value = headers.authorization;
  const m = value?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!m?.[1]) throw new AppError("AuthFailure.MissingApiKey");
  return m[1];
}

/** The app a key claims to belong to (to be confirmed by the stored hash), or undefined. */
export function appIdOfKey(key: string): string | undefined {
  return KEY_FORMAT.exec(key)?.[1];
}

/** Resolves a presented key to a principal; the operator key is compared in constant time. */
export function resolvePrincipal(
  key: string,
  stored: ApiKeyRecord | undefined,
  /** Undefined in functions that are not given the operator key. */
  operatorKey: string | undefined,
): Principal {
  if (operatorKey !== undefined && safeEqual(key, operatorKey))
    return { appId: "*", scopes: ["send", "read", "admin"], keyId: "operator" };
  if (!stored || stored.hash !== sha256Hex(key)) throw new AppError("AuthFailure.InvalidApiKey");
  return { appId: stored.appId, scopes: stored.scopes, keyId: stored.keyId };
}

/** Checks scope and app; never reveals whether another app exists. */
export function authorize(p: Principal, scope: Scope, appId?: string): void {
  if (appId && p.appId !== "*" && p.appId !== appId) {
    throw new AppError("ResourceNotFound");
  }
  if (!p.scopes.includes(scope)) {
    throw new AppError(
      "AuthFailure.UnauthorizedOperation",
      `This key lacks the \`${scope}\` scope.`,
    );
  }
}

/** The app must exist and be enabled to send. */
export function requireEnabled(app: App | undefined): App {
  if (!app) throw new AppError("AuthFailure.InvalidApiKey");
  if (!app.enabled) throw new AppError("UnauthorizedOperation.SdkAppIdIsDisabled");
  return app;
}

/** The principal behind a request's bearer key: one read for app keys, none for the operator. */
export async function authenticate(
  deps: {
    store: { loadRequestContext(hash: string, appId?: string): Promise<{ apiKey?: ApiKeyRecord }> };
    config: { SMSGATE_ADMIN_KEY?: string };
  },
  headers: Record<string, string>,
): Promise<Principal> {
  const key = bearer(headers);
  const operator = deps.config.SMSGATE_ADMIN_KEY;
  if (operator !== undefined && safeEqual(key, operator))
    return resolvePrincipal(key, undefined, deps.config.SMSGATE_ADMIN_KEY);
  const { apiKey } = await deps.store.loadRequestContext(sha256Hex(key));
  return resolvePrincipal(key, apiKey, deps.config.SMSGATE_ADMIN_KEY);
}
