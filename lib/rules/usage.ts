/**
 * An app's daily limits (pure): domestic, international and per-country hard limits, the
 * counters of one small item per app and day (or per shard of it: a slice of every limit
 * each, for an app that outgrows one partition), reserved together by one conditional ADD.
 * Statistics live in items of their own (lib/rules/stats.ts).
 */
import type { ErrorCode } from "../core/errors";
import type { Expression, Item } from "../store/db";

export interface Threshold {
  alert?: number | null;
  limit?: number | null;
}

export interface Thresholds {
  domestic?: Threshold;
  international?: Threshold;
  countries?: Record<string, Threshold>;
}

/**
 * The operator's highest daily limits for an app, and the most recipients one of its campaigns
 * may hold (API: operator-only `ceilings`).
 */
export interface Ceilings {
  domestic?: number;
  international?: number;
  countries?: Record<string, number>;
  campaignRecipients?: number;
}

/** Recipients a campaign may hold unless the operator raises the app's ceiling (docs/api.md). */
export const DEFAULT_CAMPAIGN_RECIPIENTS = 100_000;
/** The highest the operator may raise it. */
export const MAX_CAMPAIGN_RECIPIENTS = 1_000_000;

/** How many recipients one of the app's campaigns may hold. */
export const campaignRecipientCeiling = (c: Ceilings | undefined): number =>
  c?.campaignRecipients ?? DEFAULT_CAMPAIGN_RECIPIENTS;

const lower = (limit: number | null | undefined, ceiling: number | undefined) =>
  ceiling === undefined ? limit : limit == null ? ceiling : Math.min(limit, ceiling);

/**
 * The limits a send is held to: the app's own, never above the operator's ceilings (an app
 * that removes its limit is still held to the ceiling).
 */
export function effectiveThresholds(t: Thresholds, c: Ceilings | undefined): Thresholds {
  if (!c) return t;
  const countries: Record<string, Threshold> = { ...t.countries };
  for (const [cc, ceiling] of Object.entries(c.countries ?? {}))
    countries[cc] = { ...countries[cc], limit: lower(countries[cc]?.limit, ceiling) };
  return {
    domestic: { ...t.domestic, limit: lower(t.domestic?.limit, c.domestic) },
    international: { ...t.international, limit: lower(t.international?.limit, c.international) },
    countries,
  };
}

/** The limits that exceed their ceilings, as "domestic", "international", "countries.US". */
export function aboveCeilings(t: Thresholds, c: Ceilings | undefined): string[] {
  if (!c) return [];
  const over = (limit: number | null | undefined, ceiling: number | undefined) =>
    ceiling !== undefined && (limit == null || limit > ceiling);
  const out: string[] = [];
  if (over(t.domestic?.limit, c.domestic)) out.push("domestic");
  if (over(t.international?.limit, c.international)) out.push("international");
  for (const [cc, ceiling] of Object.entries(c.countries ?? {}))
    if (t.countries?.[cc] && over(t.countries[cc]?.limit, ceiling)) out.push(`countries.${cc}`);
  return out;
}

export interface Candidate {
  e164: string;
  country: string;
  mainland: boolean;
}

/** Counter attribute names in the usage item. */
export const counter = {
  region: (mainland: boolean) => (mainland ? "lim:domestic" : "lim:international"),
  country: (cc: string) => `lim:cc:${cc}`,
};

/**
 * What `numbers` add to the limit counters: the region always, a country only when it has
 * a threshold (its limit or alert needs the count; any other country's figures are
 * statistics), so the item stays as small as the app's settings, however many countries the
 * day reaches. A country threshold set during a day counts from then on.
 */
export function limitCounts(numbers: Candidate[], thresholds: Thresholds): Record<string, number> {
  const out: Record<string, number> = {};
  const counted = thresholds.countries ?? {};
  for (const n of numbers) {
    const names = [counter.region(n.mainland)];
    if (n.country in counted) names.push(counter.country(n.country));
    for (const name of names) out[name] = (out[name] ?? 0) + 1;
  }
  return out;
}

/** The most shards an app's day counters may be split into. */
export const MAX_USAGE_SHARDS = 16;

/**
 * How many shards an app's day counters have. A change takes effect on the next app-local
 * day (`from`): the slices of a day already counted are never redrawn, which keeps the
 * limits exact on the day of the change.
 */
export interface UsageShards {
  count: number;
  from?: string;
  before?: number;
}

export const shardsOn = (s: UsageShards | undefined, day: string): number =>
  !s ? 1 : s.from && day < s.from ? (s.before ?? 1) : s.count;

/**
 * Shard `s` of `n`: its slice of every limit, limit/n with the remainder on the first shards,
 * so the slices add up to the limit exactly and no shard can pass its own.
 */
