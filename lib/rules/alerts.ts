/**
 * Which alerts an app's counters call for (pure). Each event has a key naming its event,
 * threshold and period: an alert fires at most once per key (a conditional-put marker).
 * Seeds: Tencent console 国内短信阈值设置, 验证码防盗刷监控, package alerts; Huawei 设置流量阈值.
 */
import type { AlertContact, App } from "../core/model";
import type { Item } from "../store/db";
import { formatMoney, fromMicros, MICROS, onExhausted, priced, toMicros } from "./package";
import { counter } from "./usage";

/**
 * The built-in alert SMS. Its variables fit both vendors' default rules for notification
 * templates (docs/providers/tencent.md §5.3: at most 6 characters each on accounts opened
 * after 2024-01-25; docs/providers/huawei.md §6.3: no two variables side by side, TEXT
 * without `.` or `。`, MONEY digits and Chinese numerals): {1} the app's short label, {2} a
 * short code naming the event (ALERT_CODES), {3} the current value and {4} the threshold,
 * both numbers (shortNumber). Register it in each vendor console (docs/api.md "Alert
 * contacts and alert history" has the text per console) and give its id in
 * TENCENT_ALERT_TEMPLATE_ID / HUAWEI_ALERT_TEMPLATE_ID (or per app, alertTemplateIds).
 */
export const ALERT_TEMPLATE_BODY = "smsgate告警：应用{1}出现{2}，当前{3}，阈值{4}。";
export const ALERT_TEMPLATE_ID = "smsgate-alert";
/** Tencent's default limit for a notification variable (docs/providers/tencent.md §5.3). */
export const ALERT_PARAM_MAX = 6;

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
  /** The short code naming the event in the SMS ({2}), at most ALERT_PARAM_MAX characters. */
  code: string;
  /** The whole sentence, for the e-mail and the history. */
  subject: string;
  /** The current value and the threshold it crossed ({3} and {4}). */
  value: number;
  threshold: number;
  /** Value and threshold are money (the international package with prices): shown with decimals. */
  money?: boolean;
}

export interface AlertInputs {
  app: App;
  day: string;
  hour: string;
  today: Item | undefined;
  /** The same hour yesterday lives in yesterday's item. */
  yesterday: Item | undefined;
  /**
   * The package's balance item (lib/store/package.ts): domestic segments, international
   * micro-units, what was bought in the current period and when it started.
   */
  balance:
    | {
        domestic?: number;
        international?: number;
        bought?: { domestic?: number; international?: number };
        periodAt?: string;
      }
    | undefined;
}

/** Region names short enough to leave room for a suffix in a 6-character variable. */
const SCOPE_NAMES: Record<string, string> = { domestic: "国内", international: "国际" };

const num = (item: Item | undefined, name: string) =>
  typeof item?.[name] === "number" ? (item[name] as number) : 0;

