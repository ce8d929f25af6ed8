/**
 * Customer groups (docs/access-patterns.md, "groups"): the group item in its app's
 * partition with its member count; one item per member in the group's own partition, the
 * number as sort key, so a number is a member once however often it is imported.
 */
import { AppError } from "../core/errors";
import type { Group } from "../core/model";
import { ConditionFailed, type Item } from "./db";
import { queryAll, type StoreContext, strip } from "./items";
import { keys } from "./keys";

export function groupsStore({ db }: StoreContext) {
  return {
    async createGroup(g: Group): Promise<void> {
      await db.put(
        { ...keys.group(g.appId, g.id), type: "Group", ...g },
        { condition: "attribute_not_exists(pk)" },
      );
    },

    async getGroup(appId: string, id: string): Promise<Group | undefined> {
      return strip<Group>(await db.get(keys.group(appId, id)), "Group");
    },

    async listGroups(appId: string): Promise<Group[]> {
      const items = await queryAll(db, { pk: `APP#${appId}`, skBeginsWith: keys.groupPrefix() });
      return items.map((i) => strip<Group>(i, "Group") as Group);
    },

    /**
     * Adds numbers: reads which are members already (BatchGetItem, 100 a call), writes the
     * new ones (BatchWriteItem), then counts them on the group. Returns the numbers that
     * were members already.
     */
    async addMembers(appId: string, id: string, phones: string[], at: string): Promise<string[]> {
      const existing = new Set(
        (await db.batchGet(phones.map((p) => keys.groupMember(appId, id, p)))).map((i) =>
          String(i.sk),
        ),
      );
      const fresh = phones.filter((p) => !existing.has(p));
      await db.batchWrite(
        fresh.map((p) => ({
          ...keys.groupMember(appId, id, p),
          type: "GroupMember",
          phone: p,
          createdAt: at,
        })),
      );
      if (fresh.length)
        await db.update(keys.group(appId, id), {
          update: "ADD #m :n SET updatedAt = :at",
          condition: "attribute_exists(pk)",
          names: { "#m": "members" },
          values: { ":n": fresh.length, ":at": at },
        });
      return [...existing];
    },

    /** One page of members in number order. */
    async listMembers(
      appId: string,
      id: string,
      limit: number,
      startKey?: Item,
    ): Promise<{ phones: string[]; lastKey?: Item }> {
      const page = await db.query({ pk: keys.groupMembers(appId, id), limit, startKey });
      return { phones: page.items.map((i) => String(i.phone)), lastKey: page.lastKey };
    },

    async removeMember(appId: string, id: string, phone: string, at: string): Promise<void> {
      try {
        await db.delete(keys.groupMember(appId, id, phone), {
          condition: "attribute_exists(pk)",
        });
      } catch (err) {
        if (err instanceof ConditionFailed)
          throw new AppError("ResourceNotFound", `${phone} is not a member of group ${id}.`);
        throw err;
      }
      await db.update(keys.group(appId, id), {
        update: "ADD #m :n SET updatedAt = :at",
        condition: "attribute_exists(pk)",
        names: { "#m": "members" },
        values: { ":n": -1, ":at": at },
      });
    },

    /** Deletes the group and its members (a bounded, paginated delete of its partition). */
    async deleteGroup(appId: string, id: string): Promise<void> {
      let startKey: Item | undefined;
      do {
        const page = await db.query({ pk: keys.groupMembers(appId, id), limit: 1000, startKey });
        await db.batchWrite(
          [],
          page.items.map((i) => ({ pk: String(i.pk), sk: String(i.sk) })),
        );
        startKey = page.lastKey;
      } while (startKey);
      await db.delete(keys.group(appId, id));
    },
  };
}
