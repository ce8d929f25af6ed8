/**
 * CSV answers (docs/api.md "CSV"): UTF-8 with a byte-order mark so that Excel reads Chinese
 * text as UTF-8, one header row, CRLF lines (RFC 4180), one page per call with the next page
 * in `Link: <…>; rel="next"`.
 */
import { toCsv } from "../rules/csv";
import type { HttpRequest, HttpResponse } from "./wrapper";

export { csvCell, toCsv } from "../rules/csv";

/** Whether the caller asked for CSV (`Accept: text/csv`). */
export function wantsCsv(req: HttpRequest): boolean {
  return /\btext\/csv\b/i.test(req.headers.accept ?? "");
}

/** The URL of the next page: this request's path and query with the new cursor. */
export function nextPageUrl(req: HttpRequest, cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const q = new URLSearchParams({ ...req.query, cursor });
  return `${req.origin}${req.path}?${q}`;
}

export function csv(
  filename: string,
  columns: readonly string[],
  rows: readonly object[],
  next?: string,
): HttpResponse {
  return {
    statusCode: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      ...(next ? { link: `<${next}>; rel="next"` } : {}),
    },
    body: toCsv(columns, rows),
  };
}
