/**
 * Templates and their rules (pure). Bodies carry numbered variables {1}..{n}, as in the
 * Tencent and Huawei consoles.
 */
import type { ErrorCode } from "../core/errors";

export type TemplateKind = "verification" | "notification" | "marketing";
export type Region = "domestic" | "international";

const VARIABLE = /\{(\d+)\}/g;
export const MAX_BODY = 500;
export const DEFAULT_UNSUBSCRIBE_FOOTER = "拒收请回复R";

/** The variable count of a body, or an error when they are not numbered 1..n without gaps. */
export function countVariables(body: string): number | { error: string } {
  const seen = new Set<number>();
  for (const m of body.matchAll(VARIABLE)) seen.add(Number(m[1]));
  const sorted = [...seen].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i] !== i + 1) {
      return {
        error: `variables must be numbered {1}..{n} without gaps; found {${sorted.join("},{")}}`,
      };
    }
  }
  return sorted.length;
}

/** Replaces {n} with params[n-1]. */
export function render(body: string, params: readonly string[]): string {
  return body.replace(VARIABLE, (_, n: string) => params[Number(n) - 1] ?? "");
}

/** Whether a body is nothing but variables ("不支持全变量": the vendors refuse such templates). */
export function isAllVariables(body: string): boolean {
  return body.replace(VARIABLE, "").replace(/[\s\p{P}\p{S}]/gu, "") === "";
}

/**
 * Generic top-level domains seen in SMS links; every two-letter name counts as a country one.
 * Tencent refuses URLs and bare domains in variables (docs/providers/tencent.md §5.3).
 */
const GENERIC_TLDS = new Set(
  "com net org edu gov mil int info biz name pro mobi app dev io ai xyz top site online shop store club vip link click tech wang xin ltd art live news email cloud page blog icu fun run asia".split(
    " ",
  ),
);
const DOMAIN = /([\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*)\.([A-Za-z]{2,12})(?![A-Za-z0-9-])/gu;
/** Two-letter file extensions more often meant than the country domain they collide with. */
const FILE_EXTENSIONS = new Set(["js", "py", "md", "ts", "sh", "rb", "pl", "cs", "db", "gz", "rs"]);

/**
 * Whether a variable is a URL or a bare domain ("example.com", "t.cn/abc", "bit.ly/x"), without
 * taking names, abbreviations or versions for one ("J.Doe", "St.Louis", "v2.Beta", "Mr.Li"):
 * a scheme or `www.` is a URL; otherwise the last label must be a top-level domain written as
 * domains are (all lower or all upper case — "Li" in "Mr.Li" is a surname, "li" a domain), or
 * be followed by a path or port.
 */
export function looksLikeUrl(text: string): boolean {
  if (/(?:https?|ftp):\/\/|\bwww\./i.test(text)) return true;
  for (const m of text.matchAll(DOMAIN)) {
    const tld = m[2] as string;
    const after = text[(m.index ?? 0) + m[0].length];
    const known =
      (tld.length === 2 && (!FILE_EXTENSIONS.has(tld.toLowerCase()) || after === "/")) ||
      GENERIC_TLDS.has(tld.toLowerCase());
    if (!known) continue;
    const written = tld === tld.toLowerCase() || tld === tld.toUpperCase();
    if (written || after === "/" || after === ":") return true;
  }
  return false;
}
const VERIFICATION_PARAM = /^\d{0,6}$/;

/**
 * Tencent's per-variable length limit for templates other than verification codes: 6
 * characters by default for accounts opened from 2024-01-25 (docs/providers/tencent.md §5.3);
 * a template may set its own (what its console shows).
 */
export const TENCENT_DEFAULT_PARAM_LENGTH = 6;

/** The first rule a set of params breaks, or null. */
export function checkParams(
  kind: TemplateKind,
  variables: number,
  params: readonly string[],
  /** The longest a non-verification variable may be; undefined: no limit. */
  maxLength?: number,
): { code: ErrorCode; message: string } | null {
  if (params.length !== variables) {
    return {
      code: "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
      message: `The template has ${variables} variable(s) but ${params.length} param(s) were given.`,
    };
  }
  for (const [i, p] of params.entries()) {
    if (kind === "verification" && !VERIFICATION_PARAM.test(p)) {
      return {
        code: "InvalidParameterValue.TemplateParameterFormatError",
        message: `params[${i}] must be 0–6 digits in a verification template.`,
      };
    }
    if (looksLikeUrl(p)) {
      return {
        code: "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
        message: `params[${i}] looks like a URL or domain; links belong in the approved template body.`,
      };
    }
    if (kind !== "verification" && maxLength !== undefined && [...p].length > maxLength) {
      return {
        code: "InvalidParameterValue.TemplateParameterLengthLimit",
        message: `params[${i}] is ${[...p].length} characters; this template's variables take at most ${maxLength}.`,
      };
    }
  }
  return null;
}

// GSM 03.38 basic set and the extension set whose characters take two septets.
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€\f";

/**
 * Billable segments (docs/providers/tencent.md §5): international GSM-7 text 160, then 153 per segment,
 * extension characters counting 2; anything else (all mainland text) 70, then 67.
 * The text passed in must already include the signature as the vendor adds it.
 */
export function segments(text: string, region: Region): number {
  const chars = [...text];
  if (
    region === "international" &&
    chars.every((c) => GSM_BASIC.includes(c) || GSM_EXTENDED.includes(c))
  ) {
    const length = chars.reduce((n, c) => n + (GSM_EXTENDED.includes(c) ? 2 : 1), 0);
    return length <= 160 ? 1 : Math.ceil(length / 153);
  }
  return chars.length <= 70 ? 1 : Math.ceil(chars.length / 67);
}

/**
 * The text the handset shows and the vendor bills: 【sign】body in mainland China; abroad the
 * signature is optional and shown as [sign]body (Tencent's English docs). Whether the
 * brackets are billed is UNCONFIRMED (docs/providers/tencent.md §5); we count them, as other vendors do.
 */
export function withSignature(
  body: string,
  sign: string | undefined,
  region: Region = "domestic",
): string {
  if (!sign) return body;
  return region === "international" ? `[${sign}]${body}` : `【${sign}】${body}`;
}

const SIGN = /^[\p{Script=Han}A-Za-z0-9]{2,12}$/u;
// International signatures are company or brand names: letters, digits, spaces and the
// punctuation names carry ("Tencent Cloud", "AT&T"), 2–32 characters, not blank at either end.
const INTL_SIGN =
  /^[A-Za-z0-9\p{Script=Han}](?:[A-Za-z0-9\p{Script=Han} &'.,-]{0,30})[A-Za-z0-9\p{Script=Han}.]$/u;

/** Tencent's signature rule: 2–12 characters of CJK, letters or digits. */
export function isValidSign(sign: string): boolean {
  return SIGN.test(sign);
}

/** A signature valid for international SMS (which Tencent allows in brand form, e.g. "Tencent Cloud"). */
export function isValidIntlSign(sign: string): boolean {
  return SIGN.test(sign) || INTL_SIGN.test(sign);
}
