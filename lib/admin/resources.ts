/**
 * Configuration API (API.md "Configuration"): apps, templates, signatures, keys, whitelist,
 * opt-outs and package. The operator key manages every app; an app key with `admin` its own.
 */
import type * as z from "zod/mini";
import { masterSecret } from "../config";
import { decodeCursor, encodeCursor } from "../core/cursor";
import type { Deps } from "../core/deps";
import { normaliseE164 } from "../core/e164";
import { AppError } from "../core/errors";
import { ulid } from "../core/ids";
import type { App, Principal, Scope, Template } from "../core/model";
import { callbackUrls, seal } from "../core/secrets";
import { authorize, newApiKey } from "../http/auth";
import { DEFAULT_FREQUENCY } from "../rules/frequency";
import { countVariables, DEFAULT_UNSUBSCRIBE_FOOTER, isValidSign } from "../rules/template";
import { MAX_WHITELIST } from "../store";
import type {
  contactSchema,
  createAppSchema,
  createKeySchema,
  optOutSchema,
  packageSchema,
  patchAppSchema,
  templateSchema,
} from "./schemas";

const TEMPLATE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

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

const nowIso = (deps: Deps) => new Date(deps.clock.now()).toISOString();

async function issueKey(deps: Deps, appId: string, scopes: Scope[]) {
  const { key, hash } = newApiKey(appId);
  const keyId = ulid(deps.clock.now());
  await deps.store.createApiKey({ keyId, appId, scopes, hash, createdAt: nowIso(deps) });
  return { id: keyId, key, scopes };
}

/** Drops nulls (meaning "unset") and applies the rest; a webhook secret is sealed first. */
function applySettings(deps: Deps, app: App, input: z.output<typeof patchAppSchema>): App {
  const next: App = { ...app };
  for (const [k, v] of Object.entries(input)) {
    if (k === "replyWebhook" && v) {
      const hook = v as { url: string; secret: string };
      next.replyWebhook = {
        url: hook.url,
        sealedSecret: seal(masterSecret(deps.config), hook.secret),
      };
      continue;
    }
    if (v === null) delete (next as unknown as Record<string, unknown>)[k];
    else (next as unknown as Record<string, unknown>)[k] = v;
  }
  if (input.frequency) next.frequency = { ...app.frequency, ...input.frequency };
  // The default signature is approved by being set.
  if (next.defaultSign && !next.signatures.includes(next.defaultSign))
    next.signatures = [...next.signatures, next.defaultSign];
  return next;
}

/** POST /v1/apps (operator key). */
export async function createApp(
  deps: Deps,
  p: Principal,
  input: z.output<typeof createAppSchema>,
  origin: string,
) {
  if (p.appId !== "*")
    throw new AppError(
      "AuthFailure.UnauthorizedOperation",
      "Only the operator key can create apps.",
    );
  const now = nowIso(deps);
  const appId = ulid(deps.clock.now());
  const { providers, ...rest } = input;
  const app = applySettings(
    deps,
    {
      appId,
      name: input.name,
      enabled: true,
      timeZone: "Asia/Shanghai",
      signatures: [],
      providers,
      thresholds: {},
      frequency: {},
      marketingWindow: { start: "08:00", end: "22:00" },
      whitelist: {},
      createdAt: now,
      updatedAt: now,
    },
    rest,
  );
  await deps.store.createApp(app);
  const apiKey = await issueKey(deps, appId, ["send", "read", "admin"]);
  return {
    app: publicApp(deps, app, origin),
    apiKey: apiKey.key,
    apiKeyId: apiKey.id,
    callbackUrls: callbackUrls(deps.config, origin, appId),
  };
}

/** Loads an app the principal may use, answering 404 alike for missing and foreign apps. */
export async function adminApp(
  deps: Deps,
  p: Principal,
  appId: string,
  scope: Scope = "admin",
): Promise<App> {
  // Read first, then decide: a foreign app and a missing one cost the same and answer the
  // same 404, so neither timing nor content tells whether another app exists.
  const app = /^[0-9A-Z]{26}$/.test(appId) ? await deps.store.getApp(appId) : undefined;
  if (p.appId !== "*" && p.appId !== appId)
    throw new AppError("ResourceNotFound", `No app ${appId}.`);
  if (!app) throw new AppError("ResourceNotFound", `No app ${appId}.`);
  authorize(p, scope, appId);
  return app;
}

/** PATCH /v1/apps/{appId}. */
export async function patchApp(
  deps: Deps,
  p: Principal,
  appId: string,
  input: z.output<typeof patchAppSchema>,
  origin: string,
) {
  const app = await adminApp(deps, p, appId);
  const next = applySettings(deps, app, input);
  next.updatedAt = nowIso(deps);
  const changed = (Object.keys(next) as (keyof App)[]).filter(
    (k) => k === "updatedAt" || k in input || k === "signatures",
  );
  const removed = (Object.keys(app) as (keyof App)[]).filter((k) => !(k in next));
  await deps.store.updateApp(appId, Object.fromEntries(changed.map((k) => [k, next[k]])), removed);
  return publicApp(deps, next, origin);
}

