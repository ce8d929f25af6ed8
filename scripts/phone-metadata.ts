/**
 * Writes lib/core/phone-metadata.json: libphonenumber-js's "min" metadata without the number
 * formats (60 % of it), which smsgate never uses — it parses, validates and tells the
 * country; it does not format. Keeps the send bundle inside its budget. A unit test checks
 * the file still matches the installed libphonenumber-js; run `npm run phone-metadata` after
 * upgrading it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import metadata from "libphonenumber-js/metadata.min.json";

type Country = unknown[];

/** The same metadata with every country's format list (index 4) emptied. */
export function trimmed(source: typeof metadata) {
  const countries: Record<string, Country> = {};
  for (const [code, entry] of Object.entries(source.countries as Record<string, Country>)) {
    const copy = [...entry];
    if (Array.isArray(copy[4])) copy[4] = [];
    countries[code] = copy;
  }
  return { ...source, countries };
}

if (process.argv[1]?.endsWith("phone-metadata.ts")) {
  writeFileSync(
    join(import.meta.dirname, "../lib/core/phone-metadata.json"),
    `${JSON.stringify(trimmed(metadata))}\n`,
  );
}
