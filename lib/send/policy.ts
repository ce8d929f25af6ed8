/**
 * The send policy (docs/architecture.md "The send pipeline", steps 5 and 7): per-recipient screening,
 * then reservations — frequency per number, the app's daily limits, the prepaid balance —
 * each one conditional UpdateItem, run in parallel; and settling them once the vendor answered.
 */
import type { Deps } from "../core/deps";
import type { ErrorCode } from "../core/errors";
import type { App, MessageRecord, OptOutEntry, Template } from "../core/model";
import type { Phone } from "../core/phone";
import { inWindow } from "../core/time";
import {
  type FrequencyLimits,
  type FrequencySend,
  frequencyVerdict,
  PRUNE_STALE_AT,
  staleAttributes,
} from "../rules/frequency";
import { type Adds, diff, sendStats, sum } from "../rules/stats";
import { DEFAULT_UNSUBSCRIBE_FOOTER } from "../rules/template";
import { effectiveThresholds, fitWithinLimits, limitCounts } from "../rules/usage";
import type { Item } from "../store/db";

/** What one send request is about, once authenticated and validated. */
export interface SendPlan {
  app: App;
  template: Template;
  sign: string | undefined;
  /** Billable segments of the text each recipient gets. */
  segments: number;
  /** Identifies "the same content" for the same-content window. */
  contentKey: string;
  /**
   * Numbers whose text differs from the plan's (a campaign's rows with their own params in
   * one batch), by E.164: their segments and same-content key.
   */
  perNumber?: Map<string, { segments: number; contentKey: string }>;
  now: number;
  at: string;
  day: string;
  /** The app-local day before `day` (its frequency counts are dropped). */
  yesterday: string;
  hour: string;
}

const MAX_FIT_ATTEMPTS = 6;

/** Billable segments of the text one number gets. */
export const segmentsOf = (plan: SendPlan, e164: string): number =>
  plan.perNumber?.get(e164)?.segments ?? plan.segments;

/** The same-content key of the text one number gets. */
const contentKeyOf = (plan: SendPlan, e164: string): string =>
  plan.perNumber?.get(e164)?.contentKey ?? plan.contentKey;

/** Whether an opt-out entry blocks this send: its signature (or all) and its type (or all). */
export const blocks = (e: OptOutEntry, sign: string | undefined, kind: Template["kind"]) =>
  (e.sign === "*" || e.sign === sign) &&
  (e.kind === undefined || e.kind === "*" || e.kind === kind);

/**
 * Whether an international number's country may be sent to: `allowedCountries` and the
 * per-country table are about international numbers only, and a non-empty per-country table
 * is itself the allow-list (docs/api.md "Configuration").
 */
export function countryAllowed(app: App, p: Phone): boolean {
  if (p.mainland) return true;
  if (app.allowedCountries?.length && !app.allowedCountries.includes(p.country)) return false;
  const table = app.thresholds?.countries;
  return !table || Object.keys(table).length === 0 || p.country in table;
}

/** Per-recipient rules that need no counters: marketing hours, opt-outs, allowed countries. */
export function screen(
  plan: SendPlan,
  phones: Phone[],
  optOuts: Map<string, OptOutEntry[]>,
): Map<string, ErrorCode> {
  const { app, template, sign } = plan;
  const refused = new Map<string, ErrorCode>();
  const outsideHours =
    template.kind === "marketing" && !inWindow(plan.now, app.timeZone, app.marketingWindow);
  for (const p of phones) {
    const entries = optOuts.get(p.e164) ?? [];
    if (outsideHours) refused.set(p.e164, "FailedOperation.MarketingSendTimeConstraint");
    else if (entries.some((e) => blocks(e, sign, template.kind)))
      refused.set(p.e164, "FailedOperation.PhoneNumberInBlacklist");
    else if (!countryAllowed(app, p))
      refused.set(p.e164, "LimitExceeded.AppCountryOrRegionInBlacklist");
  }
  return refused;
}

