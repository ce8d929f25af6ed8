/**
 * The scheduled checker: for every enabled app, compare today's counters with its alert
 * values, limits, balances and fraud rules, and alert the contacts who asked for each event
 * by SMS and e-mail — delivered at most once per event, threshold and period, retried run
 * after run while the alert is due and a delivery failed. Then housekeeping. It reads the
 * index of enabled apps and counter items only: never records, never a Scan.
 *
 * Each app, and each housekeeping step, runs on its own: one app's fault is logged and
 * counted, the others are still checked, and the run then fails as a whole so the
 * checker's error alarm and dead-letter queue say so (docs/deploy.md "Alarms").
 */
import { bindingKey } from "../core/binding";
import type { Deps } from "../core/deps";
import { ulid } from "../core/ids";
import type { AlertContact, App, MessageRecord, ProviderBinding } from "../core/model";
import type { Phone } from "../core/phone";
import { dayOf, hourOf } from "../core/time";
import type { Provider } from "../providers/port";
import {
  ALERT_TEMPLATE_BODY,
  ALERT_TEMPLATE_ID,
  type Alert,
  type AlertDelivery,
  alertEmail,
  alertParams,
  deliveryKey,
  dueAlerts,
  pendingDeliveries,
} from "../rules/alerts";
import { vendorRecord } from "../rules/records";
import { sendStats } from "../rules/stats";
import { type Region, render, segments, withSignature } from "../rules/template";
import { shardsOn } from "../rules/usage";
import type { Mailer } from "./email";
import { reconcile, sweepOrphans, sweepOutbox } from "./housekeeping";

const DAY_MS = 86_400_000;
/**
 * How long a run holds an alert: longer than the checker's timeout (240 s), shorter than its
 * period (300 s), so a run that died is taken over by the next one (docs/deploy.md).
 */
const LEASE_MS = 280_000;

/** A run in which some app or step failed; the others were done. */
export class CheckerFailure extends Error {
  constructor(
    readonly failures: { scope: string; error: string }[],
    readonly summary: Record<string, unknown>,
  ) {
    super(
      `threshold check: ${failures.length} failed (${failures.map((f) => f.scope).join(", ")})`,
    );
    this.name = "CheckerFailure";
  }
}

export async function runChecks(deps: Deps, mailer?: Mailer) {
  const now = deps.clock.now();
  const failures: { scope: string; error: string }[] = [];
  const isolated = async <T>(scope: string, fallback: T, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      failures.push({ scope, error: err instanceof Error ? err.message : String(err) });
      deps.log.error("checker step failed", { scope, err });
      return fallback;
    }
  };

  const apps = await isolated("apps", [] as App[], () => deps.store.listEnabledApps());
  const counters = await isolated("counters", undefined, () =>
    deps.store.readCounters(
      apps.map((a) => {
        const today = dayOf(now, a.timeZone);
        return {
          appId: a.appId,
          today,
          yesterday: dayOf(now - DAY_MS, a.timeZone),
          hour: hourOf(now, a.timeZone),
          shards: shardsOn(a.usageShards, today),
        };
      }),
    ),
  );
  let fired = 0;
  let retried = 0;
  if (counters) {
    await Promise.all(
      apps.map((app) =>
        isolated(`app ${app.appId}`, undefined, async () => {
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
            const outcome = await runAlert(deps, mailer, app, alert, now);
            if (outcome === "delivered") fired++;
            if (outcome === "retry") retried++;
          }
        }),
      ),
    );
  }
  const [reconciled, orphans, forwards] = await Promise.all([
    isolated("reconcile", { pulled: 0, reconciled: 0, expired: 0 }, () => reconcile(deps, apps)),
    isolated("orphans", { counted: 0, dropped: 0, reconciled: 0 }, () => sweepOrphans(deps, apps)),
    isolated("forwards", { retried: 0, delivered: 0, gaveUp: 0 }, () => sweepOutbox(deps, apps)),
  ]);
  const summary = {
    apps: apps.length,
    alerts: fired,
    alertsToRetry: retried,
    ...reconciled,
    orphans,
    forwards,
    failures: failures.length,
  };
  deps.log.info("threshold check", summary);
  deps.log.metrics(
    { function: "threshold-check" },
    {
      ReportsPulled: reconciled.pulled,
      ReportsReconciled: reconciled.reconciled,
      WebhookRetries: forwards.retried,
      WebhookDeliveries: forwards.delivered,
      CheckerFailures: failures.length,
    },
  );
  if (failures.length) throw new CheckerFailure(failures, summary);
  return summary;
}

