import {
  type FrequencyLimits,
  type FrequencySend,
  frequencyCountRelease,
  frequencyRelease,
  frequencyReservation,
} from "../rules/frequency";
import { mergeStatItems } from "../rules/stats";
import { counterUpdate, sumCounters, type Thresholds, usageExpiry } from "../rules/usage";
import { ConditionFailed, type Item } from "./db";
import type { StoreContext } from "./items";
import { keys } from "./keys";
import { packageOf } from "./package";

const shardList = (shards: number) => Array.from({ length: Math.max(1, shards) }, (_, s) => s);

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
     * Adds to an app's day limit counters (one shard of them) if every limited counter stays
     * within its limit (the shard's slice); on refusal returns the counters as they stand, so
     * the caller can fit what still fits.
     */
    async reserveUsage(
      appId: string,
      day: string,
      adds: Record<string, number>,
      thresholds: Thresholds,
      at: string,
      shard = 0,
    ): Promise<{ ok: true } | { ok: false; item: Item | undefined }> {
      const key = keys.usage(appId, day, shard);
      try {
        await db.update(key, counterUpdate(adds, thresholds, at, "Usage", usageExpiry(day)));
        return { ok: true };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        return { ok: false, item: await db.get(key) };
      }
    },

    /** Adds to an app's day limit counters unconditionally (releases, settling). */
    async adjustUsage(
      appId: string,
      day: string,
      adds: Record<string, number>,
      at: string,
      shard = 0,
    ): Promise<void> {
      if (Object.keys(adds).length === 0) return;
      await db.update(
        keys.usage(appId, day, shard),
        counterUpdate(adds, {}, at, "Usage", usageExpiry(day)),
      );
    },

    /** One shard's limit counters of a day (tools and tests: each holds at most its slice). */
    async readShard(appId: string, day: string, shard: number): Promise<Item | undefined> {
      return db.get(keys.usage(appId, day, shard));
    },

    /** An app's day limit counters, every shard summed (dry runs). */
    async readLimits(appId: string, day: string, shards = 1): Promise<Item | undefined> {
      if (shards <= 1) return db.get(keys.usage(appId, day));
      return sumCounters(
        await db.batchGet(shardList(shards).map((s) => keys.usage(appId, day, s))),
      );
    },

    /**
     * One day as a whole — limit counters and statistics, every shard summed — for tests and
     * tools; the request paths read only what they need.
     */
    async readUsage(appId: string, day: string, shards = 1): Promise<Item | undefined> {
      const [limits, stats] = await Promise.all([
        db.batchGet(shardList(shards).map((s) => keys.usage(appId, day, s))),
        Promise.all(
          shardList(shards).map((s) =>
            db.query({
              pk: keys.statsPartition(appId, s),
              skBetween: [`${day}#`, `${day}#\uffff`],
            }),
          ),
        ),
      ]);
      const items = stats.flatMap((p) => p.items);
      if (limits.length === 0 && items.length === 0) return undefined;
      return {
        ...sumCounters(limits),
        ...mergeStatItems(items.map((i) => ({ scope: String(i.sk).slice(11), item: i }))),
      };
    },

    /**
     * Per app: today's limit counters (every shard), the current hour's statistics today and
     * yesterday (the anti-fraud and frequency alerts), and the balances, in 100-key batches.
     */
    async readCounters(
      apps: { appId: string; today: string; yesterday: string; hour: string; shards: number }[],
    ) {
      const want = apps.map((a) => {
        const s = shardList(a.shards);
        return {
          a,
          usage: s.map((i) => keys.usage(a.appId, a.today, i)),
          today: s.map((i) => keys.stats(a.appId, a.today, `h:${a.hour}`, i)),
          yesterday: s.map((i) => keys.stats(a.appId, a.yesterday, `h:${a.hour}`, i)),
          pkg: keys.package(a.appId),
        };
      });
      const items = await db.batchGet(
        want.flatMap((w) => [...w.usage, ...w.today, ...w.yesterday, w.pkg]),
      );
      const byKey = new Map(items.map((i) => [`${i.pk}\u0000${i.sk}`, i]));
      const at = (k: { pk: string; sk: string }) => byKey.get(`${k.pk}\u0000${k.sk}`);
      const hourOf = (ks: { pk: string; sk: string }[], hour: string) =>
        mergeStatItems(
          ks.flatMap((k) => {
            const item = at(k);
            return item ? [{ scope: `h:${hour}`, item }] : [];
          }),
        );
      return new Map(
        want.map((w) => {
          const pkg = at(w.pkg);
          return [
            w.a.appId,
            {
              today: { ...sumCounters(w.usage.map(at)), ...hourOf(w.today, w.a.hour) },
              yesterday: hourOf(w.yesterday, w.a.hour),
              balance: packageOf(pkg),
            },
          ] as const;
        }),
      );
    },
  };
}
