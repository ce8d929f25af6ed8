/**
 * CSV text (pure): UTF-8 with a byte-order mark so that Excel reads Chinese text as UTF-8,
 * one header row, CRLF lines (RFC 4180). Shared by the API's CSV answers (lib/http/csv.ts)
 * and the console's client-side exports.
 */

/**
 * One cell. Cells that a spreadsheet would run as a formula (=, @, +, - followed by more
 * than digits, tab, CR) get a leading apostrophe; a phone number like +8613800138000 stays.
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  let s = typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=@\t\r]/.test(s) || (/^[+-]/.test(s) && !/^[+-]\d+(\.\d+)?$/.test(s))) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(columns: readonly string[], rows: readonly object[]): string {
  const lines = [
    columns.join(","),
    ...rows.map((r) => columns.map((c) => csvCell((r as Record<string, unknown>)[c])).join(",")),
  ];
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}