/**
 * One due alert: claim it (skipped when done or held by another run), deliver what earlier
 * runs have not, record each delivery as `sending` before the attempt and with its outcome
 * after, and finish the alert once nothing is left to retry.
 */
async function runAlert(
  deps: Deps,
  mailer: Mailer | undefined,
  app: App,
  alert: Alert,
  now: number,
): Promise<"delivered" | "retry" | "skipped"> {
  const at = new Date(now).toISOString();
  const claimed = await deps.store.claimAlert(
    app.appId,
    alert,
    at,
    new Date(now + LEASE_MS).toISOString(),
  );
  if (!claimed) return "skipped";
  const pending = pendingDeliveries(
    Object.values(app.contacts ?? {}),
    alert.event,
    claimed.deliveries,
    mailer !== undefined,
  );
  if (pending.length === 0) {
    await deps.store.recordAlertDeliveries(app.appId, alert.key, {}, at, { done: true });
    return "skipped";
  }
  const attempt = (channel: "sms" | "email", c: AlertContact) =>
    (claimed.deliveries[deliveryKey(channel, c.id)]?.attempts ?? 0) + 1;
  const sending: Record<string, AlertDelivery> = {};
  for (const p of pending)
    sending[deliveryKey(p.channel, p.contact.id)] = {
      channel: p.channel,
      contact: p.contact.id,
      status: "sending",
      at,
      attempts: attempt(p.channel, p.contact),
    };
  await deps.store.recordAlertDeliveries(app.appId, alert.key, sending, at);

  const sms = pending.filter((p) => p.channel === "sms").map((p) => p.contact);
  const email = pending.filter((p) => p.channel === "email").map((p) => p.contact);
  const [smsResults, emailResults] = await Promise.all([
    sendAlertSms(deps, app, alert, sms, now),
    mailer ? sendAlertEmails(deps, mailer, app, alert, email) : [],
  ]);
  const results: Record<string, AlertDelivery> = {};
  for (const r of [...smsResults, ...emailResults]) {
    const key = deliveryKey(r.channel, r.contact);
    results[key] = { ...r, at, attempts: sending[key]?.attempts ?? 1 };
  }
  const failed = Object.values(results).filter((r) => r.status === "failed");
  await deps.store.recordAlertDeliveries(app.appId, alert.key, results, at, {
    done: failed.length === 0,
    release: true,
  });
  deps.log.metrics(
    { event: alert.event },
    { AlertsDelivered: Object.keys(results).length - failed.length, AlertsFailed: failed.length },
  );
  deps.log.info("alert", {
    appId: app.appId,
    alert: alert.key,
    delivered: Object.keys(results).length - failed.length,
    failed: failed.length,
  });
  return failed.length ? "retry" : "delivered";
}

type Result = Omit<AlertDelivery, "at" | "attempts">;

/**
 * A contact's number as a Phone. Stored normalised, so the region is its prefix; the country
 * is left to the vendor's answer (no phone metadata in the checker's bundle: docs/performance.md).
 */
const phoneOf = (e164: string): Phone => ({
  e164,
  mainland: e164.startsWith("+86"),
  country: e164.startsWith("+86") ? "CN" : "DEF",
});

/**
 * The alert SMS to the given contacts: one vendor call per region (a vendor refuses a call
 * mixing mainland and other numbers: docs/providers/tencent.md §1.1), through the first of
 * the app's providers with an alert template for that region, the next one only when the
 * first certainly sent nothing. Recorded and counted like any message, but never held by the
 * app's own limits or frequency rules: an alert about a limit must get through.
 */
async function sendAlertSms(
  deps: Deps,
  app: App,
  alert: Alert,
  contacts: AlertContact[],
  now: number,
): Promise<Result[]> {
  const byRegion = new Map<Region, { contact: AlertContact; phone: Phone }[]>();
  for (const contact of contacts) {
    const phone = phoneOf(contact.phone);
    const region: Region = phone.mainland ? "domestic" : "international";
    byRegion.set(region, [...(byRegion.get(region) ?? []), { contact, phone }]);
  }
  const out: Result[] = [];
  for (const [region, group] of byRegion) {
    const failedAll = (code: string): Result[] =>
      group.map((g) => ({ channel: "sms", contact: g.contact.id, status: "failed", code }));
    const routes = app.providers
      .map((b) => ({
        binding: b,
        provider: deps.providers.get(b.provider),
        templateId: alertTemplateId(deps, app, b.provider, region),
      }))
      .filter((r): r is { binding: ProviderBinding; provider: Provider; templateId: string } =>
        Boolean(r.provider && r.templateId),
      );
    if (routes.length === 0) {
      deps.log.warn("alert SMS not sent: no provider with an alert template", {
        appId: app.appId,
        alert: alert.key,
        region,
      });
      out.push(...failedAll("FailedOperation.AlertTemplateMissing"));
      continue;
    }
    const sent = await sendThrough(deps, app, alert, routes, region, group, now);
    out.push(...sent);
  }
  return out;
}

