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
import { costOf, fitCount, onExhausted } from "../rules/package";
import { type Adds, diff, sendStats } from "../rules/stats";
import { DEFAULT_UNSUBSCRIBE_FOOTER } from "../rules/template";
import {
  effectiveThresholds,
  fitWithinLimits,
  limitCounts,
  shardsOn,
  shardThresholds,
} from "../rules/usage";
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

/**
 * Per-recipient rules that need no counters: marketing hours, opt-outs, allowed countries, and
 * a price in the international package for the number's country (docs/api.md "Prepaid package").
 */
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
    else if (
      hasPackage(app, template) &&
      costOf(app.package, template.region, p.country, 1) === undefined
    )
      refused.set(p.e164, "FailedOperation.CountryNotPricedInSmsPackage");
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
/**
 * What `segments` segments to this number take from the package: segments at home, the
 * country's price in micro-units abroad (screen() refused numbers without a price).
 */
const packageCost = (plan: SendPlan, n: Phone, segments: number) =>
  costOf(plan.app.package, packageRegion(plan.template), n.country, segments) ?? 0;

/** What one number holds after the reservations; a number any rule refused is given all of it back. */
export interface NumberHold {
  /** The frequency item as it was before the reservation (to undo it exactly); absent: no slot. */
  frequency?: { old: Item | undefined };
  /** What was taken from the prepaid balance for the number's estimate (segments or micro-units); 0: nothing. */
  package: number;
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
  /** What the limit-counter updates already added, per shard of the day counters. */
  applied: Map<number, Adds>;
  /** Each number's shard of the day counters, for the numbers they hold. */
  shardOf: Map<string, number>;
  /** The optimistic statistics already added, and the shard they went to. */
  stats: { adds: Adds; shard: number };
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

/** Statistics of a send before the vendor answers: every recipient counted submitted. */
function optimisticStats(plan: SendPlan, numbers: Phone[]): Adds {
  return sendStats(
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
}

const thresholdsOf = (plan: SendPlan) =>
  effectiveThresholds(plan.app.thresholds, plan.app.ceilings);

const regionCode = (n: Phone): ErrorCode =>
  n.mainland ? "LimitExceeded.AppMainlandChinaDailyLimit" : "LimitExceeded.AppGlobalDailyLimit";

/**
 * Reserves the app's daily limits for as many numbers as fit, first come first served. With
 * the day counters in N shards (a hot app), each shard holds a slice of every limit; the send
 * starts on shard `start` and moves what a dry shard refuses on to the next, so a number is
 * refused only when every shard was full for it — exact, since the slices add up to the limit.
 */
async function reserveDailyLimits(
  deps: Deps,
  plan: SendPlan,
  numbers: Phone[],
  shards: number,
  start: number,
) {
  const thresholds = thresholdsOf(plan);
  const applied = new Map<number, Adds>();
  const shardOf = new Map<string, number>();
  let pending = numbers;
  let refused = new Map<string, ErrorCode>();
  for (let k = 0; k < shards && pending.length > 0; k++) {
    const shard = (start + k) % shards;
    const slice = shardThresholds(thresholds, shards, shard);
    const here = new Map<string, ErrorCode>();
    let attempt = pending;
    for (let i = 0; i < MAX_FIT_ATTEMPTS && attempt.length > 0; i++) {
      const adds = limitCounts(attempt, thresholds);
      const r = await deps.store.reserveUsage(
        plan.app.appId,
        plan.day,
        adds,
        slice,
        plan.at,
        shard,
      );
      if (r.ok) {
        applied.set(shard, adds);
        for (const n of attempt) shardOf.set(n.e164, shard);
        attempt = [];
        break;
      }
      const fit = fitWithinLimits(attempt, r.item, slice);
      for (const { number, code } of fit.refused) here.set(number.e164, code);
      attempt = fit.fit;
    }
    // Still contended after several tries: refuse the rest rather than overshoot.
    for (const n of attempt) here.set(n.e164, regionCode(n));
    pending = pending.filter((n) => here.has(n.e164));
    refused = here;
  }
  return { fit: numbers.filter((n) => shardOf.has(n.e164)), refused, applied, shardOf };
}

/**
 * Takes the cost of as many numbers as the prepaid balance covers, first come first served; a
 * "continue" package takes every number's cost, going below zero if it must (one `ADD`, exact).
 */
async function reservePackage(deps: Deps, plan: SendPlan, numbers: Phone[]) {
  if (!hasPackage(plan.app, plan.template) || numbers.every((n) => segmentsOf(plan, n.e164) === 0))
    return { fit: [] as Phone[], refused: new Map<string, ErrorCode>(), costs: new Map() };
  const region = packageRegion(plan.template);
  const overdraw = onExhausted(plan.app.package, region) === "continue";
  const refused = new Map<string, ErrorCode>();
  // Each number's own text (rows with their own variables may differ in segments).
  const costs = new Map(
    numbers.map((n) => [n.e164, packageCost(plan, n, segmentsOf(plan, n.e164))]),
  );
  const total = (ns: Phone[]) => ns.reduce((t, n) => t + (costs.get(n.e164) ?? 0), 0);
  let attempt = numbers;
  for (let i = 0; i < MAX_FIT_ATTEMPTS && attempt.length > 0; i++) {
    const r = await deps.store.reservePackage(
      plan.app.appId,
      region,
      total(attempt),
      plan.at,
      overdraw,
    );
    if (r.ok) return { fit: attempt, refused, costs };
    const fits = fitCount(
      attempt.map((n) => costs.get(n.e164) ?? 0),
      r.remaining,
    );
    for (const n of attempt.slice(Math.min(fits, attempt.length - 1)))
      refused.set(n.e164, "FailedOperation.InsufficientBalanceInSmsPackage");
    attempt = attempt.slice(0, Math.min(fits, attempt.length - 1));
  }
  for (const n of attempt) refused.set(n.e164, "FailedOperation.InsufficientBalanceInSmsPackage");
  return { fit: [] as Phone[], refused, costs };
}

/**
 * Reserves frequency, daily limits and balance for `numbers`, all in one parallel round. Each
 * number's holds are one unit: a number any of them refuses is refused, and settle() gives
 * back whatever the others took for it — whatever order the updates finished in.
 */
export async function reserve(deps: Deps, plan: SendPlan, numbers: Phone[]): Promise<Held> {
  const limits: FrequencyLimits = plan.app.frequency ?? {};
  const shards = shardsOn(plan.app.usageShards, plan.day);
  const start = shards > 1 ? Math.floor(Math.random() * shards) : 0;
  // Statistics are written optimistically beside the reservations (one small item per
  // scope, unconditional), so a crash after the vendor call still counts the send; settle()
  // corrects them to what happened.
  const stats = optimisticStats(plan, numbers);
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
    reserveDailyLimits(deps, plan, numbers, shards, start),
    reservePackage(deps, plan, numbers),
    deps.store.addStats(plan.app.appId, plan.day, stats, plan.at, start),
  ]);