/** PUT /v1/apps/{appId}/templates/{id}. */
export async function putTemplate(
  deps: Deps,
  p: Principal,
  appId: string,
  id: string,
  input: z.output<typeof templateSchema>,
) {
  const app = await adminApp(deps, p, appId);
  if (!TEMPLATE_ID.test(id))
    throw new AppError(
      "InvalidParameter",
      "templateId: use 1–64 letters, digits, '.', '_' or '-'.",
    );
  const variables = countVariables(input.body);
  if (typeof variables !== "number")
    throw new AppError("FailedOperation.TemplateIncorrectOrUnapproved", `body: ${variables.error}`);
  const footer = app.unsubscribeFooter ?? DEFAULT_UNSUBSCRIBE_FOOTER;
  if (input.kind === "marketing" && !input.body.includes(footer)) {
    throw new AppError(
      "FailedOperation.TemplateIncorrectOrUnapproved",
      `body: a marketing template must carry the unsubscribe footer "${footer}".`,
    );
  }
  const now = nowIso(deps);
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

/** PUT /v1/apps/{appId}/signatures/{name}: approves a signature for the app. */
export async function putSignature(
  deps: Deps,
  p: Principal,
  appId: string,
  name: string,
  origin: string,
) {
  if (!isValidSign(name)) throw new AppError("FailedOperation.SignatureIncorrectOrUnapproved");
  const app = await adminApp(deps, p, appId);
  if (app.signatures.includes(name)) return publicApp(deps, app, origin);
  return patchApp(deps, p, appId, { signatures: [...app.signatures, name] }, origin);
}

/** POST /v1/apps/{appId}/keys. */
export async function createKey(
  deps: Deps,
  p: Principal,
  appId: string,
  input: z.output<typeof createKeySchema>,
) {
  const app = await adminApp(deps, p, appId);
  return issueKey(deps, app.appId, input.scopes);
}

function phoneParam(raw: string): string {
  const e164 = normaliseE164(raw);
  if (!e164) throw new AppError("InvalidParameterValue.IncorrectPhoneNumber");
  return e164;
}

/** PUT /v1/apps/{appId}/whitelist/{phone}. */
export async function addWhitelist(deps: Deps, p: Principal, appId: string, raw: string) {
  await adminApp(deps, p, appId);
  const e164 = phoneParam(raw);
  const result = await deps.store.putInAppMap(appId, "whitelist", e164, nowIso(deps), nowIso(deps));
  if (result === "full")
    throw new AppError(
      "InvalidParameter",
      `The whitelist holds at most ${MAX_WHITELIST} numbers; remove one first.`,
    );
  if (result === "missing") throw new AppError("ResourceNotFound", `No app ${appId}.`);
  return { phone: e164 };
}

/** DELETE /v1/apps/{appId}/whitelist/{phone}. */
export async function removeWhitelist(deps: Deps, p: Principal, appId: string, raw: string) {
  await adminApp(deps, p, appId);
  await deps.store.removeFromAppMap(appId, "whitelist", phoneParam(raw), nowIso(deps));
}

/** POST /v1/apps/{appId}/opt-outs: only with the number owner's stated consent. */
export async function addOptOut(
  deps: Deps,
  p: Principal,
  appId: string,
  input: z.output<typeof optOutSchema>,
) {
  await adminApp(deps, p, appId);
  const e164 = phoneParam(input.phone);
  const sign = input.sign ?? "*";
  const existing = await deps.store.getOptOuts(appId, e164);
  if (!existing?.entries.some((e) => e.sign === sign && e.reason === "manual")) {
    // Manual entries are capped per app; reply opt-outs are not (users may always say stop).
    if (!(await deps.store.countManualOptOut(appId, 1))) {
      throw new AppError("LimitExceeded.ManualOptOutLimit");
    }
  }
  const entry = {
    sign,
    reason: "manual" as const,
    at: nowIso(deps),
    detail: `by key ${p.keyId}${input.note ? `: ${input.note}` : ""}`,
  };
  await deps.store.addOptOut(appId, e164, entry);
  return { phone: e164, ...entry };
}

/** DELETE /v1/apps/{appId}/opt-outs/{phone}[?sign=…]: explicit and audited. */
export async function removeOptOut(
  deps: Deps,
  p: Principal,
  appId: string,
  raw: string,
  sign: string | undefined,
) {
  await adminApp(deps, p, appId);
  const e164 = phoneParam(raw);
  const before = await deps.store.getOptOuts(appId, e164);
  const removed = await deps.store.removeOptOut(appId, e164, sign, `key ${p.keyId}`, nowIso(deps));
  if (!removed) throw new AppError("ResourceNotFound", "That number has no such opt-out.");
  const manual =
    before?.entries.filter((e) => e.reason === "manual" && (!sign || e.sign === sign)).length ?? 0;
  if (manual) await deps.store.countManualOptOut(appId, -manual);
}

/** GET /v1/apps/{appId}/opt-outs/{phone}: the entries and their audit trail. */
export async function getOptOut(deps: Deps, p: Principal, appId: string, raw: string) {
  await adminApp(deps, p, appId, "read");
  const e164 = phoneParam(raw);
  const found = await deps.store.getOptOuts(appId, e164);
  return { phone: e164, optOuts: found?.entries ?? [], audit: found?.audit ?? [] };
}

/** PUT /v1/apps/{appId}/package: sets the prepaid balances and their alert settings. */
export async function putPackage(
  deps: Deps,
  p: Principal,
  appId: string,
  input: z.output<typeof packageSchema>,
  origin: string,
) {
  const app = await adminApp(deps, p, appId);
  const at = nowIso(deps);
  await deps.store.setPackage(
    appId,
    { domestic: input.domestic?.segments, international: input.international?.amount },
    at,
  );
  await deps.store.updateApp(appId, {
    package: { ...app.package, ...input, setAt: at },
    updatedAt: at,
  });
  return getPackage(deps, p, appId, origin);
}

/** GET /v1/apps/{appId}/package. */
export async function getPackage(deps: Deps, p: Principal, appId: string, _origin?: string) {
  const app = await adminApp(deps, p, appId, "read");
  const balance = await deps.store.readPackage(appId);
  return { purchased: app.package ?? {}, remaining: balance ?? {} };
}

/** PUT /v1/apps/{appId}/contacts/{id}: at most 5 per app. */
export async function putContact(
  deps: Deps,
  p: Principal,
  appId: string,
  id: string,
  input: z.output<typeof contactSchema>,
) {
  await adminApp(deps, p, appId);
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(id))
    throw new AppError("InvalidParameter", "contactId: use 1–32 letters, digits, '_' or '-'.");
  const contact = { id, ...input, phone: phoneParam(input.phone) };
  const saved = await deps.store.putInAppMap(appId, "contacts", id, contact, nowIso(deps));
  if (saved === "full") throw new AppError("LimitExceeded.AlertContactLimit");
  return contact;
}

