import { ConditionFailed, type Item } from "./db";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";

/** The stored state of an Idempotency-Key. */
export interface IdempotencyRecord {
  fingerprint: string;
  state: "pending" | "done";
  /**
   * The answer: final once `done`; while `pending`, the provisional answer written with the
   * in-flight records before the vendor call (every handed number `unknown`), which is what
   * a retry gets if the holder died after handing numbers to the vendor.
   */
  response?: string;
  /** Until when (epoch ms) the holder may still be running; after it, the key can be taken over. */
  leaseUntil?: number;
  createdAt: string;
}

/** Idempotency-Keys live a day (docs/api.md "Send"). */
export const IDEMPOTENCY_TTL_SECONDS = 86_400;
const expiry = (createdAt: string) =>
  Math.floor(Date.parse(createdAt) / 1000) + IDEMPOTENCY_TTL_SECONDS;

export function idempotencyStore({ db }: StoreContext) {
  const pendingItem = (
    appId: string,
    idemKey: string,
    fingerprint: string,
    at: string,
    leaseUntil: number,
  ): Item => ({
    ...keys.idempotency(appId, idemKey),
    type: "Idempotency",
    fingerprint,
    state: "pending",
    leaseUntil,
    createdAt: at,
    updatedAt: at,
    expiresAt: expiry(at),
  });

  return {
    /**
     * Claims an Idempotency-Key before any vendor call, holding it until `leaseUntil`; a
     * second claim finds the first.
     */
    async claimIdempotency(
      appId: string,
      idemKey: string,
      fingerprint: string,
      at: string,
      leaseUntil: number,
    ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord | undefined }> {
      const key = keys.idempotency(appId, idemKey);
      try {
        await db.put(pendingItem(appId, idemKey, fingerprint, at, leaseUntil), {
          condition: "attribute_not_exists(pk)",
        });
        return { claimed: true };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        return {
          claimed: false,
          existing: strip<IdempotencyRecord>(await db.get(key), "Idempotency"),
        };
      }
    },

    /**
     * Takes over a claim whose holder died before handing anything to a vendor (pending, no
     * provisional answer, lease over): conditional on the lease seen, so one retry wins.
     */
    async takeOverIdempotency(
      appId: string,
      idemKey: string,
      fingerprint: string,
      at: string,
      leaseUntil: number,
      seenLease: number | undefined,
    ): Promise<boolean> {
      try {
        await db.put(pendingItem(appId, idemKey, fingerprint, at, leaseUntil), {
          condition:
            seenLease === undefined
              ? "#s = :pending AND attribute_not_exists(#l) AND attribute_not_exists(#r)"
              : "#s = :pending AND #l = :seen AND attribute_not_exists(#r)",
          names: { "#s": "state", "#l": "leaseUntil", "#r": "response" },
          values: {
            ":pending": "pending",
            ...(seenLease === undefined ? {} : { ":seen": seenLease }),
          },
        });
        return true;
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        return false;
      }
    },

    async getIdempotency(appId: string, idemKey: string): Promise<IdempotencyRecord | undefined> {
      return strip<IdempotencyRecord>(
        await db.get(keys.idempotency(appId, idemKey)),
        "Idempotency",
      );
    },

    /**
     * The item that records an answer: `pending` with the provisional answer (written with the
     * in-flight records), or `done` with the final one (written with the final records).
     */
    idempotencyResult(
      appId: string,
      idemKey: string,
      fingerprint: string,
      response: string,
      createdAt: string,
      at: string,
      state: "pending" | "done" = "done",
      leaseUntil?: number,
    ): Item {
      return {
        ...keys.idempotency(appId, idemKey),
        type: "Idempotency",
        fingerprint,
        state,
        response,
        ...(leaseUntil !== undefined ? { leaseUntil } : {}),
        createdAt,
        updatedAt: at,
        expiresAt: expiry(createdAt),
      };
    },

    /** Drops a claim whose request failed before any vendor call, so a retry can run. */
    async releaseIdempotency(appId: string, idemKey: string): Promise<void> {
      try {
        await db.delete(keys.idempotency(appId, idemKey), {
          condition: "#s = :pending",
          names: { "#s": "state" },
          values: { ":pending": "pending" },
        });
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
      }
    },
  };
}
