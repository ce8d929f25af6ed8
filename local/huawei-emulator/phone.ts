/** Phone numbers as Huawei reads `to` (docs/providers/huawei.md §2.1, "docs/providers/huawei.md §n" below). */
import { parsePhoneNumberFromString } from "libphonenumber-js/min";

export const MAX_NUMBER_LENGTH = 21; // docs/providers/huawei.md §2.1 `to`

export interface Phone {
  /** "+8613800000000" */
  e164: string;
  mainland: boolean;
  /** ISO 3166 alpha-2 when it can be told (docs/providers/huawei.md §2.3 `countryId`, example "CN"). */
  countryId?: string;
}

/** docs/providers/huawei.md §2.1 `to`: E.164 `+{CC}{NDC}{SN}`, at most 21 chars; mainland mobiles 1xxxxxxxxxx. */
export function parsePhone(raw: string): Phone | undefined {
  if (raw.length > MAX_NUMBER_LENGTH || !/^\+[1-9]\d{6,14}$/.test(raw)) return undefined;
  const mainland = raw.startsWith("+86");
  if (mainland && !/^\+861\d{10}$/.test(raw)) return undefined;
  const countryId = mainland ? "CN" : parsePhoneNumberFromString(raw)?.country;
  return { e164: raw, mainland, countryId };
}

/** Replies may name the handset as E.164 or as an 11-digit mainland number. */
export function parseReplyPhone(raw: string): Phone | undefined {
  const text = raw.trim();
  return parsePhone(/^1\d{10}$/.test(text) ? `+86${text}` : text);
}
