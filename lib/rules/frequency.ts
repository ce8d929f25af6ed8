/**
 * Per-number frequency windows (pure). A number's windows for one day live in one item and
 * are checked and reserved by one conditional UpdateItem — exact under concurrency, no read.
 *
 * A window of limit N over a span keeps the times of the last N sends in N slot attributes,
 * oldest first. A send fits when the oldest slot is older than the span (fewer than N sends
 * within it); the update shifts every slot down by one and writes now into the newest.
 * Sliding, not bucketed: "1 per 30 s" means 30 s since the last send, as a user expects.
 * The day window is a plain counter, since the item itself is the natural day.
 */
import type { ErrorCode } from "../core/errors";
import type { Expression, Item } from "../store/db";

export interface FrequencyLimits {
  thirtySeconds?: number | null;
  oneHour?: number | null;
  oneDay?: number | null;
  sameContentThirtySeconds?: number | null;
}

/** Tencent's defaults (docs/providers/tencent.md §5): same content 1 per 30 s, 10 per natural day. */
export const DEFAULT_FREQUENCY: Required<FrequencyLimits> = {
  thirtySeconds: null,
  oneHour: null,
  oneDay: 10,
  sameContentThirtySeconds: 1,
};

interface SlotWindow {
  prefix: string;
  limit: number;
  spanMs: number;
  code: ErrorCode;
}

/** Windows are checked in this order, so the most specific refusal is the one reported. */
function windows(limits: FrequencyLimits, contentKey: string): SlotWindow[] {
  const l = { ...DEFAULT_FREQUENCY, ...limits };
  const out: SlotWindow[] = [];
  if (l.sameContentThirtySeconds) {
    out.push({
      prefix: `sc${contentKey}_`,
      limit: l.sameContentThirtySeconds,
      spanMs: 30_000,
      code: "LimitExceeded.PhoneNumberSameContentDailyLimit",
    });
  }
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

/** The conditional update that reserves one send at `now`. */
export function frequencyReservation(
  limits: FrequencyLimits,
  now: number,
  contentKey: string,
  at: string,
): Expression {
  const names: Record<string, string> = {
    "#n": "count",
    "#u": "updatedAt",
    "#c": "createdAt",
    "#t": "type",
  };
  const values: Record<string, unknown> = {
    ":one": 1,
    ":now": now,
    ":zero": 0,
    ":at": at,
    ":type": "Frequency",
  };
  const sets = ["#u = :at", "#c = if_not_exists(#c, :at)", "#t = :type"];
  const conditions: string[] = [];
  const day = { ...DEFAULT_FREQUENCY, ...limits }.oneDay;
  if (day) {
    values[":dayLimit"] = day;
    conditions.push("(attribute_not_exists(#n) OR #n < :dayLimit)");
  }
  for (const [w, win] of windows(limits, contentKey).entries()) {
    const slot = (i: number) => {
      const name = `#w${w}s${i}`;
      names[name] = `${win.prefix}${i}`;
      return name;
    };
    values[`:cut${w}`] = now - win.spanMs;
    conditions.push(`(attribute_not_exists(${slot(0)}) OR ${slot(0)} <= :cut${w})`);
    for (let i = 0; i < win.limit - 1; i++)
      sets.push(`${slot(i)} = if_not_exists(${slot(i + 1)}, :zero)`);
    sets.push(`${slot(win.limit - 1)} = :now`);
  }
  return {
    update: `SET ${sets.join(", ")} ADD #n :one`,
    condition: conditions.length ? conditions.join(" AND ") : undefined,
    names,
    values,
  };
}

/** Which window a stored item leaves no room in at `now` (null: a send fits). */
export function frequencyVerdict(
  item: Item | undefined,
  limits: FrequencyLimits,
  now: number,
  contentKey: string,
): ErrorCode | null {
  if (!item) return null;
  for (const win of windows(limits, contentKey)) {
    const oldest = item[`${win.prefix}0`];
    if (typeof oldest === "number" && oldest > now - win.spanMs) return win.code;
  }
  const day = { ...DEFAULT_FREQUENCY, ...limits }.oneDay;
  if (day && typeof item.count === "number" && item.count >= day)
    return "LimitExceeded.PhoneNumberDailyLimit";
  return null;
}

/**
 * Gives back a reservation the vendor refused: the day count always; a window slot only when
 * no later send has used the number since (then the slots are exactly as we left them).
 */
export function frequencyRelease(
  limits: FrequencyLimits,
  now: number,
  contentKey: string,
  old: Item | undefined,
): Expression {
  const names: Record<string, string> = { "#n": "count" };
  const values: Record<string, unknown> = { ":minus": -1, ":now": now, ":zero": 0 };
  const sets: string[] = [];
  const guards: string[] = [];
  for (const [w, win] of windows(limits, contentKey).entries()) {
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
    update: `${sets.length ? `SET ${sets.join(", ")} ` : ""}ADD #n :minus`,
    condition: guards.length ? guards.join(" AND ") : undefined,
    names,
    values,
  };
}