export async function deleteContact(deps: Deps, p: Principal, appId: string, id: string) {
  await adminApp(deps, p, appId);
  await deps.store.removeFromAppMap(appId, "contacts", id, nowIso(deps));
}

export async function listContacts(deps: Deps, p: Principal, appId: string) {
  const app = await adminApp(deps, p, appId, "read");
  return { contacts: Object.values(app.contacts ?? {}) };
}

/** GET /v1/apps/{appId}/alerts: what fired, when, and who was texted. */
export async function listAlerts(deps: Deps, p: Principal, appId: string) {
  await adminApp(deps, p, appId, "read");
  const items = await deps.store.listAlerts(appId);
  return {
    alerts: items.map((a) => ({
      key: a.key,
      event: a.event,
      subject: a.subject,
      value: a.value,
      at: a.createdAt,
      sent: a.sent ?? [],
    })),
  };
}

/** GET /v1/apps/{appId}/opt-outs: opted-out numbers, a page at a time. */
export async function listOptOuts(
  deps: Deps,
  p: Principal,
  appId: string,
  query: Record<string, string>,
) {
  await adminApp(deps, p, appId, "read");
  const limit = Math.min(Math.max(Number(query.limit ?? 100) || 100, 1), 500);
  const page = await deps.store.listOptOuts(
    appId,
    limit,
    decodeCursor(query.cursor, `OPTOUTS#${appId}`),
  );
  return { optOuts: page.items, cursor: encodeCursor(page.lastKey) };
}

/** GET /v1/apps/{appId}/whitelist. */
export async function listWhitelist(deps: Deps, p: Principal, appId: string) {
  const app = await adminApp(deps, p, appId, "read");
  return {
    whitelist: Object.entries(app.whitelist ?? {}).map(([phone, addedAt]) => ({ phone, addedAt })),
  };
}

/** GET /v1/apps/{appId}/keys: ids and scopes, never secrets. */
export async function listKeys(deps: Deps, p: Principal, appId: string) {
  await adminApp(deps, p, appId);
  const keys = await deps.store.listApiKeys(appId);
  return { keys: keys.map((k) => ({ id: k.keyId, scopes: k.scopes, createdAt: k.createdAt })) };
}

/** DELETE /v1/apps/{appId}/keys/{id}. */
export async function revokeKey(deps: Deps, p: Principal, appId: string, keyId: string) {
  await adminApp(deps, p, appId);
  if (!(await deps.store.revokeApiKey(appId, keyId)))
    throw new AppError("ResourceNotFound", `No key ${keyId}.`);
}

/** GET /v1/apps: the operator's list of apps. */
export async function listApps(deps: Deps, p: Principal, origin: string) {
  if (p.appId !== "*")
    return { apps: [publicApp(deps, await adminApp(deps, p, p.appId, "read"), origin)] };
  return { apps: (await deps.store.listApps()).map((a) => publicApp(deps, a, origin)) };
}
