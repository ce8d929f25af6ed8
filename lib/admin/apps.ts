/** Apps: create (operator), list, read and change settings. */
import type * as z from "zod/mini";
import { masterSecret } from "../config";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import { ulid } from "../core/ids";
import type { App, Principal } from "../core/model";
import { callbackUrls, seal } from "../core/secrets";
import { dayOf, nextDay } from "../core/time";
import type { Route } from "../http/routes";
import { json, parseBody } from "../http/wrapper";
import { NEW_APP_FREQUENCY } from "../rules/frequency";
import { aboveCeilings, shardsOn } from "../rules/usage";
import { ConditionFailed } from "../store/db";
import { assertWebhookUrl } from "../webhooks";
import { loadApp, nowIso, originOf, publicApp } from "./access";
import { issueKey } from "./keys";
import { createAppSchema, OPERATOR_ONLY, patchAppSchema } from "./schemas";

type Settings = z.output<typeof patchAppSchema>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * JSON Merge Patch (RFC 7396): objects merge member by member, `null` removes a member, any
 * other value replaces. `keepNulls` stores nulls instead (frequency rules: null means "off").
 */
export function mergePatch(target: unknown, patch: unknown, keepNulls = false): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null && !keepNulls) delete out[k];
    else out[k] = mergePatch(out[k], v, keepNulls);
  }
  return out;
}

/** Both webhook URLs of a change pass the target guard (lib/webhooks) before anything is written. */
async function assertWebhookUrls(deps: Deps, change: Partial<Settings>): Promise<void> {
  await assertWebhookUrl(deps, "replyWebhook.url", change.replyWebhook?.url);
  await assertWebhookUrl(deps, "statusWebhook.url", change.statusWebhook?.url);
}

/** Settings that are objects and merge (docs/api.md "Configuration"); the rest are replaced. */
const MERGED = new Set(["thresholds", "frequency", "alertRules", "ceilings", "alertTemplateIds"]);

/** Applies a Merge Patch of settings; a webhook secret is sealed first. */
function applySettings(deps: Deps, app: App, input: Settings): App {
  const next = { ...app } as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(input)) {
    if ((k === "replyWebhook" || k === "statusWebhook") && v) {
      // Replaced whole (url and secret together); the secret is stored sealed, never in clear.
      const { secret, ...hook } = v as { url: string; secret: string; events?: string[] };
      next[k] = { ...hook, sealedSecret: seal(masterSecret(deps.config), secret) };
      continue;
    }
    if (k === "usageShards") {
      // From the next app-local day: today's slices stay as they were drawn (exact limits).
      const today = dayOf(deps.clock.now(), app.timeZone);
      const now = shardsOn(app.usageShards, today);
      next.usageShards = { count: v as number, from: nextDay(today), before: now };
      continue;
    }
    if (v === null) delete next[k];
    else if (MERGED.has(k)) next[k] = mergePatch(next[k], v, k === "frequency");
    else next[k] = v;
  }
  const out = next as unknown as App;
  if (!out.thresholds) out.thresholds = {};
  if (!out.frequency) out.frequency = {};
  // The default signature is approved by being set.
  if (out.defaultSign && !out.signatures.includes(out.defaultSign))
    out.signatures = [...out.signatures, out.defaultSign];
  return out;
}

/**
 * What the merged settings must satisfy as a whole (a patch can be valid alone and not with
 * what is stored): alert ≤ limit, and a country limit ≤ the international limit, as the
 * console requires ("单国家/地区自然日的发送限额值设置不能大于该应用的国际港澳台短信发送限额值").
 */
function checkMerged(app: App): void {
  const t = app.thresholds;
  for (const [path, th] of [
    ["domestic", t.domestic],
    ["international", t.international],
    ...Object.entries(t.countries ?? {}).map(([cc, v]) => [`countries.${cc}`, v] as const),
  ] as const) {
    if (th?.alert != null && th.limit != null && th.alert > th.limit)
      throw new AppError(
        "InvalidParameter",
        `thresholds.${path}: alert (${th.alert}) must not exceed limit (${th.limit}).`,
      );
  }
  const intl = t.international?.limit;
  for (const [cc, th] of Object.entries(t.countries ?? {}))
    if (intl != null && th?.limit != null && th.limit > intl)
      throw new AppError(
        "InvalidParameter",
        `thresholds.countries.${cc}.limit: ${th.limit} exceeds the international limit (${intl}); lower it, or leave it blank to use the international limit.`,
      );
}

