/**
 * Statistics: one small item per app, day, scope and shard (lib/rules/stats.ts statItems),
 * each updated with one unconditional ADD, so a send's write cost does not grow with the
 * day's diversity (docs/performance.md "Write cost", docs/access-patterns.md).
 */
import {
  type Adds,
  CARRIER,
  CARRIER_SCOPE,
  capCarrierCodes,
  mergeStatItems,
  newCarrierKeys,
  statItems,
} from "../rules/stats";
import { counterUpdate, usageExpiry } from "../rules/usage";
import { ConditionFailed } from "./db";
import { queryAll, type StoreContext } from "./items";
import { keys } from "./keys";

export function statsStore({ db }: StoreContext) {
  const expr = (fields: Adds, day: string, at: string) =>
    counterUpdate(fields, {}, at, "Stats", usageExpiry(day));

  /**
   * Carrier codes are vendor strings, capped per item (lib/rules/stats.ts): the update first
   * assumes every code is already counted — the usual case, one request — and only if one is
   * new reads the item to fold codes beyond the cap into `other`.
   */
  const addCarrier = async (
    appId: string,
    day: string,
    shard: number,
    fields: Adds,
    at: string,
  ) => {
    const key = keys.stats(appId, day, CARRIER_SCOPE, shard);
    const adds = Object.fromEntries(Object.entries(fields).map(([k, v]) => [`${CARRIER}${k}`, v]));
    const fieldsOf = (a: Adds) =>
      Object.fromEntries(Object.entries(a).map(([k, v]) => [k.slice(CARRIER.length), v]));
    const fresh = newCarrierKeys(adds, new Set()).map((k) => k.slice(CARRIER.length));
    const update = expr(fields, day, at);
    try {
      const known = fresh.map((f) => {
        const alias = Object.entries(update.names ?? {}).find(([, v]) => v === f)?.[0];
        return `attribute_exists(${alias})`;
      });
      await db.update(key, {
        ...update,
        condition: known.length ? known.join(" AND ") : undefined,
      });
      return;
    } catch (err) {
      if (!(err instanceof ConditionFailed)) throw err;
    }
    const item = await db.get(key);
    const present = new Set(
      Object.keys(item ?? {})
        .filter((k) => !["pk", "sk", "type", "createdAt", "updatedAt", "expiresAt"].includes(k))
        .map((k) => `${CARRIER}${k}`),
    );
    await db.update(key, expr(fieldsOf(capCarrierCodes(adds, present)), day, at));
  };

  /** Reads the stat items of `shards` partitions between two days (inclusive). */
  const range = async (appId: string, from: string, to: string, shards: number) => {
    const pages = await Promise.all(
      Array.from({ length: Math.max(1, shards) }, (_, s) =>
        queryAll(db, {
          pk: keys.statsPartition(appId, s),
          skBetween: [`${from}#`, `${to}#\uffff`],
        }),
      ),
    );
    const byDay = new Map<string, { scope: string; item: Record<string, unknown> }[]>();
    for (const item of pages.flat()) {
      const sk = String(item.sk);
      const day = sk.slice(0, 10);
      const list = byDay.get(day) ?? [];
      list.push({ scope: sk.slice(11), item });
      byDay.set(day, list);
    }
    return byDay;
  };

  return {
    /** Adds to an app's statistics of `day` (any mix of scopes), on one shard's items. */
    async addStats(appId: string, day: string, adds: Adds, at: string, shard = 0): Promise<void> {
      await Promise.all(
        [...statItems(adds)].map(([scope, fields]) =>
          scope === CARRIER_SCOPE
            ? addCarrier(appId, day, shard, fields, at)
            : db.update(keys.stats(appId, day, scope, shard), expr(fields, day, at)),
        ),
      );
    },

    /**
     * An app's statistics per day from `from` to `to` (YYYY-MM-DD), every shard summed, as one
     * flat object per day ("n:submitted", "t:<id>:delivered", …) — one Query per shard.
     */
    async statsRange(
      appId: string,
      from: string,
      to: string,
      shards = 1,
    ): Promise<Record<string, unknown>[]> {
      const byDay = await range(appId, from, to, shards);
      return [...byDay]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, items]) => ({ ...mergeStatItems(items), sk: day }));
    },

    /** One scope's counters of one day, every shard summed (the checker's hour figures). */
    statKeys(appId: string, day: string, scope: string, shards = 1) {
      return Array.from({ length: Math.max(1, shards) }, (_, s) =>
        keys.stats(appId, day, scope, s),
      );
    },
  };
}
