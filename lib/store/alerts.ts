import { ConditionFailed, type Item } from "./db";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";

export function alertsStore({ db, ttl }: StoreContext) {
  return {
    /** Claims an alert's key: true the first time only, so an alert fires at most once. */
    async claimAlert(
      appId: string,
      alert: { key: string; event: string; subject: string; value: string },
      at: string,
    ): Promise<boolean> {
      try {
        await db.put(
          {
            ...keys.alert(appId, alert.key),
            type: "Alert",
            appId,
            ...alert,
            createdAt: at,
            updatedAt: at,
            expiresAt: ttl(at),
          },
          { condition: "attribute_not_exists(pk)" },
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    async recordAlertDelivery(
      appId: string,
      key: string,
      sent: { contact: string; messageId: string; status: string }[],
      at: string,
    ) {
      await db.update(keys.alert(appId, key), {
        update: "SET sent = :s, updatedAt = :at",
        values: { ":s": sent, ":at": at },
      });
    },

    /** An app's alert history, newest first. */
    async listAlerts(appId: string): Promise<Item[]> {
      const { items } = await db.query({ pk: keys.alert(appId, "").pk });
      return items
        .map((i) => strip<Item>(i) as Item)
        .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
    },
  };
}
