/**
 * Writes lib/core/phone-metadata.json: libphonenumber-js's "min" metadata without the number
 * formats (60 % of it), which smsgate never uses — it parses, validates and tells the
 * country; it does not format. Mainland China's entry comes from the "max" metadata instead:
 * "min" checks only lengths there and accepts numbers no carrier issues (+86 123…), which
 * would let a typo'd opt-out miss the real number. A unit test checks the file still
 * matches the installed libphonenumber-js; run `npm run phone-metadata` after upgrading it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import max from "libphonenumber-js/metadata.max.json";
import min from "libphonenumber-js/metadata.min.json";

type Country = unknown[];
/** Countries validated by number type (the full patterns), not by length alone. */
const FULL = ["CN"];

/** The min metadata, mainland China's entry from max, and every format list (index 4) emptied. */
export function trimmed(source: typeof min, full: typeof max) {
  const countries: Record<string, Country> = {};
  for (const [code, entry] of Object.entries(source.countries as Record<string, Country>)) {
    const from = FULL.includes(code) ? (full.countries as Record<string, Country>)[code] : entry;
    const copy = [...(from ?? entry)];
    if (Array.isArray(copy[4])) copy[4] = [];
    countries[code] = copy;
  }
  return { ...source, countries };
}

if (process.argv[1]?.endsWith("phone-metadata.ts")) {
  writeFileSync(
    join(import.meta.dirname, "../lib/core/phone-metadata.json"),
    `${JSON.stringify(trimmed(min, max))}\n`,
  );
}