/** An app's ETag: its settings' version. */
export const etagOf = (app: App) => `"${app.version ?? 0}"`;

/**
 * The settings tiers: an app's own admin key may change everything but the operator-only
 * settings, may name as default only a signature the operator approved, and may set daily
 * limits only at or below the operator's ceilings. Refused whole, before anything is written.
 */
function checkTier(p: Principal, app: App, input: Settings, next: App): void {
  if (p.appId === "*") return;
  const named = OPERATOR_ONLY.filter((k) => k in input);
  if (named.length > 0)
    throw new AppError(
      "UnauthorizedOperation.OperatorOnlySetting",
      `${named.join(", ")}: only the operator key may change ${named.length > 1 ? "these" : "this"}; send the other settings without ${named.length > 1 ? "them" : "it"}.`,
    );
  if (input.defaultSign && !app.signatures.includes(input.defaultSign))
    throw new AppError(
      "UnauthorizedOperation.OperatorOnlySetting",
      `defaultSign: "${input.defaultSign}" is not approved for this app; the operator approves signatures (PUT …/signatures/{name}).`,
    );
  if (input.thresholds) {
    const over = aboveCeilings(next.thresholds, app.ceilings);
    if (over.length > 0)
      throw new AppError(
        "UnauthorizedOperation.AboveOperatorCeiling",
        `thresholds.${over[0]}.limit: must be set, at or below the operator's ceiling (${ceilingOf(app.ceilings, over[0] as string)}).`,
      );
  }
}

function ceilingOf(c: App["ceilings"], path: string): number | undefined {
  if (path === "domestic") return c?.domestic;
  if (path === "international") return c?.international;
  return c?.countries?.[path.slice("countries.".length)];
}

/**
 * Changes an app's settings: a Merge Patch of what is stored, written only if the app has not
 * changed since it was read (its version). With `If-Match`, a stale ETag is 412 and nothing is
 * written; without, a concurrent change is merged again (never a lost update).
 */
export async function patchApp(
  deps: Deps,
  p: Principal,
  change: Settings | ((app: App) => Settings),
  origin: string,
  appId: string,
  ifMatch: string | undefined,
) {
  if (typeof change !== "function") await assertWebhookUrls(deps, change);
  for (let attempt = 0; ; attempt++) {
    const app = await loadApp(deps, appId);
    // A change computed from the app is computed again from what each attempt read.
    const input = typeof change === "function" ? change(app) : change;
    if (ifMatch !== undefined && ifMatch !== "*" && ifMatch !== etagOf(app))
      throw new AppError(
        "FailedOperation.PreconditionFailed",
        `If-Match ${ifMatch} no longer matches the app (now ${etagOf(app)}); GET it again and re-apply your change.`,
      );
    const next = applySettings(deps, app, input);
    checkTier(p, app, input, next);
    checkMerged(next);
    next.updatedAt = nowIso(deps);
    const changed = (Object.keys(next) as (keyof App)[]).filter(
      (k) => k !== "version" && (k === "updatedAt" || k in input || k === "signatures"),
    );
    const removed = (Object.keys(app) as (keyof App)[]).filter((k) => !(k in next));
    try {
      await deps.store.updateApp(
        app.appId,
        Object.fromEntries(changed.map((k) => [k, next[k]])),
        removed,
        app.version ?? 0,
      );
      const saved = { ...next, version: (app.version ?? 0) + 1 };
      return { app: publicApp(deps, saved, origin, p), etag: etagOf(saved) };
    } catch (err) {
      if (!(err instanceof ConditionFailed)) throw err;
      if (ifMatch !== undefined || attempt >= 9)
        throw new AppError(
          "FailedOperation.PreconditionFailed",
          "The app changed while this change was applied; GET it again and re-apply your change.",
        );
      // Racing writers: a short random pause spreads the next attempts apart.
      await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
    }
  }
}

