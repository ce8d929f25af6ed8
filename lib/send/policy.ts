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
import { type FrequencyLimits, frequencyVerdict } from "../rules/frequency";
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
  now: number;
  at: string;
  day: string;
  hour: string;
}

const MAX_FIT_ATTEMPTS = 6;

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
    else if (entries.some((e) => e.sign === "*" || e.sign === sign))
      refused.set(p.e164, "FailedOperation.PhoneNumberInBlacklist");
    else if (app.allowedCountries?.length && !app.allowedCountries.includes(p.country)) {
      refused.set(p.e164, "LimitExceeded.AppCountryOrRegionInBlacklist");
    }
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

/** What the reservations hold, and what they refused. */
export interface Held {
  held: Phone[];
  refused: Map<string, ErrorCode>;
  /** The frequency items as they were before each reservation (to undo it exactly). */
  frequencyBefore: Map<string, Item | undefined>;
  /** Numbers whose segments were taken from the prepaid balance. */
  packageHeld: Set<string>;
  /** What the day-counter update already added (limits and optimistic statistics). */
  applied: Adds;
}

/** Counters one attempt adds: limits for every number, and all of them counted submitted. */
function optimistic(plan: SendPlan, numbers: Phone[]): Adds {
  const stats = sendStats(
    numbers.map((n) => ({
      status: "submitted",
      code: "Ok",
      template: plan.template.id,
      templateKind: plan.template.kind,
      country: n.country,
      segments: plan.segments,
      sign: plan.sign,
    })),
    plan.hour,
  );
  return sum(limitCounts(numbers), stats);
}

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
      effectiveThresholds(plan.app.thresholds, plan.app.ceilings),
      plan.at,
    );
    if (r.ok) return { fit: attempt, refused, applied: adds };
    const fit = fitWithinLimits(
      attempt,
      r.item,
      effectiveThresholds(plan.app.thresholds, plan.app.ceilings),
    );
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

/** Takes the segments of as many numbers as the prepaid balance covers. */
async function reservePackage(deps: Deps, plan: SendPlan, numbers: Phone[]) {
  if (!hasPackage(plan.app, plan.template) || plan.segments === 0)
    return { fit: numbers, refused: new Map<string, ErrorCode>() };
  const refused = new Map<string, ErrorCode>();
  let attempt = numbers;
  for (let i = 0; i < MAX_FIT_ATTEMPTS && attempt.length > 0; i++) {
    const r = await deps.store.reservePackage(
      plan.app.appId,
      packageRegion(plan.template),
      attempt.length * plan.segments,
      plan.at,
    );
    if (r.ok) return { fit: attempt, refused };
    const fits = Math.max(0, Math.floor(r.remaining / plan.segments));
    for (const n of attempt.slice(Math.min(fits, attempt.length - 1)))
      refused.set(n.e164, "FailedOperation.InsufficientBalanceInSmsPackage");
    attempt = attempt.slice(0, Math.min(fits, attempt.length - 1));
  }
  for (const n of attempt) refused.set(n.e164, "FailedOperation.InsufficientBalanceInSmsPackage");
  return { fit: [] as Phone[], refused };
}

