/**
 * Which alerts an app's counters call for (pure). Each event has a key naming its event,
 * threshold and period: an alert fires at most once per key (a conditional-put marker).
 * Seeds: Tencent console 国内短信阈值设置, 验证码防盗刷监控, package alerts; Huawei 设置流量阈值.
 */
import type { App } from "../core/model";
import type { Item } from "../store/db";
import { counter } from "./usage";

/**
 * The built-in alert SMS. Register it in each vendor console and give its id in
 * TENCENT_ALERT_TEMPLATE_ID / HUAWEI_ALERT_TEMPLATE_ID (or per app, alertTemplateIds).
 */
export const ALERT_TEMPLATE_BODY = "smsgate告警：应用{1}{2}，当前值{3}。";
export const ALERT_TEMPLATE_ID = "smsgate-alert";

export type AlertEvent =
  | "overVolume"
  | "limitReached"
  | "packageBalance"
  | "antiFraud"
  | "frequencyLimit";
export const ALERT_EVENTS: AlertEvent[] = [
  "overVolume",
  "limitReached",
  "packageBalance",
  "antiFraud",
  "frequencyLimit",
];

export interface AlertRules {
  /** Tencent's verification-code fraud rule: all three must hold in the current hour. */
  antiFraud?: { volumeAbove?: number; successRateBelow?: number; growthAbove?: number };
  /** Frequency-limit refusals in the current hour above this count. */
  frequencyRefusalsAbove?: number;
}

export const DEFAULT_ALERT_RULES = {
  antiFraud: { volumeAbove: 50, successRateBelow: 0.8, growthAbove: 0.9 },
  frequencyRefusalsAbove: 100,
};

/** Tencent's international package alerts: 15 %, 5 % and 1 % of the purchased amount. */
export const DEFAULT_BALANCE_PERCENTS = [15, 5, 1];

export interface Alert {
  event: AlertEvent;
  /** Event, threshold and period: the deduplication key. */
  key: string;
  /** What happened, short enough for an SMS variable. */
  subject: string;
  value: string;
}

export interface AlertInputs {
  app: App;
  day: string;
  hour: string;
  today: Item | undefined;
  /** The same hour yesterday lives in yesterday's item. */
  yesterday: Item | undefined;
  balance: { domestic?: number; international?: number } | undefined;
}

const num = (item: Item | undefined, name: string) =>
  typeof item?.[name] === "number" ? (item[name] as number) : 0;

export function dueAlerts({ app, day, hour, today, yesterday, balance }: AlertInputs): Alert[] {
  const out: Alert[] = [];
  const volume = (
    scope: string,
    used: number,
    t: { alert?: number | null; limit?: number | null } | undefined,
  ) => {
    if (t?.alert != null && used > t.alert) {
      out.push({
        event: "overVolume",
        key: `overVolume#${scope}#${t.alert}#${day}`,
        subject: `${scope}日发送量超过${t.alert}`,
        value: String(used),
      });
    }
    if (t?.limit != null && used >= t.limit) {
      out.push({
        event: "limitReached",
        key: `limitReached#${scope}#${t.limit}#${day}`,
        subject: `${scope}日发送量达到上限${t.limit}，今日暂停发送`,
        value: String(used),
      });
    }
  };
  volume("domestic", num(today, counter.region(true)), app.thresholds.domestic);
  volume("international", num(today, counter.region(false)), app.thresholds.international);
  for (const [cc, t] of Object.entries(app.thresholds.countries ?? {}))
    volume(cc, num(today, counter.country(cc)), t);

  // Balances: once per threshold per purchase (a top-up starts a new period).
  const pkg = app.package;
  if (
    pkg?.domestic?.alertBelow != null &&
    balance?.domestic !== undefined &&
    balance.domestic < pkg.domestic.alertBelow
  ) {
    out.push({
      event: "packageBalance",
      key: `packageBalance#domestic#${pkg.domestic.alertBelow}#${pkg.domestic.segments}#${pkg.setAt ?? ""}`,
      subject: `国内套餐包余量低于${pkg.domestic.alertBelow}条`,
      value: String(balance.domestic),
    });
  }
  if (pkg?.international && balance?.international !== undefined) {
    for (const pct of pkg.international.alertPercents ?? DEFAULT_BALANCE_PERCENTS) {
      if (balance.international < (pkg.international.amount * pct) / 100) {
        out.push({
          event: "packageBalance",
          key: `packageBalance#international#${pct}#${pkg.international.amount}#${pkg.setAt ?? ""}`,
          subject: `国际套餐包余量低于${pct}%`,
          value: String(balance.international),
        });
      }
    }
  }

  const rules = {
    ...DEFAULT_ALERT_RULES,
    ...app.alertRules,
    antiFraud: { ...DEFAULT_ALERT_RULES.antiFraud, ...app.alertRules?.antiFraud },
  };
  const sent = num(today, `h:${hour}:verification`);
  const delivered = num(today, `h:${hour}:verificationDelivered`);
  const before = num(yesterday, `h:${hour}:verification`);
  const growth = before === 0 ? Number.POSITIVE_INFINITY : (sent - before) / before;
  if (
    sent > rules.antiFraud.volumeAbove &&
    delivered / sent < rules.antiFraud.successRateBelow &&
    growth > rules.antiFraud.growthAbove
  ) {
    out.push({
      event: "antiFraud",
      key: `antiFraud#${day}#${hour}`,
      subject: `验证码疑似被盗刷：${hour}时发送${sent}条，成功率${Math.round((delivered / sent) * 100)}%`,
      value: String(sent),
    });
  }
  const refusals = num(today, `h:${hour}:frequencyRefused`);
  if (refusals > rules.frequencyRefusalsAbove) {
    out.push({
      event: "frequencyLimit",
      key: `frequencyLimit#${day}#${hour}`,
      subject: `${hour}时频率限制拦截${refusals}次`,
      value: String(refusals),
    });
  }
  return out;
}
