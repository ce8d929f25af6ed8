/**
 * A light E.164 normaliser for configuration endpoints (whitelist, opt-outs, queries), where
 * the number is a key, not a destination: no country metadata, so those bundles stay small.
 * The send path validates fully with libphonenumber-js (lib/phone.ts).
 */
const MAINLAND_11 = /^1\d{10}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

export function normaliseE164(input: string): string | null {
  const raw = input.replace(/[\s\-()]/g, "");
  const candidate = MAINLAND_11.test(raw) ? `+86${raw}` : raw;
  return E164.test(candidate) ? candidate : null;
}
