/** The whitelist (numbers exempt from frequency limits) and opt-outs (do-not-disturb). */
import { decodeCursor, encodeCursor } from "../core/cursor";
import { AppError } from "../core/errors";
import { noContent, type Route } from "../http/routes";
import { json, parseBody } from "../http/wrapper";
import { MAX_WHITELIST } from "../store";
import { loadApp, nowIso, pageLimit, phoneParam } from "./access";
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
      const limit = pageLimit(req.query);
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
      if ((input.phone === undefined) === (input.phones === undefined))
        throw new AppError(
          "InvalidParameter",
          "Send either phone (one number) or phones (up to 1,000 numbers), not both.",
        );
      // Every number is checked before anything is written: a bad one leaves no partial state.
      const numbers = [...new Set((input.phones ?? [input.phone as string]).map(phoneParam))];
      const sign = input.sign ?? "*";
      const entry = {
        sign,
        kind: input.kind,
        reason: "manual" as const,
        at: nowIso(deps),
        detail: `by key ${principal.keyId}${input.note ? `: ${input.note}` : ""}`,
      };
      const existing = await Promise.all(numbers.map((p) => deps.store.getOptOuts(appId, p)));
      const added = numbers.filter(
        (_, i) =>
          !existing[i]?.entries.some(
            (e) => e.sign === sign && (e.kind ?? "*") === entry.kind && e.reason === "manual",
          ),
      );
      // Manual entries are capped per app (1,000); reply opt-outs are not (users may always say stop).
      if (added.length && !(await deps.store.countManualOptOut(appId, added.length)))
        throw new AppError("LimitExceeded.ManualOptOutLimit");
      await Promise.all(numbers.map((p) => deps.store.addOptOut(appId, p, entry)));
      return input.phones
        ? json(201, { phones: numbers, ...entry })
        : json(201, { phone: numbers[0], ...entry });
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
