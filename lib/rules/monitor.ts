/**
 * The verification-code monitor (docs/api.md "GET /v1/stats/verification"): per hour, what
 * Tencent's anti-fraud rule looks at — verification sends, their delivery rate and the growth
 * over the same hour the day before — read from the same counters the checker's alert reads
 * (lib/rules/alerts.ts), so the page and the alert never disagree.
 */
import { type AlertRules, DEFAULT_ALERT_RULES } from "./alerts";

export interface MonitorHour {
  hour: string;
  volume: number;
  delivered: number;
  successRate: number | null;
  sameHourYesterday: number;
  /** (volume − yesterday) / yesterday; null when yesterday had none. */
  growth: number | null;
  /** All three conditions of the rule hold in this hour (the alert would fire). */
  suspicious: boolean;
}

const num = (item: Record<string, unknown> | undefined, name: string) => {
  const v = item?.[name];
  return typeof v === "number" ? v : 0;
};
const round = (x: number) => Math.round(x * 10_000) / 10_000;

export function verificationMonitor(
  today: Record<string, unknown> | undefined,
  yesterday: Record<string, unknown> | undefined,
  alertRules: AlertRules | undefined,
) {
  const rule = { ...DEFAULT_ALERT_RULES.antiFraud, ...alertRules?.antiFraud };
  const hours: MonitorHour[] = [];
  for (let h = 0; h < 24; h++) {
    const hour = String(h).padStart(2, "0");
    const volume = num(today, `h:${hour}:verification`);
    const delivered = num(today, `h:${hour}:verificationDelivered`);
    const before = num(yesterday, `h:${hour}:verification`);
    // The alert treats growth from nothing as unbounded (lib/rules/alerts.ts).
    const growth = before === 0 ? Number.POSITIVE_INFINITY : (volume - before) / before;
    hours.push({
      hour,
      volume,
      delivered,
      successRate: volume === 0 ? null : round(delivered / volume),
      sameHourYesterday: before,
      growth: Number.isFinite(growth) ? round(growth) : null,
      suspicious:
        volume > rule.volumeAbove &&
        delivered / volume < rule.successRateBelow &&
        growth > rule.growthAbove,
    });
  }
  return { rule, hours };
}
