/** Reply keywords that mean "stop" (pure). */
import type { TemplateKind } from "./template";

/** R is the marketing footer's 拒收请回复R; TD/T/N per Tencent (docs/providers/tencent.md §5); the rest are common. */
export const UNSUBSCRIBE_KEYWORDS = [
  "R",
  "T",
  "N",
  "TD",
  "退订",
  "T退订",
  "QX",
  "0000",
  "STOP",
  "UNSUBSCRIBE",
];

/** Trimmed, width-folded (ＴＤ → TD) and upper-cased, so equal keywords compare equal. */
export function normaliseKeyword(text: string): string {
  return text.normalize("NFKC").trim().toUpperCase();
}

/** Whether a reply is exactly an unsubscribe keyword (the built-in ones or the app's own). */
export function isUnsubscribe(text: string, extra: readonly string[] = []): boolean {
  const t = normaliseKeyword(text);
  return [...UNSUBSCRIBE_KEYWORDS, ...extra].some((k) => normaliseKeyword(k) === t);
}

/**
 * Keywords that, outside the mainland, opt a number out of every type of SMS: the US/Canada
 * carrier rules (docs/providers/tencent.md §5.4: STOP, UNSUBSCRIBE, QUIT and the like).
 */
export const STOP_FAMILY = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"];

/**
 * Which SMS type a reply keyword opts out of. Tencent records number + signature + type and
 * blocks only the same type (docs/providers/tencent.md §5.4): the type of the latest message
 * to that number under that signature. With no such message on record (the vendors' documents
 * are silent), marketing — the only type whose body must invite the reply — so login codes
 * keep flowing. Outside the mainland, a STOP-family keyword opts out of every type.
 */
export function optOutKind(
  text: string,
  mainland: boolean,
  latest: TemplateKind | undefined,
): TemplateKind | "*" {
  if (!mainland && STOP_FAMILY.includes(normaliseKeyword(text))) return "*";
  return latest ?? "marketing";
}
