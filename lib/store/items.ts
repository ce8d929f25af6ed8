/** What every entity module shares: the db port, record TTLs, and reading items back. */
import type { Db, Item, QueryInput } from "./db";

export interface StoreContext {
  db: Db;
  /** The TTL (epoch seconds) of a record created at `createdAt`. */
  ttl(createdAt: string): number;
}

/** An item of the wrong entity where a key promised another: the table is not what we wrote. */
export class UnexpectedItem extends Error {}

/**
 * An item as the domain sees it, the table's own attributes removed. With `type`, the item
 * must be of that entity (or one of those): a key collision or a hand edit fails loudly here
 * instead of flowing on as the wrong shape.
 */
export const strip = <T>(item: Item | undefined, type?: string | string[]): T | undefined => {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, type: t, expiresAt: _e, ...rest } = item;
  if (type !== undefined && !(Array.isArray(type) ? type.includes(String(t)) : t === type))
    throw new UnexpectedItem(`expected a ${String(type)} item, found ${String(t)}`);
  return rest as T;
};

/** Every page of a query (lists that are bounded by design: apps, an app's days). */
export async function queryAll(db: Db, input: QueryInput): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await db.query({ ...input, startKey });
    items.push(...page.items);
    startKey = page.lastKey;
  } while (startKey);
  return items;
}