/** Marketing bodies must carry the app's unsubscribe footer (checked again at send time). */
export function missingFooter(app: App, template: Template): string | undefined {
  const footer = app.unsubscribeFooter ?? DEFAULT_UNSUBSCRIBE_FOOTER;
  return template.kind === "marketing" && !template.body.includes(footer) ? footer : undefined;
}

const packageRegion = (t: Template) => t.region;
const hasPackage = (app: App, t: Template) =>
  t.region === "domestic"
    ? app.package?.domestic !== undefined
    : app.package?.international !== undefined;
const whitelisted = (app: App, p: Phone) => Boolean(app.whitelist?.[p.e164]);

/** What one number holds after the reservations; a number any rule refused is given all of it back. */
export interface NumberHold {
  /** The frequency item as it was before the reservation (to undo it exactly); absent: no slot. */
  frequency?: { old: Item | undefined };
  /** Whether the number's estimated segments were taken from the prepaid balance. */
  package: boolean;
}

/** What the reservations hold, and what they refused. */
export interface Held {
  /** Numbers every rule holds: the ones handed to the vendor. */
  held: Phone[];
  refused: Map<string, ErrorCode>;
  /** Every number's holds, refused ones included, until settle() gives back what was not sent. */
  holds: Map<string, NumberHold>;
  /** Every number reserved for, by E.164. */
  phones: Map<string, Phone>;
  /** What the day-counter update already added (limits and optimistic statistics). */
  applied: Adds;
  /** Frequency attributes no rule reads any more, by number, to prune (amortised). */
  stale: Map<string, Record<string, number>>;
}

/** The frequency rules' view of this send for one number. */
export const frequencySend = (plan: SendPlan, n: Phone): FrequencySend => ({
  now: plan.now,
  day: plan.day,
  yesterday: plan.yesterday,
  contentKey: contentKeyOf(plan, n.e164),
  kind: plan.template.kind,
  whitelisted: whitelisted(plan.app, n),
});

/** Counters one attempt adds: limits for every number, and all of them counted submitted. */
function optimistic(plan: SendPlan, numbers: Phone[]): Adds {
  const stats = sendStats(
    numbers.map((n) => ({
      status: "submitted",
      code: "Ok",
      template: plan.template.id,
      templateKind: plan.template.kind,
      country: n.country,
      segments: segmentsOf(plan, n.e164),
      sign: plan.sign,
    })),
    plan.hour,
  );
  return sum(limitCounts(numbers), stats);
}

const thresholdsOf = (plan: SendPlan) =>
  effectiveThresholds(plan.app.thresholds, plan.app.ceilings);

/** Reserves the app's daily limits for as many numbers as fit, first come first served. */
async function reserveDailyLimits(deps: Deps, plan: SendPlan, numbers: Phone[]) {
  const refused = new Map<string, ErrorCode>();
  let attempt = numbers;
  for (let i = 0; i < MAX_FIT_ATTEMPTS && attempt.length > 0; i++) {
    const adds = optimistic(plan, attempt);
    const r = await deps.store.reserveUsage(
      plan.app.appId,
      plan.day,
      adds,
      thresholdsOf(plan),
      plan.at,
    );
    if (r.ok) return { fit: attempt, refused, applied: adds };
    const fit = fitWithinLimits(attempt, r.item, thresholdsOf(plan));
    for (const { number, code } of fit.refused) refused.set(number.e164, code);
    attempt = fit.fit;
  }
  // Still contended after several tries: refuse the rest rather than overshoot.
  for (const n of attempt)
    refused.set(
      n.e164,
      n.mainland ? "LimitExceeded.AppMainlandChinaDailyLimit" : "LimitExceeded.AppGlobalDailyLimit",
    );
  return { fit: [] as Phone[], refused, applied: {} as Adds };
}

