/**
 * Per-number frequency rules (pure), as the vendors count them (docs/providers/tencent.md §5.1).
 * A number's windows live in ONE item per app and number — not per day — so the sliding
 * 30-second, one-hour and same-content windows cross midnight; the natural-day counts are
 * attributes named by the app-local day (`d_<day>` every send, `m_<day>` marketing, `o_<day>`
 * the rest), so they start again at local midnight. One conditional UpdateItem checks and
 * reserves every rule — exact under concurrency, no read.
 *
 * A window of limit N over a span keeps the times of the last N sends in N slot attributes,
 * oldest first. A send fits when the oldest slot is older than the span (fewer than N sends
 * within it); the update shifts every slot down by one and writes now into the newest.
 */
import type { ErrorCode } from "../core/errors";
import type { Expression, Item } from "../store/db";
import type { TemplateKind } from "./template";

export interface FrequencyLimits {
  thirtySeconds?: number | null;
  oneHour?: number | null;
  /** Per number and natural day; absent = 10 (apps made before this rule), new apps get 2. */
  oneDay?: number | null;
  sameContentThirtySeconds?: number | null;
}

/**
 * Tencent's defaults: same content 1 per 30 s; per natural day 2 for applications created
 * from 2024-05-22, 10 before. Apps created by smsgate from now on are written with
 * `oneDay: 2` (NEW_APP_FREQUENCY); an app stored without `oneDay` predates the rule and keeps 10.
 */
export const DEFAULT_FREQUENCY: Required<FrequencyLimits> = {
  thirtySeconds: null,
  oneHour: null,
  oneDay: 10,
  sameContentThirtySeconds: 1,
};
export const NEW_APP_FREQUENCY: FrequencyLimits = { oneDay: 2 };

/** The carriers' caps on top of any setting: marketing 3, non-marketing 10 per number and day. */
export const CARRIER_DAILY_CAP = { marketing: 3, other: 10 } as const;
/** The highest `oneDay` an app may set: nothing above the carriers' non-marketing cap gets through. */
export const MAX_ONE_DAY = CARRIER_DAILY_CAP.other;

/** A frequency item outlives its last send by two days: the day counts and every window are over. */
export const FREQUENCY_TTL_SECONDS = 2 * 86_400;

interface SlotWindow {
  prefix: string;
  limit: number;
  spanMs: number;
  code: ErrorCode;
}

/** What one send is, for the frequency rules. */
export interface FrequencySend {
  now: number;
  /** App-local day of the send, and the day before (whose counts the update drops). */
  day: string;
  yesterday: string;
  contentKey: string;
  kind: TemplateKind;
  /** Whitelisted numbers skip the app's rules, never the carriers' caps. */
  whitelisted: boolean;
}

const effective = (limits: FrequencyLimits) => ({ ...DEFAULT_FREQUENCY, ...limits });
const capKind = (kind: TemplateKind) => (kind === "marketing" ? "m" : "o");
export const dayCount = (day: string) => `d_${day}`;
export const kindCount = (kind: TemplateKind, day: string) => `${capKind(kind)}_${day}`;
const carrierCap = (kind: TemplateKind) =>
  kind === "marketing" ? CARRIER_DAILY_CAP.marketing : CARRIER_DAILY_CAP.other;

/** Windows are checked in this order, so the most specific refusal is the one reported. */
function windows(limits: FrequencyLimits, send: Pick<FrequencySend, "contentKey" | "whitelisted">) {
  if (send.whitelisted) return [];
  const l = effective(limits);
  const out: SlotWindow[] = [];
  if (l.sameContentThirtySeconds)
    out.push({
      prefix: `sc${send.contentKey}_`,
      limit: l.sameContentThirtySeconds,
      spanMs: 30_000,
      code: "LimitExceeded.PhoneNumberSameContentDailyLimit",
    });
  if (l.thirtySeconds)
    out.push({
      prefix: "t30_",
      limit: l.thirtySeconds,
      spanMs: 30_000,
      code: "LimitExceeded.PhoneNumberThirtySecondLimit",
    });
  if (l.oneHour)
    out.push({
      prefix: "t1h_",
      limit: l.oneHour,
      spanMs: 3_600_000,
      code: "LimitExceeded.PhoneNumberOneHourLimit",
    });
  return out;
}

export const MAX_WINDOW_LIMIT = 100;

