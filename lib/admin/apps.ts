/** Apps: create (operator), list, read and change settings. */
import type * as z from "zod/mini";
import { masterSecret } from "../config";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import { ulid } from "../core/ids";
import type { App, Principal } from "../core/model";
import { callbackUrls, seal } from "../core/secrets";
import type { Route } from "../http/routes";
import { json, parseBody } from "../http/wrapper";
import { NEW_APP_FREQUENCY } from "../rules/frequency";
import { aboveCeilings } from "../rules/usage";
import { assertWebhookUrl } from "../webhooks";
import { loadApp, nowIso, originOf, publicApp } from "./access";
import { issueKey } from "./keys";
import { createAppSchema, OPERATOR_ONLY, patchAppSchema } from "./schemas";

type Settings = z.output<typeof patchAppSchema>;

/** Drops nulls (meaning "unset") and applies the rest; a webhook secret is sealed first. */
function applySettings(deps: Deps, app: App, input: Settings): App {
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

/**
 * The settings tiers: an app's own admin key may change everything but the operator-only
 * settings, may name as default only a signature the operator approved, and may set daily
 * limits only at or below the operator's ceilings. Refused whole, before anything is written.
 */
function checkTier(p: Principal, app: App, input: Settings): void {
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
    const over = aboveCeilings({ ...app.thresholds, ...input.thresholds }, app.ceilings);
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

/** Changes an app's settings in place: only the attributes the input names are written. */
export async function patchApp(
  deps: Deps,
  p: Principal,
  app: App,
  input: Settings,
  origin: string,
) {
  checkTier(p, app, input);
  await assertWebhookUrl(deps, "replyWebhook.url", input.replyWebhook?.url);
  const next = applySettings(deps, app, input);
  next.updatedAt = nowIso(deps);
  const changed = (Object.keys(next) as (keyof App)[]).filter(
    (k) => k === "updatedAt" || k in input || k === "signatures",
  );
  const removed = (Object.keys(app) as (keyof App)[]).filter((k) => !(k in next));
  await deps.store.updateApp(
    app.appId,
    Object.fromEntries(changed.map((k) => [k, next[k]])),
    removed,
  );
  return publicApp(deps, next, origin, p);
}

function ceilingsFrom(t: Settings["thresholds"]): App["ceilings"] {
  if (!t) return undefined;
  const countries = Object.fromEntries(
    Object.entries(t.countries ?? {}).flatMap(([cc, v]) =>
      v.limit == null ? [] : [[cc, v.limit]],
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
      await assertWebhookUrl(deps, "replyWebhook.url", rest.replyWebhook?.url);
      // The operator's limits at creation are the app's ceilings unless it names others, so
      // an app's own key can lower its limits but never raise them past what was granted.
      const ceilings = rest.ceilings ?? ceilingsFrom(rest.thresholds);
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
      return json(200, publicApp(ctx.deps, app, originOf(ctx), ctx.principal));
    },
  },
  {
    method: "patch",
    path: "/v1/apps/{appId}",
    summary: "Change an app's settings",
    access: "admin",
    body: patchAppSchema,
    async handle(ctx) {
      const app = await loadApp(ctx.deps, ctx.appId);
      const input = parseBody(ctx.req, patchAppSchema);
      return json(200, await patchApp(ctx.deps, ctx.principal, app, input, originOf(ctx)));
    },
  },
];
