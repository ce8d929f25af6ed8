/**
 * The prepaid package (docs/api.md "Prepaid package"): what was bought and what remains —
 * domestic in segments, international in the operator's currency — set (replaced) with PUT,
 * added to with audited top-ups. Both are the operator's (docs/api.md "Two tiers of settings").
 */
import { decodeCursor, encodeCursor } from "../core/cursor";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import { ulid } from "../core/ids";
import type { App } from "../core/model";
import type { Route } from "../http/routes";
import { json, parseBody } from "../http/wrapper";
import { balanceUnits, type PackageRegion, shownBalance } from "../rules/package";
import type { PackageBalance, TopUpEntry } from "../store/package";
import { loadApp, nowIso, pageLimit } from "./access";
import { packageSchema, topUpSchema } from "./schemas";

const REGIONS: PackageRegion[] = ["domestic", "international"];

/** Each region's balance in the API's unit, for the regions that have one. */
const shown = (b: { domestic?: number; international?: number } | undefined) =>
  Object.fromEntries(
    REGIONS.filter((r) => b?.[r] !== undefined).map((r) => [r, shownBalance(r, b?.[r] as number)]),
  );

function packageView(app: App, balance: PackageBalance | undefined) {
  return {
    purchased: app.package ?? {},
    remaining: shown(balance),
    ...(balance?.periodAt
      ? { period: { startedAt: balance.periodAt, bought: shown(balance.bought) } }
      : {}),
  };
}

const publicTopUp = (e: TopUpEntry) => ({
  id: e.id,
  at: e.at,
  by: e.by,
  requestId: e.requestId,
  region: e.region,
  amount: shownBalance(e.region, e.added),
  balanceAfter: shownBalance(e.region, e.balanceAfter),
});

const notSet = (region: PackageRegion) =>
  new AppError(
    "InvalidParameter",
    `${region}: the app has no ${region} package to add to; set one first with PUT /v1/apps/{appId}/package.`,
  );

async function loadPackage(deps: Deps, appId: string) {
  const app = await loadApp(deps, appId);
  return packageView(app, await deps.store.readPackage(appId));
}

export const packageRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/apps/{appId}/package",
    summary: "Prepaid package: purchased and remaining",
    access: "read",
    async handle({ deps, appId }) {
      return json(200, await loadPackage(deps, appId));
    },
  },
  {
    method: "put",
    path: "/v1/apps/{appId}/package",
    summary: "Set (replace) the prepaid package (operator)",
    access: "operator",
    body: packageSchema,
    async handle({ deps, req, appId }) {
      const app = await loadApp(deps, appId);
      const input = parseBody(req, packageSchema);
      const at = nowIso(deps);
      await deps.store.setPackage(
        appId,
        {
          domestic: input.domestic?.segments,
          international: input.international
            ? balanceUnits("international", input.international.amount)
            : undefined,
        },
        at,
      );
      await deps.store.updateApp(appId, {
        package: { ...app.package, ...input, setAt: at },
        updatedAt: at,
      });
      return json(200, await loadPackage(deps, appId));
    },
  },
  {
    method: "post",
    path: "/v1/apps/{appId}/package/top-ups",
    summary: "Add to the prepaid balances, audited (operator)",
    access: "operator",
    body: topUpSchema,
    ok: 201,
    async handle({ deps, req, appId }) {
      const app = await loadApp(deps, appId);
      const input = parseBody(req, topUpSchema);
      const adds = {
        domestic: input.domestic?.segments,
        international: input.international
          ? balanceUnits("international", input.international.amount)
          : undefined,
      };
      const regions = REGIONS.filter((r) => adds[r] !== undefined);
      for (const r of regions) if (app.package?.[r] === undefined) throw notSet(r);
      const now = deps.clock.now();
      const at = new Date(now).toISOString();
      // One conditional ADD of every region: concurrent top-ups, sends and refunds all count.
      const after = await deps.store.topUpPackage(appId, adds, at);
      if (!after) throw notSet(regions[0] as PackageRegion);
      const entries: TopUpEntry[] = regions.map((region) => ({
        id: ulid(now),
        at,
        by: "operator",
        requestId: req.requestId,
        region,
        added: adds[region] as number,
        balanceAfter: after[region] as number,
      }));
      await deps.store.putTopUps(appId, entries);
      return json(201, {
        topUps: entries.map(publicTopUp),
        ...packageView(app, after),
      });
    },
  },
  {
    method: "get",
    path: "/v1/apps/{appId}/package/top-ups",
    summary: "The top-ups of the prepaid package, newest first (operator)",
    access: "operator",
    query: ["limit", "cursor"],
    async handle({ deps, req, appId }) {
      await loadApp(deps, appId);
      const limit = pageLimit(req.query);
      const page = await deps.store.listTopUps(
        appId,
        limit,
        decodeCursor(req.query.cursor, `TOPUPS#${appId}`),
      );
      return json(200, {
        topUps: page.items.map(publicTopUp),
        cursor: encodeCursor(page.lastKey) ?? null,
      });
    },
  },
];
