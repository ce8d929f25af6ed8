/**
 * The PullSmsSendStatus queue (docs/providers/tencent.md §3: each status is pulled once).
 * A final status joins its app's queue on the gsi1 index when its report is applied
 * (lib/store/messages.ts applyReports); pulling takes the oldest and removes each from the
 * index with a conditional update, so concurrent pulls never return the same status twice.
 */
import type { MessageStatusItem } from "../core/model";
import { ConditionFailed } from "./db";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";

export type PulledStatus = MessageStatusItem & { context?: string };

export function pullStore({ db }: StoreContext) {
  return {
    async pullStatuses(appId: string, limit: number): Promise<PulledStatus[]> {
      const queue = keys.pullQueue(appId);
      const { items } = await db.query({ index: "gsi1", pk: queue, limit });
      const taken = await Promise.all(
        items.map(async (i) => {
          try {
            await db.update(keys.messageStatus(String(i.messageId)), {
              update: "REMOVE gsi1pk, gsi1sk",
              condition: "gsi1pk = :q",
              values: { ":q": queue },
            });
            return strip<PulledStatus>(i, "MessageStatus");
          } catch (err) {
            if (err instanceof ConditionFailed) return undefined; // another pull took it
            throw err;
          }
        }),
      );
      return taken.filter((t): t is PulledStatus => t !== undefined);
    },
  };
}
