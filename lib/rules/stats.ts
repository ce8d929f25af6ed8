/**
 * Statistics are counters (pure builders), named "<scope>:<figure>" ("n:submitted",
 * "t:login-code:delivered", "h:09:verification", "c:US:fail:<code>", "n:carrier:<code>"). Each
 * scope of a day is its own small item (statItems), never one item per app and day that grows
 * with the day's templates, countries and codes (docs/performance.md "Write cost"). The stats
 * API and the checker read these counters, never records.
 */
import type { MessageStatus } from "../core/model";

export interface Counted {
  status: MessageStatus;
  code: string;
  template: string;
  templateKind: string;
  country: string;
  segments: number;
  /** The signature sent under, when any: counted per signature too ("s:<sign>:…"). */
  sign?: string;
}

/**
 * Scopes besides "n" (the app), "t:" and "c:": "s:<sign>" per signature, and per-hour
 * figures "h:<HH>" without failure codes (24 × a few counters, bounded), so the console
 * can chart a day by hour and a signature's traffic (docs/api.md "Statistics").
 */
const HOURLY = new Set(["recipients", "submitted", "rejected", "failed", "unknown"]);

/** The app-wide figures ("n:<figure>"), each the sum of the day's hours. */
const APP_FIGURES = new Set([...HOURLY, "segments", "delivered", "undelivered", "expired"]);

export type Adds = Record<string, number>;

const FREQUENCY_CODES = new Set([
  "LimitExceeded.PhoneNumberThirtySecondLimit",
  "LimitExceeded.PhoneNumberOneHourLimit",
  "LimitExceeded.PhoneNumberDailyLimit",
  "LimitExceeded.PhoneNumberSameContentDailyLimit",
]);

function add(into: Adds, name: string, n = 1): void {
  into[name] = (into[name] ?? 0) + n;
}

/** The counters one send's recipients add, at local hour `hour` ("00".."23"). */
export function sendStats(entries: Counted[], hour: string): Adds {
  const out: Adds = {};
  for (const e of entries) {
    const failed = e.status === "rejected" || e.status === "failed";
    const scopes = [`t:${e.template}`, `c:${e.country}`, ...(e.sign ? [`s:${e.sign}`] : [])];
    for (const scope of scopes) {
      add(out, `${scope}:recipients`);
      add(out, `${scope}:${e.status}`);
      if (e.segments) add(out, `${scope}:segments`, e.segments);
      if (failed) add(out, `${scope}:fail:${e.code}`);
    }
    // The app's own figures are the sum of its hours (mergeStatItems): one item fewer per
    // send. Only its failure codes are counted app-wide.
    if (failed) add(out, `n:fail:${e.code}`);
    add(out, `h:${hour}:recipients`);
    if (HOURLY.has(e.status)) add(out, `h:${hour}:${e.status}`);
    if (e.segments) add(out, `h:${hour}:segments`, e.segments);
    if (e.templateKind === "verification" && e.status !== "rejected")
      add(out, `h:${hour}:verification`);
    if (FREQUENCY_CODES.has(e.code)) add(out, `h:${hour}:frequencyRefused`);
  }
  return out;
}

