/**
 * Configuration API (API.md "Configuration"): apps, templates, signatures and keys.
 * The operator key manages every app; an app key with `admin` manages its own.
 */
import { z } from "zod";
import { authorize, newApiKey } from "./auth";
import type { Deps } from "./deps";
import { AppError } from "./errors";
import { randomToken, ulid } from "./ids";
import type { App, Principal, Scope, Template } from "./model";
import { countVariables, isValidSign, MAX_BODY } from "./template";

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "must be an IANA time zone such as Asia/Shanghai");

const sign = z.string().refine(isValidSign, "must be 2–12 CJK characters, letters or digits");

const providerBinding = z
  .object({
    provider: z.enum(["tencent", "huawei"]),
    sdkAppId: z
      .string()
      .regex(/^\d{6,20}$/, "must be the numeric SmsSdkAppId")
      .optional(),
  })
  .strict();

export const createAppSchema = z
  .object({
    name: z.string().min(1).max(64),
    providers: z.array(providerBinding).min(1).max(2),
    defaultSign: sign.optional(),
    signatures: z.array(sign).max(50).optional(),
    timeZone: timeZone.default("Asia/Shanghai"),
  })
  .strict();

export const templateSchema = z
  .object({
    kind: z.enum(["verification", "notification", "marketing"]),
    region: z.enum(["domestic", "international"]),
    body: z.string().min(1).max(MAX_BODY, `must be at most ${MAX_BODY} characters`),
    providerTemplateIds: z
      .object({
        tencent: z
          .string()
          .regex(/^\d{1,20}$/)
          .optional(),
        huawei: z.string().min(1).max(64).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export const createKeySchema = z
  .object({
    scopes: z
      .array(z.enum(["send", "read", "admin"]))
      .min(1)
      .max(3),
  })
  .strict();

const TEMPLATE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The callback URLs to paste into each vendor console. */
export function callbackUrls(origin: string, app: App) {
  const base = origin.replace(/\/$/, "");
  const urls = (p: string) => ({
    status: `${base}/callbacks/${p}/status/${app.callbackToken}`,
    reply: `${base}/callbacks/${p}/reply/${app.callbackToken}`,
  });
  return { tencent: urls("tencent"), huawei: urls("huawei") };
}

/** The configuration as callers see it: never vendor credentials or API keys. */
export function publicApp(app: App, origin: string) {
  const { callbackToken: _token, ...rest } = app;
  return { ...rest, callbackUrls: callbackUrls(origin, app) };
}

async function issueKey(deps: Deps, appId: string, scopes: Scope[]) {
  const { key, hash } = newApiKey(appId);
  const keyId = ulid(deps.clock.now());
  await deps.store.createApiKey({
    keyId,
    appId,
    scopes,
    hash,
    createdAt: new Date(deps.clock.now()).toISOString(),
  });
  return { id: keyId, key, scopes };
}

/** POST /v1/apps (operator key). */
export async function createApp(
  deps: Deps,
  p: Principal,
  input: z.infer<typeof createAppSchema>,
  origin: string,
) {
  if (p.appId !== "*")
    throw new AppError(
      "AuthFailure.UnauthorizedOperation",
      "Only the operator key can create apps.",
    );
  const now = new Date(deps.clock.now()).toISOString();
  const appId = ulid(deps.clock.now());
  const signatures = [
    ...new Set([...(input.signatures ?? []), ...(input.defaultSign ? [input.defaultSign] : [])]),
  ];
  const app: App = {
    appId,
    name: input.name,
    enabled: true,
    defaultSign: input.defaultSign,
    timeZone: input.timeZone,
    signatures,
    providers: input.providers,
    callbackToken: `${appId}_${randomToken(24).replace(/[-_]/g, "x")}`,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.createApp(app);
  const apiKey = await issueKey(deps, appId, ["send", "read", "admin"]);
  return {
    app: publicApp(app, origin),
    apiKey: apiKey.key,
    apiKeyId: apiKey.id,
    callbackUrls: callbackUrls(origin, app),
  };
}

/** Loads an app the principal may administer, answering 404 alike for missing and foreign apps. */
export async function adminApp(
  deps: Deps,
  p: Principal,
  appId: string,
  scope: Scope = "admin",
): Promise<App> {
  authorize(p, scope, appId);
  const app = await deps.store.getApp(appId);
  if (!app) throw new AppError("ResourceNotFound", `No app ${appId}.`);
  return app;
}

/** PUT /v1/apps/{appId}/templates/{id}. */
export async function putTemplate(
  deps: Deps,
  p: Principal,
  appId: string,
  id: string,
  input: z.infer<typeof templateSchema>,
) {
  const app = await adminApp(deps, p, appId);
  if (!TEMPLATE_ID.test(id)) {
    throw new AppError(
      "InvalidParameter",
      "templateId: use 1–64 letters, digits, '.', '_' or '-'.",
    );
  }
  const variables = countVariables(input.body);
  if (typeof variables !== "number")
    throw new AppError("FailedOperation.TemplateIncorrectOrUnapproved", `body: ${variables.error}`);
  const now = new Date(deps.clock.now()).toISOString();
  const existing = await deps.store.getTemplate(app.appId, id);
  const template: Template = {
    appId: app.appId,
    id,
    ...input,
    variables,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  await deps.store.putTemplate(template);
  return publicTemplate(template);
}

export function publicTemplate(t: Template) {
  const { appId: _appId, ...rest } = t;
  return rest;
}

/** POST /v1/apps/{appId}/keys. */
export async function createKey(
  deps: Deps,
  p: Principal,
  appId: string,
  input: z.infer<typeof createKeySchema>,
) {
  const app = await adminApp(deps, p, appId);
  return issueKey(deps, app.appId, input.scopes);
}
