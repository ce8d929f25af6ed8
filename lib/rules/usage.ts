/**
 * An app's daily limits (pure): domestic, international and per-country hard limits, all
 * counters of one item per app and day, reserved together by one conditional ADD.
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

/** What `numbers` add to the limit counters. */
export function limitCounts(numbers: Candidate[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of numbers) {
    for (const name of [counter.region(n.mainland), counter.country(n.country)])
      out[name] = (out[name] ?? 0) + 1;
  }
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
