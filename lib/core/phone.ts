import { type MetadataJson, parsePhoneNumberFromString } from "libphonenumber-js/core";
// libphonenumber-js's min metadata without number formats (scripts/phone-metadata.ts).
import metadata from "./phone-metadata.json";

export interface Phone {
  e164: string;
  /** ISO 3166 alpha-2, or "DEF" when the number's country cannot be told (Tencent's word). */
  country: string;
  /** Mainland China (+86): Tencent's "domestic"; HK, MO and TW are international. */
  mainland: boolean;
}

const MAINLAND_11 = /^1\d{10}$/;

/**
 * Normalises what a caller wrote to E.164: "+…" as is, an 11-digit number starting with 1
 * as mainland China (docs/api.md). Returns null when the number cannot be a real one.
 */
export function parsePhone(input: string): Phone | null {
  const raw = input.replace(/[\s\-()]/g, "");
  const candidate = MAINLAND_11.test(raw) ? `+86${raw}` : raw;
  if (!candidate.startsWith("+")) return null;
  const parsed = parsePhoneNumberFromString(candidate, metadata as unknown as MetadataJson);
  if (!parsed?.isValid()) return null;
  const country = parsed.country ?? "DEF";
  return { e164: parsed.number, country, mainland: parsed.countryCallingCode === "86" };
}

/** "+8613800138000" → { countryCode: "86", subscriber: "13800138000" }, as Tencent reports it. */
export function splitE164(e164: string): { countryCode: string; subscriber: string } {
  const parsed = parsePhoneNumberFromString(e164, metadata as unknown as MetadataJson);
  if (!parsed) return { countryCode: "", subscriber: e164.replace(/^\+/, "") };
  return { countryCode: parsed.countryCallingCode, subscriber: parsed.nationalNumber };
}
