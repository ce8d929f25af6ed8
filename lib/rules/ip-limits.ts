/**
 * Per-client-IP limits on the Logto connector's sends (pure): a defence against SMS bombing
 * through a sign-in page, which neither Tencent's console nor Logto offers. One item per app,
 * IP and app-local day holds the day's count and the times of the last N sends (N = the
 * one-hour limit), oldest first — the same sliding-slot scheme as the per-number windows
 * (lib/rules/frequency.ts) — so both limits are checked and taken by one conditional
 * UpdateItem, exact under concurrency, with no read.
 */
import type { ErrorCode } from "../core/errors";
import type { IpLimits } from "../core/model";
import type { Expression, Item } from "../store/db";

const HOUR_MS = 3_600_000;
const slot = (i: number) => `h_${i}`;

/** True when at least one limit is set. */
export const hasIpLimits = (l: IpLimits | undefined | null): l is IpLimits =>
  Boolean(l && (l.oneHour || l.oneDay));

/** The conditional update that takes one send from `ip` at `now`. */
export function ipReservation(limits: IpLimits, now: number, at: string): Expression {
  // The item outlives its day by one more, whatever the app's time zone, then expires.
  const expiresAt = Math.floor(now / 1000) + 2 * 86_400;
  const names: Record<string, string> = {
    "#n": "count",
    "#u": "updatedAt",
    "#c": "createdAt",
    "#t": "type",
    "#e": "expiresAt",
  };
  const values: Record<string, unknown> = {
    ":one": 1,
    ":now": now,
    ":zero": 0,
    ":at": at,
    ":type": "IpLimit",
    ":exp": expiresAt,
  };
  const sets = [
    "#u = :at",
    "#c = if_not_exists(#c, :at)",
    "#t = :type",
    "#e = if_not_exists(#e, :exp)",
  ];
  const conditions: string[] = [];
  if (limits.oneDay) {
    values[":day"] = limits.oneDay;
    conditions.push("(attribute_not_exists(#n) OR #n < :day)");
  }
  if (limits.oneHour) {
    const n = limits.oneHour;
    for (let i = 0; i < n; i++) names[`#s${i}`] = slot(i);
    values[":cut"] = now - HOUR_MS;
    conditions.push("(attribute_not_exists(#s0) OR #s0 <= :cut)");
    for (let i = 0; i < n - 1; i++) sets.push(`#s${i} = if_not_exists(#s${i + 1}, :zero)`);
    sets.push(`#s${n - 1} = :now`);
  }
  return {
    update: `SET ${sets.join(", ")} ADD #n :one`,
    condition: conditions.length ? conditions.join(" AND ") : undefined,
    names,
    values,
  };
}

/** Which limit a stored item leaves no room in at `now`. */
export function ipVerdict(item: Item | undefined, limits: IpLimits, now: number): ErrorCode {
  const oldest = item?.[slot(0)];
  if (limits.oneHour && typeof oldest === "number" && oldest > now - HOUR_MS)
    return "LimitExceeded.ClientIpOneHourLimit";
  return "LimitExceeded.ClientIpDailyLimit";
}
