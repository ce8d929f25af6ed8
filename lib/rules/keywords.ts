/** Reply keywords that mean "stop" (pure). */

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