export function dueAlerts({ app, day, hour, today, yesterday, balance }: AlertInputs): Alert[] {
  const out: Alert[] = [];
  const volume = (
    scope: string,
    used: number,
    t: { alert?: number | null; limit?: number | null } | undefined,
  ) => {
    const name = SCOPE_NAMES[scope] ?? scope;
    if (t?.alert != null && used > t.alert) {
      out.push({
        event: "overVolume",
        key: `overVolume#${scope}#${t.alert}#${day}`,
        code: `${name}超量`,
        subject: `${name}日发送量${used}，超过提醒值${t.alert}`,
        value: used,
        threshold: t.alert,
      });
    }
    if (t?.limit != null && used >= t.limit) {
      out.push({
        event: "limitReached",
        key: `limitReached#${scope}#${t.limit}#${day}`,
        code: `${name}达限`,
        subject: `${name}日发送量${used}，达到上限${t.limit}，今日暂停发送`,
        value: used,
        threshold: t.limit,
      });
    }
  };
  volume("domestic", num(today, counter.region(true)), app.thresholds.domestic);
  volume("international", num(today, counter.region(false)), app.thresholds.international);
  for (const [cc, t] of Object.entries(app.thresholds.countries ?? {}))
    volume(cc, num(today, counter.country(cc)), t);

  // Balances: once per threshold per period — a PUT or a top-up starts a new one (the
  // balance item's periodAt; packages set before it existed: the app's setAt).
  const pkg = app.package;
  const period = balance?.periodAt ?? pkg?.setAt ?? "";
  if (
    pkg?.domestic?.alertBelow != null &&
    balance?.domestic !== undefined &&
    balance.domestic < pkg.domestic.alertBelow
  ) {
    out.push({
      event: "packageBalance",
      key: `packageBalance#domestic#${pkg.domestic.alertBelow}#${pkg.domestic.segments}#${period}`,
      code: "国内余量低",
      subject: `国内套餐包余量${balance.domestic}条，低于${pkg.domestic.alertBelow}条`,
      value: balance.domestic,
      threshold: pkg.domestic.alertBelow,
    });
  }
  if (pkg?.international && balance?.international !== undefined) {
    // Percentages of what was bought this period, in micro-units; without prices the amount
    // counts segments and the sentence says so.
    const bought = balance.bought?.international ?? toMicros(pkg.international.amount);
    const left = balance.international;
    const money = priced(pkg);
    for (const pct of pkg.international.alertPercents ?? DEFAULT_BALANCE_PERCENTS) {
      const below = (bought * pct) / 100;
      if (left < below) {
        out.push({
          event: "packageBalance",
          key: `packageBalance#international#${pct}#${pkg.international.amount}#${period}`,
          code: "国际余量低",
          subject: money
            ? `国际套餐包余额${formatMoney(left)}，低于${pct}%（${formatMoney(Math.round(below))}）`
            : `国际套餐包余量${fromMicros(left)}条，低于${pct}%（${Math.ceil(below / MICROS)}条）`,
          value: fromMicros(left),
          threshold: money ? fromMicros(Math.round(below)) : Math.ceil(below / MICROS),
          ...(money ? { money } : {}),
        });
      }
    }
  }
  // A "continue" package used up: sending goes on past it, and the contacts hear so once.
  for (const region of ["domestic", "international"] as const) {
    const left = balance?.[region];
    if (!pkg?.[region] || onExhausted(pkg, region) !== "continue" || left === undefined) continue;
    if (left > 0) continue;
    const name = SCOPE_NAMES[region] as string;
    const shown =
      region === "domestic"
        ? `${left}条`
        : priced(pkg)
          ? formatMoney(left)
          : `${fromMicros(left)}条`;
    out.push({
      event: "packageBalance",
      key: `packageBalance#${region}#exhausted#${period}`,
      code: `${name}套餐用尽`,
      subject: `${name}套餐包已用尽（余${region === "domestic" || !priced(pkg) ? "量" : "额"}${shown}），按设置继续发送`,
      value: region === "domestic" ? left : fromMicros(left),
      threshold: 0,
      ...(region === "international" && priced(pkg) ? { money: true } : {}),
    });
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
      code: "验证码盗刷",
      subject: `验证码疑似被盗刷：${hour}时发送${sent}条，成功率${Math.round((delivered / sent) * 100)}%`,
      value: sent,
      threshold: rules.antiFraud.volumeAbove,
    });
  }
  const refusals = num(today, `h:${hour}:frequencyRefused`);
  if (refusals > rules.frequencyRefusalsAbove) {
    out.push({
      event: "frequencyLimit",
      key: `frequencyLimit#${day}#${hour}`,
      code: "频率拦截",
      subject: `${hour}时频率限制拦截${refusals}次，超过${rules.frequencyRefusalsAbove}次`,
      value: refusals,
      threshold: rules.frequencyRefusalsAbove,
    });
  }
  return out;
}

/**
 * A count as at most ALERT_PARAM_MAX characters, never overstating it: 999999 stays digits,
 * larger counts become 万 or 亿 (rounded down), which Huawei's MONEY variables accept.
 */