/** Takes the segments of as many numbers as the prepaid balance covers, in order. */
async function reservePackage(deps: Deps, plan: SendPlan, numbers: Phone[]) {
  const cost = (ns: Phone[]) => ns.reduce((n, p) => n + segmentsOf(plan, p.e164), 0);
  if (!hasPackage(plan.app, plan.template) || cost(numbers) === 0)
    return { fit: [] as Phone[], refused: new Map<string, ErrorCode>() };
  const refused = new Map<string, ErrorCode>();
  let attempt = numbers;
  for (let i = 0; i < MAX_FIT_ATTEMPTS && attempt.length > 0; i++) {
    const r = await deps.store.reservePackage(
      plan.app.appId,
      packageRegion(plan.template),
      cost(attempt),
      plan.at,
    );
    if (r.ok) return { fit: attempt, refused };
    // The longest prefix the balance read covers, and always at least one number fewer.
    let fits = 0;
    for (let left = r.remaining; fits < attempt.length; fits++) {
      left -= segmentsOf(plan, (attempt[fits] as Phone).e164);
      if (left < 0) break;
    }
    for (const n of attempt.slice(Math.min(fits, attempt.length - 1)))
      refused.set(n.e164, "FailedOperation.InsufficientBalanceInSmsPackage");
    attempt = attempt.slice(0, Math.min(fits, attempt.length - 1));
  }
  for (const n of attempt) refused.set(n.e164, "FailedOperation.InsufficientBalanceInSmsPackage");
  return { fit: [] as Phone[], refused };
}

/**
 * Reserves frequency, daily limits and balance for `numbers`, all in one parallel round. Each
 * number's holds are one unit: a number any of them refuses is refused, and settle() gives
 * back whatever the others took for it — whatever order the updates finished in.
 */
export async function reserve(deps: Deps, plan: SendPlan, numbers: Phone[]): Promise<Held> {
  const limits: FrequencyLimits = plan.app.frequency ?? {};
  const [frequency, daily, pkg] = await Promise.all([
    Promise.all(
      numbers.map(async (n) => ({
        number: n,
        ...(await deps.store.reserveFrequency(
          plan.app.appId,
          n.e164,
          limits,
          frequencySend(plan, n),
        )),
      })),
    ),
    reserveDailyLimits(deps, plan, numbers),
    reservePackage(deps, plan, numbers),
  ]);

  const refused = new Map<string, ErrorCode>();
  const holds = new Map<string, NumberHold>(numbers.map((n) => [n.e164, { package: false }]));
  const stale = new Map<string, Record<string, number>>();
  for (const f of frequency) {
    const send = frequencySend(plan, f.number);
    if (!f.ok) {
      refused.set(
        f.number.e164,
        frequencyVerdict(f.item, limits, send) ?? "LimitExceeded.DeliveryFrequencyLimit",
      );
      continue;
    }
    (holds.get(f.number.e164) as NumberHold).frequency = { old: f.old };
    const current = `sc${contentKeyOf(plan, f.number.e164)}_`;
    const old = Object.fromEntries(
      Object.entries(staleAttributes(f.old, send)).filter(([k]) => !k.startsWith(current)),
    );
    if (Object.keys(old).length >= PRUNE_STALE_AT) stale.set(f.number.e164, old);
  }
  // The first refusal in the order frequency, daily limit, balance is the one reported.
  for (const [e164, code] of daily.refused) if (!refused.has(e164)) refused.set(e164, code);
  for (const [e164, code] of pkg.refused) if (!refused.has(e164)) refused.set(e164, code);
  for (const n of pkg.fit) (holds.get(n.e164) as NumberHold).package = true;
  return {
    held: numbers.filter((n) => !refused.has(n.e164)),
    refused,
    holds,
    phones: new Map(numbers.map((n) => [n.e164, n])),
    applied: daily.applied,
    stale,
  };
}

/** What the vendor did with one handed number, as settle() needs it. */
export type Fate = { status: "accepted"; segments: number } | { status: "refused" | "unknown" };

