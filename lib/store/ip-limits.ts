/** Per-client-IP counters for the Logto connector (lib/rules/ip-limits.ts). */
import type { ErrorCode } from "../core/errors";
import type { IpLimits } from "../core/model";
import { ipReservation, ipVerdict } from "../rules/ip-limits";
import { ConditionFailed } from "./db";
import type { StoreContext } from "./items";
import { keys } from "./keys";

export function ipLimitsStore({ db }: StoreContext) {
  return {
    /** Takes one send for `ip`, or says which limit refuses it. One conditional UpdateItem. */
    async reserveIp(
      appId: string,
      ip: string,
      day: string,
      limits: IpLimits,
      now: number,
    ): Promise<ErrorCode | null> {
      const key = keys.ipLimit(appId, ip, day);
      const at = new Date(now).toISOString();
      try {
        await db.update(key, ipReservation(limits, now, at));
        return null;
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        // dynalite ignores ReturnValuesOnConditionCheckFailure: read to tell which limit.
        return ipVerdict(await db.get(key), limits, now);
      }
    },
  };
}
