import { ConditionFailed } from "./db";
import type { StoreContext } from "./items";
import { keys } from "./keys";

export function packageStore({ db }: StoreContext) {
  return {
    /** Takes `need` segments from the prepaid balance if that many remain. */
    async reservePackage(
      appId: string,
      region: "domestic" | "international",
      need: number,
      at: string,
    ): Promise<{ ok: true } | { ok: false; remaining: number }> {
      try {
        await db.update(keys.package(appId), {
          update: "ADD #r :minus SET updatedAt = :at",
          condition: "#r >= :need",
          names: { "#r": region },
          values: { ":minus": -need, ":need": need, ":at": at },
        });
        return { ok: true };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        const item = await db.get(keys.package(appId));
        return {
          ok: false,
          remaining: typeof item?.[region] === "number" ? (item[region] as number) : 0,
        };
      }
    },

    /** Adds to (refund, positive) or takes from (the vendor billed more, negative) a balance. */
    async adjustPackage(
      appId: string,
      region: "domestic" | "international",
      amount: number,
      at: string,
    ): Promise<void> {
      if (amount === 0) return;
      await db.update(keys.package(appId), {
        update: "ADD #r :amount SET updatedAt = :at",
        names: { "#r": region },
        values: { ":amount": amount, ":at": at },
      });
    },

    /** Sets the prepaid balances (a top-up replaces the balance). */
    async setPackage(
      appId: string,
      balances: { domestic?: number; international?: number },
      at: string,
    ): Promise<void> {
      const sets = Object.entries(balances).filter(([, v]) => v !== undefined);
      await db.update(keys.package(appId), {
        update: `SET ${["#t = :type", "updatedAt = :at", "createdAt = if_not_exists(createdAt, :at)", ...sets.map(([k]) => `${k} = :${k}`)].join(", ")}`,
        names: { "#t": "type" },
        values: {
          ":type": "Package",
          ":at": at,
          ...Object.fromEntries(sets.map(([k, v]) => [`:${k}`, v])),
        },
      });
    },

    async readPackage(
      appId: string,
    ): Promise<{ domestic?: number; international?: number } | undefined> {
      const item = await db.get(keys.package(appId));
      return item
        ? {
            domestic: item.domestic as number | undefined,
            international: item.international as number | undefined,
          }
        : undefined;
    },
  };
}
