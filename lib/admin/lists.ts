/** The whitelist (numbers exempt from frequency limits) and opt-outs (do-not-disturb). */
import { decodeCursor, encodeCursor } from "../core/cursor";
import { AppError } from "../core/errors";
import { noContent, type Route } from "../http/routes";
import { json, parseBody } from "../http/wrapper";
import { MAX_WHITELIST } from "../store";
import { loadApp, nowIso, phoneParam } from "./access";
import { optOutSchema } from "./schemas";

export const whitelistRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/apps/{appId}/whitelist",
    summary: "Numbers exempt from frequency limits",
    access: "read",
    async handle({ deps, appId }) {
      const app = await loadApp(deps, appId);
      return json(200, {
        whitelist: Object.entries(app.whitelist ?? {}).map(([phone, addedAt]) => ({
          phone,
          addedAt,
        })),
      });
    },
  },
  {
    method: "put",
    path: "/v1/apps/{appId}/whitelist/{phone}",
    summary: "Exempt a number from frequency limits (≤ 300)",
    access: "admin",
    async handle({ deps, req, appId }) {
      await loadApp(deps, appId);
      const e164 = phoneParam(req.params.phone ?? "");
      const at = nowIso(deps);
      const result = await deps.store.putInAppMap(appId, "whitelist", e164, at, at);
      if (result === "full")
        throw new AppError(
          "InvalidParameter",
          `The whitelist holds at most ${MAX_WHITELIST} numbers; remove one first.`,
        );
      if (result === "missing") throw new AppError("ResourceNotFound", `No app ${appId}.`);
      return json(200, { phone: e164 });
    },
  },
  {
    method: "delete",
    path: "/v1/apps/{appId}/whitelist/{phone}",
    summary: "Remove a number from the whitelist",
    access: "admin",
    ok: 204,
    async handle({ deps, req, appId }) {
      await loadApp(deps, appId);
      const e164 = phoneParam(req.params.phone ?? "");
      await deps.store.removeFromAppMap(appId, "whitelist", e164, nowIso(deps));
      return noContent();
    },
  },
];

export const optOutRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/apps/{appId}/opt-outs",
    summary: "Opted-out numbers",
    access: "read",
    query: ["limit", "cursor"],
    async handle({ deps, req, appId }) {
      await loadApp(deps, appId);
      const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 500);
      const page = await deps.store.listOptOuts(
        appId,
        limit,
        decodeCursor(req.query.cursor, `OPTOUTS#${appId}`),
      );
      return json(200, { optOuts: page.items, cursor: encodeCursor(page.lastKey) });
    },
  },
  {
    method: "post",
    path: "/v1/apps/{appId}/opt-outs",
    summary: "Opt a number out (with consent)",
    access: "admin",
    body: optOutSchema,
    ok: 201,
    async handle({ deps, req, appId, principal }) {
      await loadApp(deps, appId);
      const input = parseBody(req, optOutSchema);
      const e164 = phoneParam(input.phone);
      const sign = input.sign ?? "*";
      const existing = await deps.store.getOptOuts(appId, e164);
      if (!existing?.entries.some((e) => e.sign === sign && e.reason === "manual")) {
        // Manual entries are capped per app; reply opt-outs are not (users may always say stop).
        if (!(await deps.store.countManualOptOut(appId, 1)))
          throw new AppError("LimitExceeded.ManualOptOutLimit");
      }
      const entry = {
        sign,
        reason: "manual" as const,
        at: nowIso(deps),
        detail: `by key ${principal.keyId}${input.note ? `: ${input.note}` : ""}`,
      };
      await deps.store.addOptOut(appId, e164, entry);
      return json(201, { phone: e164, ...entry });
    },
  },
  {
    method: "get",
    path: "/v1/apps/{appId}/opt-outs/{phone}",
    summary: "A number's opt-outs and audit trail",
    access: "read",
    async handle({ deps, req, appId }) {
      await loadApp(deps, appId);
      const e164 = phoneParam(req.params.phone ?? "");
      const found = await deps.store.getOptOuts(appId, e164);
      return json(200, { phone: e164, optOuts: found?.entries ?? [], audit: found?.audit ?? [] });
    },
  },
  {
    method: "delete",
    path: "/v1/apps/{appId}/opt-outs/{phone}",
    summary: "Remove an opt-out (audited)",
    access: "admin",
    query: ["sign"],
    ok: 204,
    async handle({ deps, req, appId, principal }) {
      await loadApp(deps, appId);
      const e164 = phoneParam(req.params.phone ?? "");
      const sign = req.query.sign;
      const before = await deps.store.getOptOuts(appId, e164);
      const removed = await deps.store.removeOptOut(
        appId,
        e164,
        sign,
        `key ${principal.keyId}`,
        nowIso(deps),
      );
      if (!removed) throw new AppError("ResourceNotFound", "That number has no such opt-out.");
      const manual =
        before?.entries.filter((e) => e.reason === "manual" && (!sign || e.sign === sign)).length ??
        0;
      if (manual) await deps.store.countManualOptOut(appId, -manual);
      return noContent();
    },
  },
];