export function shortNumber(n: number): string {
  const v = Math.max(0, Math.floor(n));
  if (v <= 999_999) return String(v);
  if (v < 100_000_000) return `${Math.floor(v / 10_000)}万`;
  return `${Math.min(Math.floor(v / 100_000_000), 9999)}亿`;
}

/**
 * An amount of money as at most ALERT_PARAM_MAX characters, never overstating it: as many of
 * its four decimals as fit, rounded down (Huawei's MONEY variables take digits and `.`).
 */
export function shortMoney(x: number): string {
  const v = Math.max(0, x);
  if (v >= 1_000_000) return shortNumber(v);
  for (let d = 4; d >= 0; d--) {
    const shown = String(Number((Math.floor(v * 10 ** d + 1e-9) / 10 ** d).toFixed(d)));
    if (shown.length <= ALERT_PARAM_MAX) return shown;
  }
  return shortNumber(v);
}

/**
 * The app as {1}: its name with only letters, digits and CJK characters kept (no `.` or `。`
 * for Huawei, nothing that reads as a URL or a contact for either), cut to the limit; the
 * app id's head when nothing is left.
 */
export function alertLabel(app: Pick<App, "appId" | "name">): string {
  const kept = Array.from(app.name.normalize("NFKC"))
    .filter((ch) => /[\p{L}\p{N}]/u.test(ch))
    .slice(0, ALERT_PARAM_MAX)
    .join("");
  return kept || app.appId.slice(0, ALERT_PARAM_MAX);
}

/** The four values of ALERT_TEMPLATE_BODY for one alert. */
export function alertParams(app: Pick<App, "appId" | "name">, alert: Alert): string[] {
  const short = alert.money ? shortMoney : shortNumber;
  return [alertLabel(app), alert.code, short(alert.value), short(alert.threshold)];
}

/** The e-mail for an alert: the whole sentence, nothing shortened. */
export function alertEmail(
  app: Pick<App, "appId" | "name">,
  alert: Alert,
): { subject: string; text: string } {
  return {
    subject: `smsgate alert: ${app.name} — ${alert.event}`,
    text: [
      `App: ${app.name} (${app.appId})`,
      `Event: ${alert.event}`,
      `What happened: ${alert.subject}`,
      `Current value: ${alert.value}`,
      `Threshold: ${alert.threshold}`,
      `Alert key: ${alert.key}`,
      "",
      "Sent by the smsgate checker at most once per event, threshold and period.",
    ].join("\n"),
  };
}

/** One way of reaching one contact: their phone by SMS, or their address by e-mail. */
export type AlertChannel = "sms" | "email";

export interface AlertDelivery {
  channel: AlertChannel;
  contact: string;
  /** sending: attempted by a run that did not record the outcome (treated as maybe delivered). */
  status: "sending" | "submitted" | "unknown" | "failed" | "sent";
  messageId?: string;
  code?: string;
  at: string;
  attempts: number;
}

/**
 * What one run still has to deliver for an alert, given what earlier runs recorded (pure):
 * each subscribed contact's phone and e-mail once. A delivery that was handed over
 * (submitted, sent), may have been (unknown) or was being attempted by a run that died
 * (sending) is never attempted again — at most once delivered; only a certain failure is
 * retried, by the next run, for as long as the alert is due (its period).
 */
export function pendingDeliveries(
  contacts: AlertContact[],
  event: AlertEvent,
  done: Record<string, AlertDelivery> | undefined,
  emailEnabled: boolean,
): { channel: AlertChannel; contact: AlertContact }[] {
  const out: { channel: AlertChannel; contact: AlertContact }[] = [];
  for (const contact of contacts) {
    if (!contact.events.includes(event)) continue;
    const channels: AlertChannel[] = ["sms"];
    if (contact.email && emailEnabled) channels.push("email");
    for (const channel of channels) {
      const prior = done?.[deliveryKey(channel, contact.id)];
      if (!prior || prior.status === "failed") out.push({ channel, contact });
    }
  }
  return out;
}

export const deliveryKey = (channel: AlertChannel, contactId: string) => `${channel}:${contactId}`;
