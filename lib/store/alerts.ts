import type { AlertDelivery } from "../rules/alerts";
import { ConditionFailed, type Item } from "./db";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";

/** What a run learns when it wins an alert: what earlier runs delivered. */
export interface ClaimedAlert {
  deliveries: Record<string, AlertDelivery>;
  attempts: number;
}

export function alertsStore({ db, ttl }: StoreContext) {
  return {
    /**
     * Claims an alert for one run: one conditional UpdateItem that creates the marker the
     * first time and takes a lease on it, unless it is done (every delivery made) or another
     * run holds an unexpired lease. Returns what earlier runs recorded, or undefined when
     * there is nothing to do. So an alert is retried run after run until it is delivered,
     * by one run at a time (docs/access-patterns.md).
     */
    async claimAlert(
      appId: string,
      alert: {
        key: string;
        event: string;
        code: string;
        subject: string;
        value: number;
        threshold: number;
      },
      at: string,
      leaseUntil: string,
    ): Promise<ClaimedAlert | undefined> {
      try {
        const item = await db.update(keys.alert(appId, alert.key), {
          update:
            "SET #type = :type, appId = :app, #key = :key, event = :event, code = :code, " +
            "subject = :subject, #value = :value, threshold = :threshold, " +
            "createdAt = if_not_exists(createdAt, :at), updatedAt = :at, " +
            "expiresAt = if_not_exists(expiresAt, :ttl), " +
            "deliveries = if_not_exists(deliveries, :none), leaseUntil = :lease " +
            "ADD attempts :one",
          condition:
            // A marker without deliveries predates retries: it was sent once, leave it.
            "attribute_not_exists(pk) OR (attribute_exists(deliveries) AND " +
            "attribute_not_exists(doneAt) AND " +
            "(attribute_not_exists(leaseUntil) OR leaseUntil < :at))",
          names: { "#type": "type", "#key": "key", "#value": "value" },
          values: {
            ":type": "Alert",
            ":app": appId,
            ":key": alert.key,
            ":event": alert.event,
            ":code": alert.code,
            ":subject": alert.subject,
            ":value": alert.value,
            ":threshold": alert.threshold,
            ":at": at,
            ":ttl": ttl(at),
            ":none": {},
            ":lease": leaseUntil,
            ":one": 1,
          },
          returnValues: "ALL_NEW",
        });
        return {
          deliveries: (item?.deliveries ?? {}) as Record<string, AlertDelivery>,
          attempts: Number(item?.attempts ?? 1),
        };
      } catch (err) {
        if (err instanceof ConditionFailed) return undefined;
        throw err;
      }
    },

    /**
     * Records deliveries of a claimed alert (one UpdateItem): before a vendor call as
     * `sending`, after it with the outcome. With `done`, the alert is finished: never claimed
     * again. `release` ends the lease so the next run may retry what failed.
     */
    async recordAlertDeliveries(
      appId: string,
      key: string,
      deliveries: Record<string, AlertDelivery>,
      at: string,
      opts: { done?: boolean; release?: boolean } = {},
    ) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ":at": at };
      const sets = ["updatedAt = :at"];
      Object.entries(deliveries).forEach(([k, v], i) => {
        names[`#d${i}`] = k;
        values[`:d${i}`] = v;
        sets.push(`deliveries.#d${i} = :d${i}`);
      });
      if (opts.done) sets.push("doneAt = :at");
      await db.update(keys.alert(appId, key), {
        update: `SET ${sets.join(", ")}${opts.release || opts.done ? " REMOVE leaseUntil" : ""}`,
        names: Object.keys(names).length ? names : undefined,
        values,
      });
    },

    /** An app's alert history, newest first. */
    async listAlerts(appId: string): Promise<Item[]> {
      const { items } = await db.query({ pk: keys.alert(appId, "").pk });
      return items
        .map((i) => strip<Item>(i, "Alert") as Item)
        .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
    },
  };
}
