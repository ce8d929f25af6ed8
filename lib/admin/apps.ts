/** Apps: create (operator), list, read and change settings. */
import type * as z from "zod/mini";
import { masterSecret } from "../config";
import type { Deps } from "../core/deps";
import { ulid } from "../core/ids";
import type { App } from "../core/model";
import { callbackUrls, seal } from "../core/secrets";
import type { Route } from "../http/routes";
import { json, parseBody } from "../http/wrapper";
import { loadApp, nowIso, originOf, publicApp } from "./access";
import { issueKey } from "./keys";
import { createAppSchema, patchAppSchema } from "./schemas";

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

/** Changes an app's settings in place: only the attributes the input names are written. */
export async function patchApp(deps: Deps, app: App, input: Settings, origin: string) {
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
  return publicApp(deps, next, origin);
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
      return json(200, { apps: apps.map((a) => publicApp(deps, a, originOf(ctx))) });
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
      return json(201, {
        app: publicApp(deps, app, originOf(ctx)),
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
      return json(200, publicApp(ctx.deps, await loadApp(ctx.deps, ctx.appId), originOf(ctx)));
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
      return json(200, await patchApp(ctx.deps, app, input, originOf(ctx)));
    },
  },
];
