/** Statistics from counter items only, never records (GET /v1/stats), scope `read`. */
import * as z from "zod/mini";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import type { Principal } from "../core/model";
import type { Route } from "../http/routes";
import { json, validate } from "../http/wrapper";
import { appOfRead } from "./records";

const statsQuery = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  groupBy: z._default(z.enum(["day", "template", "country"]), "day"),
  appId: z.optional(z.string()),
});

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
 * "c:<country>:<metric>", "…:fail:<code>") by day, template or country.
 */
export function groupStats(
  items: Record<string, unknown>[],
  groupBy: "day" | "template" | "country",
) {
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
  const prefix = groupBy === "template" ? "t:" : groupBy === "country" ? "c:" : "n:";
  for (const item of items) {
    for (const [name, value] of Object.entries(item)) {
      if (typeof value !== "number" || !name.startsWith(prefix)) continue;
      const rest = name.slice(prefix.length);
      // "n:<metric>" has no group; t: and c: carry theirs before the metric.
      const [group, metric, ...code] =
        groupBy === "day" ? [String(item.sk), ...rest.split(":")] : rest.split(":");
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

/** GET /v1/stats: from counter items only, never records. */
export async function stats(deps: Deps, p: Principal, query: Record<string, string>) {
  const q = validate(statsQuery, query, "query");
  if (q.from > q.to)
    throw new AppError("InvalidParameter", "query.from: must not be after query.to.");
  const appId = appOfRead(p, q.appId);
  const items = await deps.store.usageRange(appId, q.from, q.to);
  const groups = groupStats(items, q.groupBy);
  const total = groupStats(
    items.map((i) => ({ ...i, sk: "total" })),
    "day",
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
    groups,
    total: total ? { ...total, day: undefined } : statsRow({}, {}),
    carrierCodes: carriers,
  };
}

export const statsRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/stats",
    summary: "Statistics by day, template or country",
    access: "read",
    query: ["from!", "to!", "groupBy", "appId"],
    async handle({ deps, principal, req }) {
      return json(200, await stats(deps, principal, req.query));
    },
  },
];
