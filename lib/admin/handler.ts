/**
 * /v1/apps…: configuration (operator key, or an app key with `admin`); records lists and
 * statistics (scope `read`); /openapi.json.
 */

import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import type { Principal } from "../core/model";
import { authenticate, authorize } from "../http/auth";
import { openApiDocument, ROUTES } from "../http/openapi";
import { type HttpRequest, type HttpResponse, httpHandler, json, parseBody } from "../http/wrapper";
import { listMessages, listReplies, stats } from "./records";
import {
  addOptOut,
  addWhitelist,
  adminApp,
  createApp,
  createKey,
  deleteContact,
  getOptOut,
  getPackage,
  listAlerts,
  listApps,
  listContacts,
  listKeys,
  listOptOuts,
  listWhitelist,
  patchApp,
  publicApp,
  publicTemplate,
  putContact,
  putPackage,
  putSignature,
  putTemplate,
  removeOptOut,
  removeWhitelist,
  revokeKey,
} from "./resources";
import {
  contactSchema,
  createAppSchema,
  createKeySchema,
  optOutSchema,
  packageSchema,
  patchAppSchema,
  templateSchema,
} from "./schemas";

type Route = (deps: Deps, p: Principal, req: HttpRequest, appId: string) => Promise<HttpResponse>;

const origin = (deps: Deps, req: HttpRequest) => deps.config.SMSGATE_PUBLIC_URL ?? req.origin;
const noContent = (): HttpResponse => ({ statusCode: 204, body: "" });
const ACCESS = new Map(ROUTES.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r.access]));

const routes: Record<string, Route> = {
  "GET /v1/apps": async (deps, p, req) => json(200, await listApps(deps, p, origin(deps, req))),
  "GET /v1/apps/{appId}/keys": async (deps, p, _req, appId) =>
    json(200, await listKeys(deps, p, appId)),
  "DELETE /v1/apps/{appId}/keys/{id}": async (deps, p, req, appId) => {
    await revokeKey(deps, p, appId, req.params.id ?? "");
    return noContent();
  },
  "GET /v1/apps/{appId}/whitelist": async (deps, p, _req, appId) =>
    json(200, await listWhitelist(deps, p, appId)),
  "GET /v1/apps/{appId}/opt-outs": async (deps, p, req, appId) =>
    json(200, await listOptOuts(deps, p, appId, req.query)),
  "GET /v1/messages": async (deps, p, req) => json(200, await listMessages(deps, p, req.query)),
  "GET /v1/stats": async (deps, p, req) => json(200, await stats(deps, p, req.query)),
  "POST /v1/apps": async (deps, p, req) =>
    json(201, await createApp(deps, p, parseBody(req, createAppSchema), origin(deps, req))),
  "GET /v1/apps/{appId}": async (deps, p, req, appId) =>
    json(200, publicApp(deps, await adminApp(deps, p, appId, "read"), origin(deps, req))),
  "PATCH /v1/apps/{appId}": async (deps, p, req, appId) =>
    json(200, await patchApp(deps, p, appId, parseBody(req, patchAppSchema), origin(deps, req))),
  "GET /v1/apps/{appId}/templates": async (deps, p, _req, appId) => {
    const app = await adminApp(deps, p, appId, "read");
    return json(200, {
      templates: (await deps.store.listTemplates(app.appId)).map(publicTemplate),
    });
  },
  "PUT /v1/apps/{appId}/templates/{id}": async (deps, p, req, appId) =>
    json(
      200,
      await putTemplate(deps, p, appId, req.params.id ?? "", parseBody(req, templateSchema)),
    ),
  "PUT /v1/apps/{appId}/signatures/{name}": async (deps, p, req, appId) =>
    json(200, await putSignature(deps, p, appId, req.params.name ?? "", origin(deps, req))),
  "POST /v1/apps/{appId}/keys": async (deps, p, req, appId) =>
    json(201, await createKey(deps, p, appId, parseBody(req, createKeySchema))),
  "PUT /v1/apps/{appId}/whitelist/{phone}": async (deps, p, req, appId) =>
    json(200, await addWhitelist(deps, p, appId, req.params.phone ?? "")),
  "DELETE /v1/apps/{appId}/whitelist/{phone}": async (deps, p, req, appId) => {
    await removeWhitelist(deps, p, appId, req.params.phone ?? "");
    return noContent();
  },
  "POST /v1/apps/{appId}/opt-outs": async (deps, p, req, appId) =>
    json(201, await addOptOut(deps, p, appId, parseBody(req, optOutSchema))),
  "GET /v1/apps/{appId}/opt-outs/{phone}": async (deps, p, req, appId) =>
    json(200, await getOptOut(deps, p, appId, req.params.phone ?? "")),
  "DELETE /v1/apps/{appId}/opt-outs/{phone}": async (deps, p, req, appId) => {
    await removeOptOut(deps, p, appId, req.params.phone ?? "", req.query.sign);
    return noContent();
  },
  "GET /v1/apps/{appId}/contacts": async (deps, p, _req, appId) =>
    json(200, await listContacts(deps, p, appId)),
  "PUT /v1/apps/{appId}/contacts/{id}": async (deps, p, req, appId) =>
    json(200, await putContact(deps, p, appId, req.params.id ?? "", parseBody(req, contactSchema))),
  "DELETE /v1/apps/{appId}/contacts/{id}": async (deps, p, req, appId) => {
    await deleteContact(deps, p, appId, req.params.id ?? "");
    return noContent();
  },
  "GET /v1/apps/{appId}/alerts": async (deps, p, _req, appId) =>
    json(200, await listAlerts(deps, p, appId)),
  "GET /v1/replies": async (deps, p, req) => json(200, await listReplies(deps, p, req.query)),
  "GET /v1/apps/{appId}/package": async (deps, p, _req, appId) =>
    json(200, await getPackage(deps, p, appId)),
  "PUT /v1/apps/{appId}/package": async (deps, p, req, appId) =>
    json(200, await putPackage(deps, p, appId, parseBody(req, packageSchema), origin(deps, req))),
};

export function makeHandler(deps: Deps) {
  return httpHandler(deps, async (req) => {
    if (req.routeKey === "GET /openapi.json") return json(200, openApiDocument(origin(deps, req)));
    const route = routes[req.routeKey];
    if (!route) throw new AppError("ResourceNotFound.Route");
    const principal = await authenticate(deps, req.headers);
    // Scope and app first, so a read key or another app's key never learns about the body.
    const needs = ACCESS.get(req.routeKey);
    if (req.params.appId && (needs === "read" || needs === "admin"))
      authorize(principal, needs, req.params.appId);
    return route(deps, principal, req, req.params.appId ?? "");
  });
}
