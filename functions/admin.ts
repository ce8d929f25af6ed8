/** /v1/apps…: configuration (operator key, or an app key with `admin`). */
import {
  adminApp,
  createApp,
  createAppSchema,
  createKey,
  createKeySchema,
  publicApp,
  publicTemplate,
  putTemplate,
  templateSchema,
} from "../lib/admin";
import { authenticate } from "../lib/auth";
import { createDeps, type Deps } from "../lib/deps";
import { AppError } from "../lib/errors";
import { type HttpRequest, type HttpResponse, httpHandler, json, parseBody } from "../lib/http";
import type { Principal } from "../lib/model";

type Route = (deps: Deps, p: Principal, req: HttpRequest) => Promise<HttpResponse>;

const origin = (deps: Deps, req: HttpRequest) => deps.config.SMSGATE_PUBLIC_URL ?? req.origin;

const routes: Record<string, Route> = {
  "POST /v1/apps": async (deps, p, req) =>
    json(201, await createApp(deps, p, parseBody(req, createAppSchema), origin(deps, req))),
  "GET /v1/apps/{appId}": async (deps, p, req) =>
    json(
      200,
      publicApp(await adminApp(deps, p, req.params.appId ?? "", "read"), origin(deps, req)),
    ),
  "PUT /v1/apps/{appId}/templates/{id}": async (deps, p, req) =>
    json(
      200,
      await putTemplate(
        deps,
        p,
        req.params.appId ?? "",
        req.params.id ?? "",
        parseBody(req, templateSchema),
      ),
    ),
  "GET /v1/apps/{appId}/templates": async (deps, p, req) => {
    const app = await adminApp(deps, p, req.params.appId ?? "", "read");
    return json(200, {
      templates: (await deps.store.listTemplates(app.appId)).map(publicTemplate),
    });
  },
  "POST /v1/apps/{appId}/keys": async (deps, p, req) =>
    json(201, await createKey(deps, p, req.params.appId ?? "", parseBody(req, createKeySchema))),
};

export function makeHandler(deps: Deps) {
  return httpHandler(deps, async (req) => {
    const route = routes[req.routeKey];
    if (!route) throw new AppError("ResourceNotFound.Route");
    const principal = await authenticate(deps, req.headers);
    return route(deps, principal, req);
  });
}

export const handler = makeHandler(createDeps());
