import {
  type FrequencyLimits,
  type FrequencySend,
  frequencyCountRelease,
  frequencyRelease,
  frequencyReservation,
} from "../rules/frequency";
import { counterUpdate, type Thresholds, usageExpiry } from "../rules/usage";
import { ConditionFailed, type Item } from "./db";
import { queryAll, type StoreContext } from "./items";
import { keys } from "./keys";
import { packageOf } from "./package";

export function countersStore({ db }: StoreContext) {
  return {
    /** Reserves one send for a number: one conditional update of its frequency item. */
    async reserveFrequency(
      appId: string,
      e164: string,
      limits: FrequencyLimits,
      send: FrequencySend,
    ): Promise<{ ok: true; old: Item | undefined } | { ok: false; item: Item | undefined }> {
      const key = keys.frequency(appId, e164);
      const at = new Date(send.now).toISOString();
      try {
        const old = await db.update(key, {
          ...frequencyReservation(limits, send, at),
          returnValues: "ALL_OLD",
        });
        return { ok: true, old };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        // dynalite ignores ReturnValuesOnConditionCheckFailure: read to tell which rule.
        return { ok: false, item: await db.get(key) };
      }
    },

    /** Gives back a reservation (see frequencyRelease). */
    async releaseFrequency(
      appId: string,
      e164: string,
      limits: FrequencyLimits,
      send: FrequencySend,
      old: Item | undefined,
    ): Promise<void> {
      const key = keys.frequency(appId, e164);
      try {
        await db.update(key, frequencyRelease(limits, send, old));
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        // A later send moved the slots on: give back the day counts only.
        await db.update(key, frequencyCountRelease(send));
      }
    },

    /**
     * Drops attributes no rule reads any more (lib/rules/frequency.ts staleAttributes), each
     * only if it still holds the value seen; a concurrent send that rewrote one keeps it.
     */
    async pruneFrequency(appId: string, e164: string, stale: Record<string, number>) {
      const entries = Object.entries(stale);
      if (entries.length === 0) return;
      const names = Object.fromEntries(entries.map(([k], i) => [`#p${i}`, k]));
      const values = Object.fromEntries(entries.map(([, v], i) => [`:p${i}`, v]));
      try {
        await db.update(keys.frequency(appId, e164), {
          update: `REMOVE ${Object.keys(names).join(", ")}`,
          condition: entries.map((_, i) => `#p${i} = :p${i}`).join(" AND "),
          names,
          values,
        });
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
      }
    },

    async readFrequency(appId: string, phones: string[]): Promise<Map<string, Item>> {
      const items = await db.batchGet(phones.map((p) => keys.frequency(appId, p)));
      return new Map(items.map((i) => [String(i.pk).split("#")[2] ?? "", i]));
    },

    /**
     * Adds to an app's day counters if every limited counter stays within its limit; on
     * refusal returns the counters as they stand, so the caller can fit what still fits.
     */
    async reserveUsage(
      appId: string,
      day: string,
      adds: Record<string, number>,
      thresholds: Thresholds,
      at: string,
    ): Promise<{ ok: true } | { ok: false; item: Item | undefined }> {
      try {
        await db.update(
          keys.usage(appId, day),
          counterUpdate(adds, thresholds, at, "Usage", usageExpiry(day)),
        );
        return { ok: true };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        return { ok: false, item: await db.get(keys.usage(appId, day)) };
      }
    },

    /** Adds to an app's day counters unconditionally (statistics, releases). */
    async adjustUsage(
      appId: string,
      day: string,
      adds: Record<string, number>,
      at: string,
    ): Promise<void> {
      if (Object.keys(adds).length === 0) return;
      await db.update(
        keys.usage(appId, day),
        counterUpdate(adds, {}, at, "Usage", usageExpiry(day)),
      );
    },

    async readUsage(appId: string, day: string): Promise<Item | undefined> {
      return db.get(keys.usage(appId, day));
    },

    /** An app's day counters from `from` to `to` (YYYY-MM-DD), for statistics. */
    async usageRange(appId: string, from: string, to: string): Promise<Item[]> {
      return queryAll(db, { pk: keys.usage(appId, "").pk, skBetween: [from, to] });
    },

    /** Per app: today's and yesterday's counters and the balances, in 100-key batches. */
    async readCounters(
      appIds: string[],
      today: (appId: string) => string,
      yesterday: (appId: string) => string,
    ) {
      const items = await db.batchGet(
        appIds.flatMap((a) => [
          keys.usage(a, today(a)),
          keys.usage(a, yesterday(a)),
          keys.package(a),
        ]),
      );
      const byKey = new Map(items.map((i) => [`${i.pk}\u0000${i.sk}`, i]));
      const at = (k: { pk: string; sk: string }) => byKey.get(`${k.pk}\u0000${k.sk}`);
      return new Map(
        appIds.map((a) => {
          const pkg = at(keys.package(a));
          return [
            a,
            {
              today: at(keys.usage(a, today(a))),
              yesterday: at(keys.usage(a, yesterday(a))),
              balance: packageOf(pkg),
            },
          ] as const;
        }),
      );
    },
  };
}
