/** Statistics from counter items only, never records (GET /v1/stats), scope `read`. */
import * as z from "zod/mini";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import type { App, Principal } from "../core/model";
import { csv, wantsCsv } from "../http/csv";
import type { Route } from "../http/routes";
import { json, validate } from "../http/wrapper";
import { verificationMonitor } from "../rules/monitor";
import { appOfRead } from "./records";

const statsQuery = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  groupBy: z._default(z.enum(["hour", "day", "template", "sign", "country"]), "day"),
  template: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  sign: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
  appId: z.optional(z.string()),
});
type GroupBy = "hour" | "day" | "template" | "sign" | "country";

/** Scope prefixes of the day counters (lib/rules/stats.ts). */
const PREFIX: Record<GroupBy, string> = {
  hour: "h:",
  day: "n:",
  template: "t:",
  sign: "s:",
  country: "c:",
};

const METRICS = [
  "recipients",
  "submitted",
  "rejected",
  "failed",
  "unknown",
  "segments",
  "delivered",
  "undelivered",
] as const;

/** One group's figures from its counters, with the rates the Tencent console shows. */
export function statsRow(counters: Record<string, number>, failures: Record<string, number>) {
  const c = (m: string) => counters[m] ?? 0;
  const reported = c("delivered") + c("undelivered");
  const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
  return {
    requests: c("recipients"),
    submitted: c("submitted"),
    rejected: c("rejected"),
    failed: c("failed"),
    unknown: c("unknown"),
    segments: c("segments"),
    successRate: ratio(c("submitted"), c("recipients")),
    delivered: c("delivered"),
    undelivered: c("undelivered"),
    reported,
    unreported: Math.max(0, c("submitted") - reported),
    receiptRate: ratio(reported, c("submitted")),
    deliveryRate: ratio(c("delivered"), c("submitted")),
    failures,
  };
}

/**
 * Groups day counter items (lib/rules/stats.ts names: "n:<metric>", "t:<template>:<metric>",
 * "s:<sign>:<metric>", "c:<country>:<metric>", "h:<HH>:<metric>", "…:fail:<code>") by hour,
 * day, template, signature or country. `scope` (a filter, "t:<template>:" or "s:<sign>:")
 * replaces the app-wide "n:" counters of a per-day grouping.
 */
export function groupStats(items: Record<string, unknown>[], groupBy: GroupBy, scope?: string) {
  const groups = new Map<
    string,
    { counters: Record<string, number>; failures: Record<string, number> }
  >();
  const at = (key: string) => {
    let g = groups.get(key);
    if (!g) {
      g = { counters: {}, failures: {} };
      groups.set(key, g);
    }
    return g;
  };
  const prefix = groupBy === "day" && scope ? scope : PREFIX[groupBy];
  for (const item of items) {
    for (const [name, value] of Object.entries(item)) {
      if (typeof value !== "number" || !name.startsWith(prefix)) continue;
      const rest = name.slice(prefix.length);
      // "n:<metric>" has no group; t: and c: carry theirs before the metric.
      const [group, metric, ...code] =
        groupBy === "day" ? [String(item.sk), ...rest.split(":")] : rest.split(":");
      // An hour holds "h:<HH>:verification…" for the fraud rule too; only metrics count.
      if (!group || !metric) continue;
      const g = at(group);
      if (metric === "fail") g.failures[code.join(":")] = (g.failures[code.join(":")] ?? 0) + value;
      else if ((METRICS as readonly string[]).includes(metric))
        g.counters[metric] = (g.counters[metric] ?? 0) + value;
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, g]) => ({ [groupBy]: key, ...statsRow(g.counters, g.failures) }));
}

/** Every shard an app's statistics may be on, before and after a change of their number. */
const shardsEver = (app: App) =>
  Math.max(app.usageShards?.count ?? 1, app.usageShards?.before ?? 1);

