/**
 * A route is declared once, beside its handler: method, path, who may call it, the body
 * schema and the handler itself. The function's dispatcher authenticates and authorizes
 * from the declaration before the handler runs, and the OpenAPI document is generated from
 * the same declarations (lib/http/openapi.ts) — never the other way round.
 */
import type * as z from "zod/mini";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import type { Principal } from "../core/model";
import { authenticate, authorize } from "./auth";
import { type HttpRequest, type HttpResponse, httpHandler } from "./wrapper";

/**
 * Who may call a route: an app key with that scope (of its own app, when the path names one;
 * the operator key has every scope), the operator key alone, the vendor holding a callback
 * token (checked by the handler), or anyone.
 */
export type Access = "send" | "read" | "admin" | "operator" | "token" | "none";

export interface RouteContext {
  deps: Deps;
  req: HttpRequest;
  /** Set for every route that needs a key ("send", "read", "admin", "operator"). */
  principal: Principal;
  /** The `{appId}` path parameter, or "". */
  appId: string;
}

export interface Route {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  access: Access;
  /** The request body's schema, for the OpenAPI document (the handler parses with it). */
  body?: z.ZodMiniType;
  /** Query parameters; a trailing "!" marks a required one. */
  query?: string[];
  /** The success status (200 unless said). */
  ok?: number;
  /**
   * The handler authenticates and checks `access` itself, in the one round trip that also
   * loads what it needs (the send path: key, app, template and opt-outs together;
   * docs/performance.md). The dispatcher then checks nothing.
   */
  authenticatesItself?: true;
  handle(ctx: RouteContext): Promise<HttpResponse>;
}

export const routeKey = (r: Pick<Route, "method" | "path">) =>
  `${r.method.toUpperCase()} ${r.path}`;

/** No-content answer for deletes. */
export const noContent = (): HttpResponse => ({ statusCode: 204, body: "" });

const NOBODY: Principal = { appId: "", scopes: [], keyId: "" };

/**
 * One Lambda handler for a table of routes. Scope and app are checked before the handler
 * reads anything of the request, so a read key or another app's key never learns about the
 * body, and another app answers exactly like a missing one.
 */
export function dispatch(deps: Deps, routes: readonly Route[]) {
  const table = new Map(routes.map((r) => [routeKey(r), r]));
  return httpHandler(deps, async (req) => {
    const route = table.get(req.routeKey);
    if (!route) throw new AppError("ResourceNotFound.Route");
    const appId = req.params.appId ?? "";
    if (route.access === "none" || route.access === "token" || route.authenticatesItself)
      return route.handle({ deps, req, principal: NOBODY, appId });
    const principal = await authenticate(deps, req.headers);
    if (route.access === "operator") {
      if (principal.appId !== "*") {
        // Another app answers like a missing one; the app's own key learns it lacks the tier.
        if (appId && principal.appId !== appId) throw new AppError("ResourceNotFound");
        throw appId
          ? new AppError("UnauthorizedOperation.OperatorOnlySetting")
          : new AppError("AuthFailure.UnauthorizedOperation", "Only the operator key may do this.");
      }
    } else if (appId || route.access !== "send") {
      authorize(principal, route.access, appId || undefined);
    }
    return route.handle({ deps, req, principal, appId });
  });
}