function ceilingsFrom(t: Settings["thresholds"]): App["ceilings"] {
  if (!t) return undefined;
  const countries = Object.fromEntries(
    Object.entries(t.countries ?? {}).flatMap(([cc, v]) =>
      v?.limit == null ? [] : [[cc, v.limit]],
    ),
  );
  const c = {
    ...(t.domestic?.limit != null ? { domestic: t.domestic.limit } : {}),
    ...(t.international?.limit != null ? { international: t.international.limit } : {}),
    ...(Object.keys(countries).length ? { countries } : {}),
  };
  return Object.keys(c).length ? c : undefined;
}

export const appRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/apps",
    summary: "List apps (an app key sees its own)",
    access: "read",
    async handle(ctx) {
      const { deps, principal: p } = ctx;
      const apps = p.appId === "*" ? await deps.store.listApps() : [await loadApp(deps, p.appId)];
      return json(200, { apps: apps.map((a) => publicApp(deps, a, originOf(ctx), p)) });
    },
  },
  {
    method: "post",
    path: "/v1/apps",
    summary: "Create an app (returns its first API key once)",
    access: "operator",
    body: createAppSchema,
    ok: 201,
    async handle(ctx) {
      const { deps, req } = ctx;
      const { providers, ...rest } = parseBody(req, createAppSchema);
      await assertWebhookUrls(deps, rest);
      // The operator's limits at creation are the app's ceilings unless it names others, so
      // an app's own key can lower its limits but never raise them past what was granted.
      // A `ceilings` that names only the campaign ceiling keeps the daily ones derived.
      const { campaignRecipients: _c, ...daily } = rest.ceilings ?? {};
      const derived = Object.keys(daily).length ? undefined : ceilingsFrom(rest.thresholds);
      const ceilings =
        rest.ceilings || derived ? { ...derived, ...(rest.ceilings ?? {}) } : undefined;
      const now = nowIso(deps);
      const appId = ulid(deps.clock.now());
      const app = applySettings(
        deps,
        {
          appId,
          name: rest.name,
          enabled: true,
          timeZone: "Asia/Shanghai",
          signatures: [],
          providers,
          thresholds: {},
          ...(ceilings ? { ceilings } : {}),
          // Tencent's default for applications created from 2024-05-22 (lib/rules/frequency.ts).
          frequency: { ...NEW_APP_FREQUENCY },
          marketingWindow: { start: "08:00", end: "22:00" },
          whitelist: {},
          createdAt: now,
          updatedAt: now,
        },
        rest,
      );
      await deps.store.createApp(app);
      const apiKey = await issueKey(deps, appId, ["send", "read", "admin"]);
      return json(201, {
        app: publicApp(deps, app, originOf(ctx), ctx.principal),
        apiKey: apiKey.key,
        apiKeyId: apiKey.id,
        callbackUrls: callbackUrls(deps.config, originOf(ctx), appId),
      });
    },
  },
  {
    method: "get",
    path: "/v1/apps/{appId}",
    summary: "An app's configuration and callback URLs",
    access: "read",
    async handle(ctx) {
      const app = await loadApp(ctx.deps, ctx.appId);
      return json(200, publicApp(ctx.deps, app, originOf(ctx), ctx.principal), {
        etag: etagOf(app),
      });
    },
  },
  {
    method: "patch",
    path: "/v1/apps/{appId}",
    summary:
      "Change an app's settings: a JSON Merge Patch (null removes); If-Match with the ETag of GET, else 412",
    access: "admin",
    body: patchAppSchema,
    async handle(ctx) {
      const input = parseBody(ctx.req, patchAppSchema);
      const { app, etag } = await patchApp(
        ctx.deps,
        ctx.principal,
        input,
        originOf(ctx),
        ctx.appId,
        ctx.req.headers["if-match"],
      );
      return json(200, app, { etag });
    },
  },
];
