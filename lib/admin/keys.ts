/** An app's API keys: list (never secrets), create (shown once), revoke. */
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import { ulid } from "../core/ids";
import type { Scope } from "../core/model";
import { newApiKey } from "../http/auth";
import { noContent, type Route } from "../http/routes";
import { json, parseBody } from "../http/wrapper";
import { loadApp, nowIso } from "./access";
import { createKeySchema } from "./schemas";

/** Issues a key for an app: the secret is returned once and stored only as its hash. */
export async function issueKey(deps: Deps, appId: string, scopes: Scope[]) {
  const { key, hash } = newApiKey(appId);
  const keyId = ulid(deps.clock.now());
  await deps.store.createApiKey({ keyId, appId, scopes, hash, createdAt: nowIso(deps) });
  return { id: keyId, key, scopes };
}

export const keyRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/apps/{appId}/keys",
    summary: "List API keys (never secrets)",
    access: "admin",
    async handle({ deps, appId }) {
      await loadApp(deps, appId);
      const keys = await deps.store.listApiKeys(appId);
      return json(200, {
        keys: keys.map((k) => ({ id: k.keyId, scopes: k.scopes, createdAt: k.createdAt })),
      });
    },
  },
  {
    method: "post",
    path: "/v1/apps/{appId}/keys",
    summary: "Create an API key (shown once)",
    access: "admin",
    body: createKeySchema,
    ok: 201,
    async handle({ deps, req, appId }) {
      const app = await loadApp(deps, appId);
      const input = parseBody(req, createKeySchema);
      return json(201, await issueKey(deps, app.appId, input.scopes));
    },
  },
  {
    method: "delete",
    path: "/v1/apps/{appId}/keys/{id}",
    summary: "Revoke an API key",
    access: "admin",
    ok: 204,
    async handle({ deps, req, appId }) {
      await loadApp(deps, appId);
      const keyId = req.params.id ?? "";
      if (!(await deps.store.revokeApiKey(appId, keyId)))
        throw new AppError("ResourceNotFound", `No key ${keyId}.`);
      return noContent();
    },
  },
];
