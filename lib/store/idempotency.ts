import { ConditionFailed, type Item } from "./db";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";

/** The stored state of an Idempotency-Key. */
export interface IdempotencyRecord {
  fingerprint: string;
  state: "pending" | "done";
  response?: string;
  createdAt: string;
}

export function idempotencyStore({ db }: StoreContext) {
  return {
    /** Claims an Idempotency-Key before any vendor call; a second claim finds the first. Keys live 24 h. */
    async claimIdempotency(
      appId: string,
      idemKey: string,
      fingerprint: string,
      at: string,
    ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord | undefined }> {
      const key = keys.idempotency(appId, idemKey);
      try {
        await db.put(
          {
            ...key,
            type: "Idempotency",
            fingerprint,
            state: "pending",
            createdAt: at,
            updatedAt: at,
            expiresAt: Math.floor(Date.parse(at) / 1000) + 86400,
          },
          { condition: "attribute_not_exists(pk)" },
        );
        return { claimed: true };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        return {
          claimed: false,
          existing: strip<IdempotencyRecord>(await db.get(key), "Idempotency"),
        };
      }
    },

    async getIdempotency(appId: string, idemKey: string): Promise<IdempotencyRecord | undefined> {
      return strip<IdempotencyRecord>(
        await db.get(keys.idempotency(appId, idemKey)),
        "Idempotency",
      );
    },

    /** The item that completes a claim; written in the same batch as the records. */
    idempotencyResult(
      appId: string,
      idemKey: string,
      fingerprint: string,
      response: string,
      createdAt: string,
      at: string,
    ): Item {
      return {
        ...keys.idempotency(appId, idemKey),
        type: "Idempotency",
        fingerprint,
        state: "done",
        response,
        createdAt,
        updatedAt: at,
        expiresAt: Math.floor(Date.parse(createdAt) / 1000) + 86400,
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