/** Reserves frequency, daily limits and balance for `numbers`, all in one parallel round. */
export async function reserve(deps: Deps, plan: SendPlan, numbers: Phone[]): Promise<Held> {
  const limits: FrequencyLimits = plan.app.frequency ?? {};
  const [frequency, daily, pkg] = await Promise.all([
    Promise.all(
      numbers.map(async (n) =>
        whitelisted(plan.app, n)
          ? { number: n, ok: true as const, old: undefined, skipped: true }
          : {
              number: n,
              skipped: false,
              ...(await deps.store.reserveFrequency(
                plan.app.appId,
                n.e164,
                plan.day,
                limits,
                plan.now,
                plan.contentKey,
              )),
            },
      ),
    ),
    reserveDailyLimits(deps, plan, numbers),
    reservePackage(deps, plan, numbers),
  ]);

  const refused = new Map<string, ErrorCode>();
  const frequencyBefore = new Map<string, Item | undefined>();
  for (const f of frequency) {
    if (!f.ok)
      refused.set(
        f.number.e164,
        frequencyVerdict(f.item, limits, plan.now, plan.contentKey) ??
          "LimitExceeded.DeliveryFrequencyLimit",
      );
    else if (!f.skipped) frequencyBefore.set(f.number.e164, f.old);
  }
  for (const [e164, code] of daily.refused) if (!refused.has(e164)) refused.set(e164, code);
  for (const [e164, code] of pkg.refused) if (!refused.has(e164)) refused.set(e164, code);
  const packageHeld = new Set(
    hasPackage(plan.app, plan.template) ? pkg.fit.map((n) => n.e164) : [],
  );
  return {
    held: numbers.filter((n) => !refused.has(n.e164)),
    refused,
    frequencyBefore,
    packageHeld,
    applied: daily.applied,
  };
}

/**
 * Gives back what `numbers` hold: their frequency slots and balance. Daily-limit counters are
 * settled separately (they count what was handed to the vendor).
 */
export async function release(
  deps: Deps,
  plan: SendPlan,
  held: Held,
  numbers: Phone[],
): Promise<void> {
  const limits = plan.app.frequency ?? {};
  const refund = numbers.filter((n) => held.packageHeld.has(n.e164)).length * plan.segments;
  await Promise.all([
    ...numbers
      .filter((n) => held.frequencyBefore.has(n.e164))
      .map((n) =>
        deps.store.releaseFrequency(
          plan.app.appId,
          n.e164,
          plan.day,
          limits,
          plan.now,
          plan.contentKey,
          held.frequencyBefore.get(n.e164),
        ),
      ),
    hasPackage(plan.app, plan.template)
      ? deps.store.refundPackage(plan.app.appId, packageRegion(plan.template), refund, plan.at)
      : undefined,
  ]);
}

/**
 * Corrects the day counters to what really happened: limits count the numbers handed to the
 * vendor (docs/api.md), statistics count every recipient's final status. One update, and none at
 * all when the optimistic reservation was already right.
 */
export async function settleCounters(
  deps: Deps,
  plan: SendPlan,
  held: Held,
  handed: Phone[],
  records: MessageRecord[],
): Promise<void> {
  const actual = sum(
    limitCounts(handed),
    sendStats(
      records.map((r) => ({
        status: r.status,
        code: r.code,
        template: r.template,
        templateKind: r.templateKind,
        country: r.country,
        segments: r.status === "submitted" ? plan.segments : 0,
        sign: r.sign,
      })),
      plan.hour,
    ),
  );
  await deps.store.adjustUsage(plan.app.appId, plan.day, diff(actual, held.applied), plan.at);
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
      numbers.filter((n) => !whitelisted(plan.app, n)).map((n) => n.e164),
      plan.day,
    ),
    deps.store.readUsage(plan.app.appId, plan.day),
    hasPackage(plan.app, plan.template) ? deps.store.readPackage(plan.app.appId) : undefined,
  ]);
  const refused = new Map<string, ErrorCode>();
  for (const n of numbers) {
    const code = whitelisted(plan.app, n)
      ? null
      : frequencyVerdict(frequency.get(n.e164), limits, plan.now, plan.contentKey);
    if (code) refused.set(n.e164, code);
  }
  const fit = fitWithinLimits(
    numbers.filter((n) => !refused.has(n.e164)),
    usage,
    effectiveThresholds(plan.app.thresholds, plan.app.ceilings),
  );
  for (const { number, code } of fit.refused) refused.set(number.e164, code);
  if (balance && plan.segments > 0) {
    let left = Math.floor((balance[packageRegion(plan.template)] ?? 0) / plan.segments);
    for (const n of fit.fit) {
      if (left-- <= 0) refused.set(n.e164, "FailedOperation.InsufficientBalanceInSmsPackage");
    }
  }
  return refused;
}