/** a − b, dropping zeros. */
export function diff(a: Adds, b: Adds): Adds {
  const out: Adds = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (a[k] ?? 0) - (b[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

export function sum(...parts: Adds[]): Adds {
  const out: Adds = {};
  for (const p of parts) for (const [k, v] of Object.entries(p)) add(out, k, v);
  return out;
}

/** What one final delivery report adds, counted on the day and hour of its send. */
export function deliveryStats(
  r: { template: string; templateKind: string; country: string; hour?: string; sign?: string },
  status: "delivered" | "undelivered" | "expired",
  carrierCode: string,
): Adds {
  const out: Adds = {};
  for (const scope of [`t:${r.template}`, `c:${r.country}`]) add(out, `${scope}:${status}`);
  if (carrierCode) add(out, `${CARRIER}${carrierCode}`);
  if (r.sign) add(out, `s:${r.sign}:${status}`);
  // Counted on its hour (the app's figures are the hours' sum); a record without one, app-wide.
  if (r.hour) add(out, `h:${r.hour}:${status}`);
  else add(out, `n:${status}`);
  if (r.templateKind === "verification" && status === "delivered" && r.hour)
    add(out, `h:${r.hour}:verificationDelivered`);
  return out;
}

/** Carrier codes are vendor strings: at most this many distinct ones per app and day. */
export const MAX_CARRIER_CODES = 20;
export const CARRIER = "n:carrier:";
export const OTHER_CARRIER = `${CARRIER}other`;

/** The carrier-code counters in `adds` that are not among `present` (attribute names). */
export function newCarrierKeys(adds: Adds, present: ReadonlySet<string>): string[] {
  return Object.keys(adds).filter(
    (k) => k.startsWith(CARRIER) && k !== OTHER_CARRIER && !present.has(k),
  );
}

/**
 * `adds` with carrier codes beyond the cap folded into `other`: the codes already counted
 * (`present`) stay, new ones are admitted while fewer than MAX_CARRIER_CODES are counted,
 * first come first served, so an app's day item cannot grow with what vendors send.
 */
export function capCarrierCodes(adds: Adds, present: ReadonlySet<string>): Adds {
  let room = MAX_CARRIER_CODES - [...present].filter((k) => k.startsWith(CARRIER)).length;
  const out: Adds = {};
  for (const [k, v] of Object.entries(adds)) {
    if (!k.startsWith(CARRIER) || k === OTHER_CARRIER || present.has(k)) add(out, k, v);
    else if (room > 0) {
      room--;
      add(out, k, v);
    } else add(out, OTHER_CARRIER, v);
  }
  return out;
}

/** The scope of the carrier-code counters: one item per app, day and shard, capped. */
export const CARRIER_SCOPE = "carrier";
const FAIL = ":fail:";

/**
 * Which item a counter lives in, and under which attribute: "<scope>:<figure>" goes to the
 * scope's item as <figure>; a failure code "<scope>:fail:<code>" to an item of its own (as
 * `count`), so no item grows with the codes of a day; carrier codes to the carrier item.
 */
export function statItemOf(name: string): { scope: string; field: string } {
  if (name.startsWith(CARRIER)) return { scope: CARRIER_SCOPE, field: name.slice(CARRIER.length) };
  if (name.lastIndexOf(FAIL) > 0) return { scope: name, field: "count" };
  const i = name.lastIndexOf(":");
  return { scope: name.slice(0, i), field: name.slice(i + 1) };
}

/** `adds` split by item: scope → { field: n }. */
export function statItems(adds: Adds): Map<string, Adds> {
  const out = new Map<string, Adds>();
  for (const [name, n] of Object.entries(adds)) {
    if (n === 0) continue;
    const { scope, field } = statItemOf(name);
    const fields = out.get(scope) ?? {};
    add(fields, field, n);
    out.set(scope, fields);
  }
  return out;
}

/** Attributes of a stat item that are not counters. */
const NOT_COUNTERS = new Set(["pk", "sk", "type", "createdAt", "updatedAt", "expiresAt"]);

/** The counters of stat items (any days, shards) summed under their full names. */
export function mergeStatItems(items: { scope: string; item: Record<string, unknown> }[]): Adds {
  const out: Adds = {};
  for (const { scope, item } of items)
    for (const [field, v] of Object.entries(item)) {
      if (NOT_COUNTERS.has(field) || typeof v !== "number") continue;
      const name =
        scope === CARRIER_SCOPE
          ? `${CARRIER}${field}`
          : scope.lastIndexOf(FAIL) > 0 && field === "count"
            ? scope
            : `${scope}:${field}`;
      add(out, name, v);
      if (scope.startsWith("h:") && APP_FIGURES.has(field)) add(out, `n:${field}`, v);
    }
  return out;
}