/**
 * Settles every hold in one parallel round, after the vendor answered (or instead of it):
 * - frequency slots of numbers that were not sent (refused by any rule or by the vendor, or
 *   never handed) are given back; numbers accepted or unknown keep theirs;
 * - the balance is settled to what the vendor billed: the estimate of every number not sent is
 *   refunded, and an accepted number's estimate is replaced by the vendor's `Fee`;
 * - the day counters go from the optimistic guess to what happened: limits count every number
 *   handed to a vendor (accepted, refused by it, or unknown; docs/api.md), statistics every
 *   recipient's final status;
 * - stale frequency attributes are pruned.
 */
export async function settle(
  deps: Deps,
  plan: SendPlan,
  held: Held,
  fates: Map<string, Fate>,
  records: MessageRecord[],
): Promise<void> {
  const limits = plan.app.frequency ?? {};
  const keeps = (e164: string) => {
    const s = fates.get(e164)?.status;
    return s === "accepted" || s === "unknown";
  };
  let packageDelta = 0;
  const releases: Promise<void>[] = [];
  for (const [e164, hold] of held.holds) {
    const fate = fates.get(e164);
    if (hold.package) {
      const estimate = segmentsOf(plan, e164);
      packageDelta += estimate;
      if (fate?.status === "accepted") packageDelta -= fate.segments;
      else if (fate?.status === "unknown") packageDelta -= estimate;
    }
    const phone = held.phones.get(e164);
    if (hold.frequency && !keeps(e164) && phone)
      releases.push(
        deps.store.releaseFrequency(
          plan.app.appId,
          e164,
          limits,
          frequencySend(plan, phone),
          hold.frequency.old,
        ),
      );
  }
  const handed = held.held.filter((n) => fates.has(n.e164));
  const actual = sum(
    limitCounts(handed),
    sendStats(
      records.map((r) => ({
        status: r.status,
        code: r.code,
        template: r.template,
        templateKind: r.templateKind,
        country: r.country,
        segments: r.status === "submitted" ? r.segments : 0,
        sign: r.sign,
      })),
      plan.hour,
    ),
  );
  await Promise.all([
    ...releases,
    packageDelta !== 0
      ? deps.store.adjustPackage(
          plan.app.appId,
          packageRegion(plan.template),
          packageDelta,
          plan.at,
        )
      : undefined,
    deps.store.adjustUsage(plan.app.appId, plan.day, diff(actual, held.applied), plan.at),
    ...[...held.stale].map(([e164, stale]) =>
      deps.store.pruneFrequency(plan.app.appId, e164, stale),
    ),
  ]);
}

/** dryRun: every rule evaluated on what the counters read now; nothing reserved. */
export async function evaluate(
  deps: Deps,
  plan: SendPlan,
  numbers: Phone[],
): Promise<Map<string, ErrorCode>> {
  const limits = plan.app.frequency ?? {};
  const [frequency, usage, balance] = await Promise.all([
    deps.store.readFrequency(
      plan.app.appId,
      numbers.map((n) => n.e164),
    ),
    deps.store.readUsage(plan.app.appId, plan.day),
    hasPackage(plan.app, plan.template) ? deps.store.readPackage(plan.app.appId) : undefined,
  ]);
  const refused = new Map<string, ErrorCode>();
  for (const n of numbers) {
    const code = frequencyVerdict(frequency.get(n.e164), limits, frequencySend(plan, n));
    if (code) refused.set(n.e164, code);
  }
  const fit = fitWithinLimits(
    numbers.filter((n) => !refused.has(n.e164)),
    usage,
    thresholdsOf(plan),
  );
  for (const { number, code } of fit.refused) refused.set(number.e164, code);
  if (balance) {
    let left = balance[packageRegion(plan.template)] ?? 0;
    for (const n of fit.fit) {
      const cost = segmentsOf(plan, n.e164);
      if (cost === 0) continue;
      if (left < cost) refused.set(n.e164, "FailedOperation.InsufficientBalanceInSmsPackage");
      else left -= cost;
    }
  }
  return refused;
}