/** GET /v1/stats: from counter items only, never records. */
export async function stats(deps: Deps, p: Principal, query: Record<string, string>) {
  const q = validate(statsQuery, query, "query");
  if (q.from > q.to)
    throw new AppError("InvalidParameter", "query.from: must not be after query.to.");
  if (q.template && q.sign)
    throw new AppError("InvalidParameter", "query.sign: give template or sign, not both.");
  // Counters are kept per day for each template and each signature, not crossed with the
  // other groupings (that would multiply the counters of a day item), so a filter narrows
  // the per-day figures only.
  const scope = q.template ? `t:${q.template}:` : q.sign ? `s:${q.sign}:` : undefined;
  if (scope && q.groupBy !== "day")
    throw new AppError(
      "InvalidParameter",
      "query.groupBy: template and sign filters work with groupBy=day; use groupBy=template or groupBy=sign to compare them.",
    );
  const appId = appOfRead(p, q.appId);
  const app = await deps.store.getApp(appId);
  if (!app) throw new AppError("ResourceNotFound");
  const items = await deps.store.statsRange(appId, q.from, q.to, shardsEver(app));
  const groups = groupStats(items, q.groupBy, scope);
  const total = groupStats(
    items.map((i) => ({ ...i, sk: "total" })),
    "day",
    scope,
  )[0];
  const carriers: Record<string, number> = {};
  for (const i of items)
    for (const [k, v] of Object.entries(i))
      if (k.startsWith("n:carrier:") && typeof v === "number")
        carriers[k.slice(10)] = (carriers[k.slice(10)] ?? 0) + v;
  return {
    appId,
    from: q.from,
    to: q.to,
    groupBy: q.groupBy,
    ...(q.template ? { template: q.template } : {}),
    ...(q.sign ? { sign: q.sign } : {}),
    groups,
    total: total ? { ...total, day: undefined } : statsRow({}, {}),
    carrierCodes: carriers,
  };
}

const verificationQuery = z.strictObject({
  date: z.iso.date(),
  appId: z.optional(z.string()),
});

/** GET /v1/stats/verification: the anti-fraud rule's view of one app-local day, per hour. */
export async function verificationStats(deps: Deps, p: Principal, query: Record<string, string>) {
  const q = validate(verificationQuery, query, "query");
  const appId = appOfRead(p, q.appId);
  const before = new Date(Date.parse(`${q.date}T00:00:00Z`) - 86_400_000)
    .toISOString()
    .slice(0, 10);
  const app = await deps.store.getApp(appId);
  if (!app) throw new AppError("ResourceNotFound");
  const items = await deps.store.statsRange(appId, before, q.date, shardsEver(app));
  const day = (d: string) => items.find((i) => i.sk === d);
  return { appId, date: q.date, ...verificationMonitor(day(q.date), day(before), app.alertRules) };
}

/** CSV columns of a statistics answer: the group, then every figure. */
const FIGURES = [
  "requests",
  "submitted",
  "rejected",
  "failed",
  "unknown",
  "segments",
  "successRate",
  "delivered",
  "undelivered",
  "reported",
  "unreported",
  "receiptRate",
  "deliveryRate",
  "failures",
] as const;

export const statsRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/stats",
    summary: "Statistics by hour, day, template, signature or country; JSON or CSV",
    access: "read",
    query: ["from!", "to!", "groupBy", "template", "sign", "appId"],
    async handle({ deps, principal, req }) {
      const answer = await stats(deps, principal, req.query);
      if (!wantsCsv(req)) return json(200, answer);
      const rows = answer.groups.map((g) => ({
        ...g,
        failures: Object.entries(g.failures)
          .map(([code, n]) => `${code}:${n}`)
          .join(" "),
      }));
      return csv(`stats-${answer.groupBy}.csv`, [answer.groupBy, ...FIGURES], rows);
    },
  },
  {
    method: "get",
    path: "/v1/stats/verification",
    summary: "The verification-code monitor of one day, per hour",
    access: "read",
    query: ["date!", "appId"],
    async handle({ deps, principal, req }) {
      const answer = await verificationStats(deps, principal, req.query);
      if (!wantsCsv(req)) return json(200, answer);
      return csv(`verification-${answer.date}.csv`, MONITOR_COLUMNS, answer.hours);
    },
  },
];

const MONITOR_COLUMNS = [
  "hour",
  "volume",
  "delivered",
  "successRate",
  "sameHourYesterday",
  "growth",
  "suspicious",
] as const;
