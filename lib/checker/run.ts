/**
 * The scheduled checker: for every enabled app, compare today's counters with its alert
 * values, limits, balances and fraud rules, and text the contacts who asked for each event
 * — once per event, threshold and period. Then housekeeping. It reads the index of enabled
 * apps and counter items only: never records, never a Scan.
 */
import { bindingKey } from "../core/binding";
import type { Deps } from "../core/deps";
import { ulid } from "../core/ids";
import type { App, MessageRecord } from "../core/model";
import type { Phone } from "../core/phone";
import { dayOf, hourOf } from "../core/time";
import { ALERT_TEMPLATE_BODY, ALERT_TEMPLATE_ID, type Alert, dueAlerts } from "../rules/alerts";
import { vendorRecord } from "../rules/records";
import { sendStats } from "../rules/stats";
import { render, segments, withSignature } from "../rules/template";
import { reconcile, retryForwards } from "./housekeeping";

const DAY_MS = 86_400_000;

export async function runChecks(deps: Deps) {
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const apps = await deps.store.listEnabledApps();
  const zones = new Map(apps.map((a) => [a.appId, a.timeZone]));
  const counters = await deps.store.readCounters(
    apps.map((a) => a.appId),
    (id) => dayOf(now, zones.get(id) ?? "Asia/Shanghai"),
    (id) => dayOf(now - DAY_MS, zones.get(id) ?? "Asia/Shanghai"),
  );
  let fired = 0;
  await Promise.all(
    apps.map(async (app) => {
      const c = counters.get(app.appId);
      const due = dueAlerts({
        app,
        day: dayOf(now, app.timeZone),
        hour: hourOf(now, app.timeZone),
        today: c?.today,
        yesterday: c?.yesterday,
        balance: c?.balance,
      });
      for (const alert of due) {
        if (!(await deps.store.claimAlert(app.appId, alert, at))) continue;
        fired++;
        await sendAlert(deps, app, alert, now);
      }
    }),
  );
  const [reconciled, orphans, forwards] = await Promise.all([
    reconcile(deps, apps),
    deps.store.sweepOrphans(at),
    retryForwards(deps),
  ]);
  const summary = { apps: apps.length, alerts: fired, ...reconciled, orphans, forwards };
  deps.log.info("threshold check", summary);
  return summary;
}

/**
 * One alert SMS to each contact subscribed to the event, through the app's provider. Recorded
 * and counted like any message, but never held by the app's own limits or frequency rules:
 * an alert about a limit must get through.
 */
async function sendAlert(deps: Deps, app: App, alert: Alert, now: number): Promise<void> {
  const contacts = Object.values(app.contacts ?? {}).filter((c) => c.events.includes(alert.event));
  // Contacts are stored normalised; the vendor tells each number's country when it answers.
  const phones: Phone[] = contacts
    .map((c) => c.phone)
    .map((e164) => ({
      e164,
      mainland: e164.startsWith("+86"),
      country: e164.startsWith("+86") ? "CN" : "DEF",
    }));
  if (phones.length === 0) return;
  const route = app.providers
    .map((b) => ({
      binding: b,
      provider: deps.providers.get(b.provider),
      templateId: alertTemplateId(deps, app, b.provider),
    }))
    .find((r) => r.provider && r.templateId);
  if (!route?.provider || !route.templateId) {
    deps.log.warn("alert not sent: no provider with an alert template", {
      appId: app.appId,
      alert: alert.key,
    });
    return;
  }
  const at = new Date(now).toISOString();
  const params = [app.name.slice(0, 12), alert.subject, alert.value];
  const requestId = ulid(now);
  const template = {
    appId: app.appId,
    id: ALERT_TEMPLATE_ID,
    kind: "notification" as const,
    region: "domestic" as const,
    body: ALERT_TEMPLATE_BODY,
    variables: 3,
    providerTemplateIds: {},
    createdAt: at,
    updatedAt: at,
  };
  const outcomes = await route.provider.send({
    binding: route.binding,
    numbers: phones.map((p) => p.e164),
    providerTemplateId: route.templateId,
    region: phones[0]?.mainland ? "domestic" : "international",
    params,
    sign: app.defaultSign,
    reference: requestId,
  });
  const base = {
    app,
    template,
    params,
    sign: app.defaultSign,
    context: `alert:${alert.key}`,
    requestId,
    provider: route.provider.name,
    binding: bindingKey(deps.config, route.binding),
    at,
    day: dayOf(now, app.timeZone),
    hour: hourOf(now, app.timeZone),
    newId: () => ulid(now),
  };
  const records: MessageRecord[] = outcomes.map((o) => {
    const phone = phones.find((p) => p.e164 === o.to) ?? {
      e164: o.to,
      country: "DEF",
      mainland: false,
    };
    return vendorRecord(base, phone, o);
  });
  const seg = segments(
    withSignature(render(ALERT_TEMPLATE_BODY, params), app.defaultSign),
    "domestic",
  );
  await Promise.all([
    deps.store.putMessages(records),
    deps.store.adjustUsage(
      app.appId,
      base.day,
      sendStats(
        records.map((r) => ({ ...r, segments: r.status === "submitted" ? seg : 0 })),
        base.hour,
      ),
      at,
    ),
    deps.store.recordAlertDelivery(
      app.appId,
      alert.key,
      records.map((r) => ({
        contact: contacts.find((c) => c.phone === r.to)?.id ?? "",
        messageId: r.id,
        status: r.status,
      })),
      at,
    ),
  ]);
  deps.log.info("alert sent", { appId: app.appId, alert: alert.key, contacts: records.length });
}

function alertTemplateId(deps: Deps, app: App, provider: "tencent" | "huawei"): string | undefined {
  return (
    app.alertTemplateIds?.[provider] ??
    (provider === "tencent"
      ? deps.config.TENCENT_ALERT_TEMPLATE_ID
      : deps.config.HUAWEI_ALERT_TEMPLATE_ID)
  );
}