  const refused = new Map<string, ErrorCode>();
  const holds = new Map<string, NumberHold>(numbers.map((n) => [n.e164, { package: 0 }]));
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
  for (const n of pkg.fit) (holds.get(n.e164) as NumberHold).package = pkg.costs.get(n.e164) ?? 0;
  return {
    held: numbers.filter((n) => !refused.has(n.e164)),
    refused,
    holds,
    phones: new Map(numbers.map((n) => [n.e164, n])),
    applied: daily.applied,
    shardOf: daily.shardOf,
    stats: { adds: stats, shard: start },
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
 *   refunded, and an accepted number's estimate is replaced by the vendor's `Fee` — in
 *   segments at home, in money (the `Fee` times the country's price) abroad;
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
    const phone = held.phones.get(e164);
    if (hold.package) {
      // Refunded whole unless sent: an accepted number is charged what the vendor billed, an
      // unknown one keeps its estimate until its outcome is known.
      packageDelta += hold.package;
      if (fate?.status === "accepted" && phone)
        packageDelta -= packageCost(plan, phone, fate.segments);
      else if (fate?.status === "unknown") packageDelta -= hold.package;
    }
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
  // Limits count every number handed to a vendor, on the shard that holds it.
  const handed = new Map<number, Phone[]>();
  for (const n of held.held)
    if (fates.has(n.e164)) {
      const shard = held.shardOf.get(n.e164) ?? 0;
      handed.set(shard, [...(handed.get(shard) ?? []), n]);
    }
  const thresholds = thresholdsOf(plan);
  const limitFixes = [...new Set([...held.applied.keys(), ...handed.keys()])].map((shard) => ({
    shard,
    adds: diff(limitCounts(handed.get(shard) ?? [], thresholds), held.applied.get(shard) ?? {}),
  }));
  const actualStats = sendStats(
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
    ...limitFixes.map((f) =>
      deps.store.adjustUsage(plan.app.appId, plan.day, f.adds, plan.at, f.shard),
    ),
    deps.store.addStats(
      plan.app.appId,
      plan.day,
      diff(actualStats, held.stats.adds),
      plan.at,
      held.stats.shard,
    ),
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
    deps.store.readLimits(plan.app.appId, plan.day, shardsOn(plan.app.usageShards, plan.day)),
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
  const region = packageRegion(plan.template);
  if (balance && onExhausted(plan.app.package, region) === "stop") {
    const costs = fit.fit.map((n) => packageCost(plan, n, segmentsOf(plan, n.e164)));
    const fits = fitCount(costs, balance[region] ?? 0);
    for (const n of fit.fit.slice(fits))
      refused.set(n.e164, "FailedOperation.InsufficientBalanceInSmsPackage");
  }
  return refused;
}
