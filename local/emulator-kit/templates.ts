/** Template variables and their substitution, shared by the emulators' templates. */

/**
 * Template variables {1}, {2}, … Each emulator passes its own pattern (a vendor may accept more
 * forms); any pattern must be global, with the variable number as group 1.
 */
export const TEMPLATE_VARIABLE = /\{(\d+)\}/g;

/** Distinct variable numbers of a template, ascending ("{1}…{2}…{1}" → [1, 2]). */
export function templateVariables(body: string, pattern: RegExp): number[] {
  const numbers = new Set<number>();
  for (const match of body.matchAll(pattern)) numbers.add(Number(match[1]));
  return [...numbers].sort((a, b) => a - b);
}

/** Substitute params: the i-th distinct variable (ascending) takes params[i]. */
export function renderTemplate(body: string, params: string[], pattern: RegExp): string {
  const variables = templateVariables(body, pattern);
  return body.replace(pattern, (whole, n: string) => params[variables.indexOf(Number(n))] ?? whole);
}
