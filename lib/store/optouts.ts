/**
 * Opt-outs: one item per number and app, one attribute per signature and SMS type
 * (`s#<sign>#<kind>`; `s#<sign>` blocks every type), with an audit list.
 */
import type { OptOutEntry } from "../core/model";
import type { Item } from "./db";
import type { StoreContext } from "./items";
import { keys } from "./keys";

export const optOutsOf = (item: Item): OptOutEntry[] =>
  Object.entries(item)
    .filter(([k]) => k.startsWith("s#"))
    .map(([, v]) => v as OptOutEntry);

/** The attribute an entry lives in: one per signature and type. */
export const optOutAttribute = (e: Pick<OptOutEntry, "sign" | "kind">) =>
  e.kind && e.kind !== "*" ? `s#${e.sign}#${e.kind}` : `s#${e.sign}`;

export function optoutsStore({ db }: StoreContext) {
  return {
    /**
     * Adds an opt-out for one number, signature ("*": all) and type (absent or "*": all),
     * appending to its audit trail.
     */
    async addOptOut(appId: string, e164: string, entry: OptOutEntry): Promise<void> {
      await db.update(keys.optOut(appId, e164), {
        update:
          "SET #s = :entry, #t = :type, phone = :phone, appId = :app, gsi1pk = :list, gsi1sk = :phone, updatedAt = :at, createdAt = if_not_exists(createdAt, :at), audit = list_append(if_not_exists(audit, :empty), :log)",
        names: { "#s": optOutAttribute(entry), "#t": "type" },
        values: {
          ":entry": entry,
          ":type": "OptOut",
          ":phone": e164,
          ":app": appId,
          ":list": keys.optOutsOfApp(appId),
          ":at": entry.at,
          ":empty": [],
          ":log": [{ action: "add", ...entry }],
        },
      });
    },

    /** Removes a number's opt-outs (one signature, or all); the audit trail keeps who and when. */
    async removeOptOut(
      appId: string,
      e164: string,
      sign: string | undefined,
      by: string,
      at: string,
    ): Promise<boolean> {
      const item = await db.get(keys.optOut(appId, e164));
      const present = item
        ? Object.keys(item).filter(
            (k) => k.startsWith("s#") && (!sign || k === `s#${sign}` || k.startsWith(`s#${sign}#`)),
          )
        : [];
      if (present.length === 0) return false;
      const names = Object.fromEntries(present.map((k, i) => [`#r${i}`, k]));
      await db.update(keys.optOut(appId, e164), {
        update: `REMOVE ${Object.keys(names).join(", ")} SET updatedAt = :at, audit = list_append(audit, :log)`,
        names,
        values: { ":at": at, ":log": [{ action: "remove", sign: sign ?? "*all", by, at }] },
      });
      return true;
    },

    async getOptOuts(
      appId: string,
      e164: string,
    ): Promise<{ entries: OptOutEntry[]; audit: unknown[] } | undefined> {
      const item = await db.get(keys.optOut(appId, e164));
      return item
        ? { entries: optOutsOf(item), audit: (item.audit as unknown[]) ?? [] }
        : undefined;
    },

    /** An app's opted-out numbers (GSI, by number), one page. */
    async listOptOuts(appId: string, limit: number, startKey?: Item) {
      const page = await db.query({ index: "gsi1", pk: keys.optOutsOfApp(appId), limit, startKey });
      return {
        items: page.items
          .map((i) => ({ phone: String(i.phone), optOuts: optOutsOf(i) }))
          .filter((o) => o.optOuts.length > 0),
        lastKey: page.lastKey,
      };
    },
  };
}
