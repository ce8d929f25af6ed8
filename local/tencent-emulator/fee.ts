/**
 * The emulator's own billing-segment ("Fee") count for Tencent Cloud SMS.
 *
 * Deliberately independent of lib/: tests that compare our production code with the
 * emulator only mean something if the two were written separately.
 *
 * Rules (docs/providers/tencent.md §5.2, cited as "docs/providers/tencent.md §n"):
 * - Mainland: length = signature + body, every character (CJK, letter, digit, punctuation,
 *   space) counts 1. ≤70 → 1 segment, otherwise ceil(len / 67); 150 chars → 3.
 *   The signature is counted as it appears on the handset, `【sign】`, brackets included.
 *   UNCONFIRMED (docs/providers/tencent.md §5.2): whether Tencent counts the 【】 brackets; other vendors do,
 *   so the emulator does too.
 * - International: if every character is in the GSM-7 basic set or its extension table
 *   (extension characters ^ { } \ [ ~ ] | € count 2) then ≤160 → 1, otherwise ceil(len / 153)
 *   (320 → 3). Anything else is UCS-2: ≤70 → 1, otherwise ceil(len / 67).
 *   The signature is optional for international SMS and counted only if given. Tencent's
 *   English docs show it as `[sign]` before the body, so it is counted as `[sign]` (the
 *   ASCII brackets are GSM-7 extension characters and count 2 each). UNCONFIRMED
 *   (docs/providers/tencent.md §5.5): how Tencent bills the signature of international SMS.
 *
 * Characters are counted by Unicode code point (an emoji is 1, not 2 UTF-16 units); real
 * UCS-2 encoding would need 2 units for astral characters, which we knowingly ignore.
 */

/** GSM 03.38 basic character set (the ESC code 0x1B is not a character of its own). */
const GSM7_BASIC = new Set(
  [
    "@£$¥èéùìòÇ\nØø\rÅå",
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ",
    " !\"#¤%&'()*+,-./",
    "0123456789:;<=>?",
    "¡ABCDEFGHIJKLMNO",
    "PQRSTUVWXYZÄÖÑÜ§",
    "¿abcdefghijklmno",
    "pqrstuvwxyzäöñüà",
  ].join(""),
);

/** GSM 03.38 extension table: each costs an escape plus the character, i.e. 2 septets. */
const GSM7_EXTENSION = new Set(["^", "{", "}", "\\", "[", "~", "]", "|", "€", "\f"]);

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface FeeInput {
  /** Rendered template body (variables already substituted). */
  body: string;
  /** SignName as sent in the request, without brackets. */
  sign?: string;
  /** true for numbers outside the Chinese mainland. */
  international: boolean;
}

/** Length in Unicode code points. */
export function codePointLength(text: string): number {
  return Array.from(text).length;
}

/** True when every character can be sent in GSM-7 (basic or extension table). */
export function isGsm7(text: string): boolean {
  for (const ch of text) {
    if (!GSM7_BASIC.has(ch) && !GSM7_EXTENSION.has(ch)) return false;
  }
  return true;
}

/** GSM-7 length in septets: extension characters count 2. */
export function gsm7Length(text: string): number {
  let length = 0;
  for (const ch of text) length += GSM7_EXTENSION.has(ch) ? 2 : 1;
  return length;
}

/** Generic "single limit / multipart size" segment rule. */
function segments(length: number, single: number, multipart: number): number {
  if (length <= single) return 1;
  return Math.ceil(length / multipart);
}

/** Mainland China: 【sign】 + body, 70 / 67 by code point. */
export function mainlandSegments(body: string, sign?: string): number {
  const text = sign ? `【${sign}】${body}` : body;
  return segments(codePointLength(text), 70, 67);
}

/** International: GSM-7 160 / 153 (extension chars count 2), else UCS-2 70 / 67. */
export function internationalSegments(body: string, sign?: string): number {
  const text = sign ? `[${sign}]${body}` : body;
  if (isGsm7(text)) return segments(gsm7Length(text), 160, 153);
  return segments(codePointLength(text), 70, 67);
}

/** Billing segments Tencent would report as `Fee` for one number. */
export function feeFor(input: FeeInput): number {
  return input.international
    ? internationalSegments(input.body, input.sign)
    : mainlandSegments(input.body, input.sign);
}
