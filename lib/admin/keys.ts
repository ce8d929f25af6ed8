/** An app's API keys: list (never secrets), create (shown once), revoke. */
import { masterSecret } from "../config";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import { randomToken, ulid } from "../core/ids";
import type { Scope } from "../core/model";
import { seal } from "../core/secrets";
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

const alnum = (n: number) => {
  let out = "";
  while (out.length < n) out += randomToken(n).replace(/[^A-Za-z0-9]/g, "");
  return out.slice(0, n);
};

/**
 * Issues a Tencent-style credential (docs/api.md "Drop-in compatibility"): SecretId
 * `AKID<appId><6 random>` (36 characters like Tencent's, naming its app so the ingress loads
 * credential and app in one read) and a 32-character SecretKey, shown once. TC3 needs the
 * SecretKey itself to verify, so it is sealed, never stored in clear; it acts as an ordinary
 * key of the same scopes (also sealed), listed and revoked like any other.
 */
export async function issueTencentCredential(deps: Deps, appId: string, scopes: Scope[]) {
  if (scopes.includes("admin"))
    throw new AppError(
      "InvalidParameter",
      "scopes: a Tencent-style credential may have `send` and `read` only; use a bearer key for admin.",
    );
  const secretId = `AKID${appId}${alnum(6)}`;
  const secretKey = alnum(32);
  const { key, hash } = newApiKey(appId);
  const keyId = ulid(deps.clock.now());
  const createdAt = nowIso(deps);
  const sealed = seal(masterSecret(deps.config), JSON.stringify({ secretKey, key }));
  await deps.store.putTencentCredential({ secretId, appId, keyId, scopes, sealed, createdAt });
  await deps.store.createApiKey({
    keyId,
    appId,
    scopes,
    hash,
    createdAt,
    format: "tencent",
    secretId,
  });
  return { id: keyId, format: "tencent", secretId, secretKey, scopes };
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
        keys: keys.map((k) => ({
          id: k.keyId,
          scopes: k.scopes,
          createdAt: k.createdAt,
          ...(k.format ? { format: k.format, secretId: k.secretId } : {}),
        })),
      });
    },
  },
  {
    method: "post",
    path: "/v1/apps/{appId}/keys",
    summary: "Create an API key, or with format tencent a SecretId/SecretKey pair (shown once)",
    access: "admin",
    body: createKeySchema,
    ok: 201,
    async handle({ deps, req, appId }) {
      const app = await loadApp(deps, appId);
      const input = parseBody(req, createKeySchema);
      return json(
        201,
        input.format === "tencent"
          ? await issueTencentCredential(deps, app.appId, input.scopes)
          : await issueKey(deps, app.appId, input.scopes),
      );
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