export function shardThresholds(t: Thresholds, n: number, s: number): Thresholds {
  if (n <= 1) return t;
  const slice = (th: Threshold | undefined): Threshold | undefined =>
    th?.limit == null
      ? th
      : { ...th, limit: Math.floor(th.limit / n) + (s < th.limit % n ? 1 : 0) };
  return {
    domestic: slice(t.domestic),
    international: slice(t.international),
    ...(t.countries
      ? {
          countries: Object.fromEntries(
            Object.entries(t.countries).map(([cc, th]) => [cc, slice(th) as Threshold]),
          ),
        }
      : {}),
  };
}

/** The limit counters of an app's shard items, summed (what alerts and dry runs read). */
export function sumCounters(items: (Item | undefined)[]): Item | undefined {
  const present = items.filter((i): i is Item => i !== undefined);
  if (present.length <= 1) return present[0];
  const out: Item = { ...present[0] };
  for (const i of present.slice(1))
    for (const [k, v] of Object.entries(i))
      if (k.startsWith("lim:") && typeof v === "number")
        out[k] = ((out[k] as number | undefined) ?? 0) + v;
  return out;
}

function limitOf(thresholds: Thresholds, name: string): number | undefined {
  if (name === "lim:domestic") return thresholds.domestic?.limit ?? undefined;
  if (name === "lim:international") return thresholds.international?.limit ?? undefined;
  if (name.startsWith("lim:cc:")) return thresholds.countries?.[name.slice(7)]?.limit ?? undefined;
  return undefined;
}

/**
 * One update that adds `adds` to the item, on condition that every limited counter stays
 * within its limit: `attribute_not_exists(c) OR c <= limit - add` (conditions cannot add).
 */
export function counterUpdate(
  adds: Record<string, number>,
  thresholds: Thresholds,
  at: string,
  type = "Usage",
  /** The item's TTL (epoch seconds), set once. */
  expiresAt?: number,
): Expression {
  const names: Record<string, string> = { "#u": "updatedAt", "#c": "createdAt", "#t": "type" };
  const values: Record<string, unknown> = { ":at": at, ":type": type };
  const ttl = expiresAt === undefined ? "" : ", #e = if_not_exists(#e, :exp)";
  if (expiresAt !== undefined) {
    names["#e"] = "expiresAt";
    values[":exp"] = expiresAt;
  }
  const parts: string[] = [];
  const conditions: string[] = [];
  let i = 0;
  for (const [name, add] of Object.entries(adds)) {
    if (add === 0) continue;
    const n = `#a${i}`;
    names[n] = name;
    values[`:v${i}`] = add;
    parts.push(`${n} :v${i}`);
    const limit = limitOf(thresholds, name);
    if (limit !== undefined && add > 0) {
      values[`:m${i}`] = limit - add;
      // A missing counter is 0: it fits only if the whole add does (a missing attribute
      // compares false, so `c <= m` alone refuses it and the caller fits what it can).
      conditions.push(
        add <= limit ? `(attribute_not_exists(${n}) OR ${n} <= :m${i})` : `${n} <= :m${i}`,
      );
    }
    i++;
  }
  return {
    update: `SET #u = :at, #c = if_not_exists(#c, :at), #t = :type${ttl}${parts.length ? ` ADD ${parts.join(", ")}` : ""}`,
    condition: conditions.length ? conditions.join(" AND ") : undefined,
    names,
    values,
  };
}

/**
 * Given the counters as they stand, which numbers still fit, in order; the rest are refused
 * with the code of the limit they hit (country before region).
 */
export function fitWithinLimits(
  numbers: Candidate[],
  item: Item | undefined,
  thresholds: Thresholds,
): { fit: Candidate[]; refused: { number: Candidate; code: ErrorCode }[] } {
  const used = (name: string) => (typeof item?.[name] === "number" ? (item[name] as number) : 0);
  const taken: Record<string, number> = {};
  const fit: Candidate[] = [];
  const refused: { number: Candidate; code: ErrorCode }[] = [];
  for (const n of numbers) {
    const cc = counter.country(n.country);
    const region = counter.region(n.mainland);
    const room = (name: string) => {
      const limit = limitOf(thresholds, name);
      return limit === undefined || used(name) + (taken[name] ?? 0) < limit;
    };
    if (!room(cc)) refused.push({ number: n, code: "LimitExceeded.AppCountryOrRegionDailyLimit" });
    else if (!room(region)) {
      refused.push({
        number: n,
        code: n.mainland
          ? "LimitExceeded.AppMainlandChinaDailyLimit"
          : "LimitExceeded.AppGlobalDailyLimit",
      });
    } else {
      fit.push(n);
      taken[cc] = (taken[cc] ?? 0) + 1;
      taken[region] = (taken[region] ?? 0) + 1;
    }
  }
  return { fit, refused };
}

/**
 * How long an app's day counters are kept: they are the statistics (GET /v1/stats reads them),
 * kept 400 days so a year can be compared with the one before (docs/api.md "Statistics").
 */
export const USAGE_TTL_DAYS = 400;
export const usageExpiry = (day: string) =>
  Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + USAGE_TTL_DAYS * 86_400;
