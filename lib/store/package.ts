/**
 * The prepaid package's balance item and its top-up audit trail (docs/access-patterns.md).
 * Balances: domestic in segments, international in integer micro-units of the operator's
 * currency (lib/rules/package.ts), each changed only by `ADD`, so concurrent sends, refunds
 * and top-ups all count exactly. The item also holds what was bought in the current alert
 * period and when that period started (a PUT or a top-up).
 */
import type { PackageRegion } from "../rules/package";
import { ConditionFailed, type Item } from "./db";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";

/** The balances as the store keeps them (international in micro-units). */
export interface PackageBalance {
  /** Segments left; below zero once a "continue" package sent past its end. */
  domestic?: number;
  /** Micro-units left; below zero likewise. */
  international?: number;
  /** Bought in the current alert period (set by PUT, added to by each top-up). */
  bought: { domestic?: number; international?: number };
  /** When the current alert period started. */
  periodAt?: string;
}

/** One top-up, as audited. */
export interface TopUpEntry {
  id: string;
  at: string;
  /** Who: "operator" (top-ups are the operator's alone). */
  by: string;
  requestId: string;
  region: PackageRegion;
  /** Added: segments, or micro-units of money. */
  added: number;
  /** The region's balance right after this top-up, same unit. */
  balanceAfter: number;
}

const BALANCE: Record<PackageRegion, string> = {
  domestic: "domestic",
  international: "intlMicros",
};
const BOUGHT: Record<PackageRegion, string> = {
  domestic: "boughtDomestic",
  international: "boughtIntlMicros",
};
const REGIONS: PackageRegion[] = ["domestic", "international"];
const num = (item: Item, name: string) =>
  typeof item[name] === "number" ? (item[name] as number) : undefined;

/** The balance item as the domain reads it. */
export function packageOf(item: Item | undefined): PackageBalance | undefined {
  if (!item) return undefined;
  return {
    domestic: num(item, BALANCE.domestic),
    international: num(item, BALANCE.international),
    bought: {
      domestic: num(item, BOUGHT.domestic),
      international: num(item, BOUGHT.international),
    },
    periodAt: typeof item.periodAt === "string" ? item.periodAt : undefined,
  };
}

export function packageStore({ db }: StoreContext) {
  return {
    /**
     * Takes `need` (segments or micro-units) from a region's balance: only if that much
     * remains, or — `overdraw`, a "continue" package — whatever remains, going below zero.
     */
    async reservePackage(
      appId: string,
      region: PackageRegion,
      need: number,
      at: string,
      overdraw = false,
    ): Promise<{ ok: true } | { ok: false; remaining: number }> {
      try {
        await db.update(keys.package(appId), {
          update: "ADD #r :minus SET updatedAt = :at",
          condition: overdraw ? undefined : "#r >= :need",
          names: { "#r": BALANCE[region] },
          values: { ":minus": -need, ":at": at, ...(overdraw ? {} : { ":need": need }) },
        });
        return { ok: true };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        const item = await db.get(keys.package(appId));
        return { ok: false, remaining: (item && num(item, BALANCE[region])) ?? 0 };
      }
    },

    /** Adds to (refund, positive) or takes from (the vendor billed more, negative) a balance. */
    async adjustPackage(
      appId: string,
      region: PackageRegion,
      amount: number,
      at: string,
    ): Promise<void> {
      if (amount === 0) return;
      await db.update(keys.package(appId), {
        update: "ADD #r :amount SET updatedAt = :at",
        names: { "#r": BALANCE[region] },
        values: { ":amount": amount, ":at": at },
      });
    },

    /** Sets (replaces) the balances given and starts a new alert period. */
    async setPackage(
      appId: string,
      balances: { domestic?: number; international?: number },
      at: string,
    ): Promise<void> {
      const given = REGIONS.filter((r) => balances[r] !== undefined);
      await db.update(keys.package(appId), {
        update: `SET ${[
          "#t = :type",
          "updatedAt = :at",
          "periodAt = :at",
          "createdAt = if_not_exists(createdAt, :at)",
          ...given.map((r) => `${BALANCE[r]} = :${r}, ${BOUGHT[r]} = :${r}`),
        ].join(", ")}`,
        names: { "#t": "type" },
        values: {
          ":type": "Package",
          ":at": at,
          ...Object.fromEntries(given.map((r) => [`:${r}`, balances[r]])),
        },
      });
    },

    /**
     * Adds to the balances given, in one conditional update (each must have been set), and
     * starts a new alert period. Answers the balances after it, or undefined when a region
     * has no balance to add to.
     */
    async topUpPackage(
      appId: string,
      adds: { domestic?: number; international?: number },
      at: string,
    ): Promise<PackageBalance | undefined> {
      const given = REGIONS.filter((r) => adds[r] !== undefined);
      try {
        const after = await db.update(keys.package(appId), {
          update: `ADD ${given.map((r) => `${BALANCE[r]} :${r}, ${BOUGHT[r]} :${r}`).join(", ")} SET updatedAt = :at, periodAt = :at`,
          condition: given.map((r) => `attribute_exists(${BALANCE[r]})`).join(" AND "),
          values: { ":at": at, ...Object.fromEntries(given.map((r) => [`:${r}`, adds[r]])) },
          returnValues: "ALL_NEW",
        });
        return packageOf(after);
      } catch (err) {
        if (err instanceof ConditionFailed) return undefined;
        throw err;
      }
    },

    /** The audit entries of one top-up request (one per region). */
    async putTopUps(appId: string, entries: TopUpEntry[]): Promise<void> {
      await db.batchWrite(
        entries.map((e) => ({
          ...keys.topUp(appId, e.at, e.id),
          type: "TopUp",
          createdAt: e.at,
          updatedAt: e.at,
          ...e,
        })),
      );
    },

    /** The top-ups, newest first, a page at a time (a Query of the app's audit partition). */
    async listTopUps(appId: string, limit: number, startKey?: Item) {
      const page = await db.query({ pk: keys.topUps(appId), newestFirst: true, limit, startKey });
      return {
        items: page.items.map((i) => {
          const {
            createdAt: _c,
            updatedAt: _u,
            ...entry
          } = strip<TopUpEntry & Item>(i, "TopUp") as TopUpEntry & Item;
          return entry as unknown as TopUpEntry;
        }),
        lastKey: page.lastKey,
      };
    },

    async readPackage(appId: string): Promise<PackageBalance | undefined> {
      return packageOf(await db.get(keys.package(appId)));
    },
  };
}