async function sendThrough(
  deps: Deps,
  app: App,
  alert: Alert,
  routes: { binding: ProviderBinding; provider: Provider; templateId: string }[],
  region: Region,
  group: { contact: AlertContact; phone: Phone }[],
  now: number,
): Promise<Result[]> {
  const at = new Date(now).toISOString();
  const params = alertParams(app, alert);
  const requestId = ulid(now);
  for (const [i, route] of routes.entries()) {
    const outcomes = await route.provider.send({
      binding: route.binding,
      numbers: group.map((g) => g.phone.e164),
      providerTemplateId: route.templateId,
      region,
      params,
      sign: app.defaultSign,
      reference: requestId,
    });
    const certainlyNothing = outcomes.every((o) => o.status === "refused" && o.failover);
    if (certainlyNothing && i < routes.length - 1) continue;
    const base = {
      app,
      template: {
        appId: app.appId,
        id: ALERT_TEMPLATE_ID,
        kind: "notification" as const,
        region,
        body: ALERT_TEMPLATE_BODY,
        variables: params.length,
        providerTemplateIds: {},
        createdAt: at,
        updatedAt: at,
      },
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
    const records: MessageRecord[] = outcomes.map((o) =>
      vendorRecord(base, group.find((g) => g.phone.e164 === o.to)?.phone ?? phoneOf(o.to), o),
    );
    const seg = segments(
      withSignature(render(ALERT_TEMPLATE_BODY, params), app.defaultSign),
      region,
    );
    await Promise.all([
      deps.store.putMessages(records),
      deps.store.addStats(
        app.appId,
        base.day,
        sendStats(
          records.map((r) => ({ ...r, segments: r.status === "submitted" ? seg : 0 })),
          base.hour,
        ),
        at,
      ),
    ]);
    return records.map((r) => ({
      channel: "sms",
      contact: group.find((g) => g.phone.e164 === r.to)?.contact.id ?? "",
      messageId: r.id,
      // A refused number is retried; an unknown one may have been sent: not again.
      status:
        r.status === "submitted" ? "submitted" : r.status === "unknown" ? "unknown" : "failed",
      ...(r.code && r.status !== "submitted" ? { code: r.code } : {}),
    }));
  }
  return [];
}

async function sendAlertEmails(
  deps: Deps,
  mailer: Mailer,
  app: App,
  alert: Alert,
  contacts: AlertContact[],
): Promise<Result[]> {
  const mail = alertEmail(app, alert);
  return Promise.all(
    contacts.map(async (c): Promise<Result> => {
      try {
        const messageId = await mailer.send({ to: c.email as string, ...mail });
        return { channel: "email", contact: c.id, status: "sent", messageId };
      } catch (err) {
        const code = err instanceof Error ? err.name : "EmailFailed";
        deps.log.warn("alert e-mail failed", { appId: app.appId, alert: alert.key, code, err });
        return { channel: "email", contact: c.id, status: "failed", code };
      }
    }),
  );
}

/**
 * The alert template approved for a provider and region: the app's own (domestic), else the
 * deployment's. International alerts need their own approved template (Tencent approves
 * international templates apart: docs/providers/tencent.md §1.1 TemplateId).
 */
function alertTemplateId(
  deps: Deps,
  app: App,
  provider: "tencent" | "huawei",
  region: Region,
): string | undefined {
  if (region === "international")
    return provider === "tencent" ? deps.config.TENCENT_ALERT_TEMPLATE_ID_INTERNATIONAL : undefined;
  return (
    app.alertTemplateIds?.[provider] ??
    (provider === "tencent"
      ? deps.config.TENCENT_ALERT_TEMPLATE_ID
      : deps.config.HUAWEI_ALERT_TEMPLATE_ID)
  );
}