/** The conditional update that reserves one send. */
export function frequencyReservation(
  limits: FrequencyLimits,
  send: FrequencySend,
  at: string,
): Expression {
  const names: Record<string, string> = {
    "#d": dayCount(send.day),
    "#k": kindCount(send.kind, send.day),
    "#dy": dayCount(send.yesterday),
    "#ky": kindCount(send.kind, send.yesterday),
    "#u": "updatedAt",
    "#c": "createdAt",
    "#t": "type",
    "#e": "expiresAt",
  };
  const values: Record<string, unknown> = {
    ":one": 1,
    ":now": send.now,
    ":zero": 0,
    ":at": at,
    ":type": "Frequency",
    ":exp": Math.floor(send.now / 1000) + FREQUENCY_TTL_SECONDS,
    ":cap": carrierCap(send.kind),
  };
  const sets = ["#u = :at", "#c = if_not_exists(#c, :at)", "#t = :type", "#e = :exp"];
  const conditions = ["(attribute_not_exists(#k) OR #k < :cap)"];
  const day = effective(limits).oneDay;
  if (day && !send.whitelisted) {
    values[":dayLimit"] = day;
    conditions.push("(attribute_not_exists(#d) OR #d < :dayLimit)");
  }
  for (const [w, win] of windows(limits, send).entries()) {
    const slot = (i: number) => {
      const name = `#w${w}s${i}`;
      names[name] = `${win.prefix}${i}`;
      return name;
    };
    values[`:cut${w}`] = send.now - win.spanMs;
    conditions.push(`(attribute_not_exists(${slot(0)}) OR ${slot(0)} <= :cut${w})`);
    for (let i = 0; i < win.limit - 1; i++)
      sets.push(`${slot(i)} = if_not_exists(${slot(i + 1)}, :zero)`);
    sets.push(`${slot(win.limit - 1)} = :now`);
  }
  return {
    update: `SET ${sets.join(", ")} ADD #d :one, #k :one REMOVE #dy, #ky`,
    condition: conditions.join(" AND "),
    names,
    values,
  };
}

/** Which rule a stored item leaves no room in (null: a send fits). */
export function frequencyVerdict(
  item: Item | undefined,
  limits: FrequencyLimits,
  send: FrequencySend,
): ErrorCode | null {
  if (!item) return null;
  for (const win of windows(limits, send)) {
    const oldest = item[`${win.prefix}0`];
    if (typeof oldest === "number" && oldest > send.now - win.spanMs) return win.code;
  }
  const count = (name: string) => (typeof item[name] === "number" ? (item[name] as number) : 0);
  const day = effective(limits).oneDay;
  if (day && !send.whitelisted && count(dayCount(send.day)) >= day)
    return "LimitExceeded.PhoneNumberDailyLimit";
  if (count(kindCount(send.kind, send.day)) >= carrierCap(send.kind))
    return "LimitExceeded.PhoneNumberDailyLimit";
  return null;
}

/**
 * Gives back a reservation: the day counts always; a window slot only when no later send has
 * used the number since (then the slots are exactly as we left them).
 */
export function frequencyRelease(
  limits: FrequencyLimits,
  send: FrequencySend,
  old: Item | undefined,
): Expression {
  const names: Record<string, string> = {
    "#d": dayCount(send.day),
    "#k": kindCount(send.kind, send.day),
  };
  const values: Record<string, unknown> = { ":minus": -1, ":now": send.now };
  const sets: string[] = [];
  const guards: string[] = [];
  for (const [w, win] of windows(limits, send).entries()) {
    const slot = (i: number) => {
      const name = `#w${w}s${i}`;
      names[name] = `${win.prefix}${i}`;
      return name;
    };
    guards.push(`${slot(win.limit - 1)} = :now`);
    for (let i = win.limit - 1; i > 0; i--) sets.push(`${slot(i)} = ${slot(i - 1)}`);
    values[`:old${w}`] = old?.[`${win.prefix}0`] ?? 0;
    sets.push(`${slot(0)} = :old${w}`);
  }
  return {
    update: `${sets.length ? `SET ${sets.join(", ")} ` : ""}ADD #d :minus, #k :minus`,
    condition: guards.length ? guards.join(" AND ") : undefined,
    names,
    values,
  };
}

/** The update that gives back only the day counts (a later send moved the slots on). */
export function frequencyCountRelease(send: FrequencySend): Expression {
  return {
    update: "ADD #d :minus, #k :minus",
    names: { "#d": dayCount(send.day), "#k": kindCount(send.kind, send.day) },
    values: { ":minus": -1 },
  };
}

/** Same-content slots of other contents accumulate on the one item; pruned once this many are stale. */
export const PRUNE_STALE_AT = 8;

/**
 * Attributes of an item (as it was before a send) that no rule reads any more: same-content
 * slots older than their 30 s, and day counts of days before yesterday. Returned with their
 * values, so the prune can be conditional on nothing having rewritten them since.
 */
export function staleAttributes(
  item: Item | undefined,
  send: Pick<FrequencySend, "now" | "day" | "yesterday">,
): Record<string, number> {
  if (!item) return {};
  const out: Record<string, number> = {};
  const keep = new Set([send.day, send.yesterday]);
  for (const [k, v] of Object.entries(item)) {
    if (typeof v !== "number") continue;
    if (k.startsWith("sc") && v <= send.now - 30_000) out[k] = v;
    else if (/^[dmo]_\d{4}-\d{2}-\d{2}$/.test(k) && !keep.has(k.slice(2))) out[k] = v;
  }
  return out;
}
