/**
 * Phone numbers as Tencent reads PhoneNumberSet (docs/providers/tencent.md §1.1; cited below as
 * "docs/providers/tencent.md §n"), split into calling code and national number for reports and IsoCode.
 */

export interface Phone {
  /** "+8613800000000" */
  e164: string;
  /** "86" */
  countryCode: string;
  /** "13800000000" */
  national: string;
  mainland: boolean;
}

/** Calling code → ISO 3166 alpha-2 for IsoCode; anything else is "DEF" (docs/providers/tencent.md §1.2). */
const ISO_BY_CALLING_CODE: Record<string, string> = {
  "1": "US",
  "7": "RU",
  "33": "FR",
  "44": "GB",
  "49": "DE",
  "60": "MY",
  "61": "AU",
  "62": "ID",
  "63": "PH",
  "65": "SG",
  "66": "TH",
  "81": "JP",
  "82": "KR",
  "84": "VN",
  "86": "CN",
  "91": "IN",
  "852": "HK",
  "853": "MO",
  "886": "TW",
};

/**
 * ITU-T E.164 calling codes are prefix-free: 1 and 7 are one digit, the two-digit ones are
 * listed here, every other code has three digits. Enough to split "+cc national".
 */
const TWO_DIGIT_CALLING_CODES = new Set(
  (
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 " +
    "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98"
  ).split(" "),
);

function callingCodeLength(digits: string): number {
  if (digits.startsWith("1") || digits.startsWith("7")) return 1;
  return TWO_DIGIT_CALLING_CODES.has(digits.slice(0, 2)) ? 2 : 3;
}

function mainlandPhone(national: string): Phone {
  return { e164: `+86${national}`, countryCode: "86", national, mainland: true };
}

/**
 * docs/providers/tencent.md §1.1 PhoneNumberSet: E.164 `+…`; for the mainland also `0086…`, `86…` or a bare
 * 11-digit number (default +86). Returns undefined for anything else.
 */
export function parsePhone(raw: string): Phone | undefined {
  const text = raw.trim();
  const mainlandMobile = /^1\d{10}$/;
  if (text.startsWith("+")) {
    const digits = text.slice(1);
    if (!/^[1-9]\d{6,14}$/.test(digits)) return undefined;
    const ccLength = callingCodeLength(digits);
    const countryCode = digits.slice(0, ccLength);
    const national = digits.slice(ccLength);
    if (countryCode === "86")
      return mainlandMobile.test(national) ? mainlandPhone(national) : undefined;
    return { e164: text, countryCode, national, mainland: false };
  }
  for (const prefix of ["0086", "86", ""]) {
    const rest = text.slice(prefix.length);
    if (text.startsWith(prefix) && mainlandMobile.test(rest)) return mainlandPhone(rest);
  }
  return undefined;
}

export function isoCodeFor(phone: Phone): string {
  return ISO_BY_CALLING_CODE[phone.countryCode] ?? "DEF";
}
