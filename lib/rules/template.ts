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

// A URL or a bare domain ("example.com", "t.cn/abc"): Tencent refuses both in variables.
const URL_LIKE = /(https?:\/\/|www\.)|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}\b/i;
const VERIFICATION_PARAM = /^\d{0,6}$/;

/** The first rule a set of params breaks, or null. */
export function checkParams(
  kind: TemplateKind,
  variables: number,
  params: readonly string[],
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
    if (URL_LIKE.test(p)) {
      return {
        code: "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
        message: `params[${i}] looks like a URL or domain; links belong in the approved template body.`,
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

/** Tencent's signature rule: 2–12 characters of CJK, letters or digits. */
export function isValidSign(sign: string): boolean {
  return SIGN.test(sign);
}
