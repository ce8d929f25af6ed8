/**
 * In-flight records (docs/architecture.md "Following one send", step 8): before the vendor
 * call, every number about to be handed over gets an `unknown` record and its reconciliation
 * index item, written in the round trip that takes the reservations. Settling replaces them:
 * this says which of their items the final write deletes.
 */
import type { MessageRecord } from "../core/model";
import { type Key, keys } from "./keys";

/** The items of an in-flight record that its final record does not overwrite. */
export function supersededKeys(inFlight: MessageRecord, final: MessageRecord): Key[] {
  const out: Key[] = [];
  // An accepted number's record is re-keyed by the vendor serial; the in-flight one goes.
  if (final.id !== inFlight.id) out.push(keys.message(inFlight.id));
  // Only a number still unknown keeps its reconciliation index item (rewritten with the record).
  if (final.status !== "unknown")
    out.push(keys.unknown(inFlight.appId, inFlight.requestId, inFlight.to));
  return out;
}
