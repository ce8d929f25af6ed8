/**
 * The opt-out a reply keyword makes: for the signature it answers and the SMS type of the latest
 * message to that number under that signature (lib/rules/keywords.ts optOutKind).
 */
import type { Deps } from "../core/deps";
import type { StoredReply } from "../core/model";
import { parsePhone } from "../core/phone";
import { optOutKind } from "../rules/keywords";

/** How many of the number's newest records are looked through for one under the signature. */
const LOOK_BACK = 20;

export async function replyOptOut(
  deps: Deps,
  r: StoredReply,
  sign: string,
  at: string,
): Promise<void> {
  const page = await deps.store.listMessagesByPhone(r.appId, r.phone, ["0", "9999~"], LOOK_BACK);
  const latest = page.records.find((m) => sign === "*" || m.sign === sign);
  const mainland = parsePhone(r.phone)?.mainland ?? false;
  await deps.store.addOptOut(r.appId, r.phone, {
    sign,
    kind: optOutKind(r.text, mainland, latest?.templateKind),
    reason: "reply-keyword",
    at,
    detail: `reply ${r.id}: ${JSON.stringify(r.text)}`,
  });
}
