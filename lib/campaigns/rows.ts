/**
 * Recipient files (docs/api.md "Campaigns and customer groups"): CSV or XLSX, first column
 * the number, then the template's {1}…{n}; an optional header row; CSV in UTF-8 (with or
 * without BOM) or GBK, which Excel writes for "CSV" on a Chinese Windows. Rows come out one
 * at a time (csv-parse's stream), so a caller can write them out as it goes.
 */
import { Readable } from "node:stream";
import { parse } from "csv-parse";
import { AppError, type ErrorCode } from "../core/errors";
import type { Template } from "../core/model";
import { type Phone, parsePhone } from "../core/phone";
import { checkParams, render, segments, withSignature } from "../rules/template";

/** At most this many bytes per upload call: CSV as text; XLSX arrives base64 in the event. */
export const MAX_CSV_BYTES = 5 * 1024 * 1024;
export const MAX_XLSX_BYTES = 4 * 1024 * 1024;

export interface RawRow {
  /** The row's number in the file, counting from 1 (header and empty lines included). */
  row: number;
  cells: string[];
}

const isXlsx = (body: Buffer, contentType: string) =>
  contentType.includes("spreadsheetml") ||
  (body[0] === 0x50 && body[1] === 0x4b && body[2] === 0x03 && body[3] === 0x04);

/** CSV bytes to text: UTF-8 (a BOM is dropped), else GBK, else a 400 saying what to send. */
export function decodeCsv(body: Buffer): { text: string; encoding: "utf-8" | "gbk" } {
  const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
  try {
    return {
      text: new TextDecoder("utf-8", { fatal: true }).decode(bom ? body.subarray(3) : body),
      encoding: "utf-8",
    };
  } catch {}
  try {
    // GB18030 is a superset of GBK, which is what Excel saves as "CSV" in Chinese Windows.
    return { text: new TextDecoder("gb18030", { fatal: true }).decode(body), encoding: "gbk" };
  } catch {}
  throw new AppError(
    "InvalidParameterValue.RecipientFile",
    "The CSV is neither UTF-8 nor GBK text; save it as “CSV UTF-8” (or XLSX) and upload again.",
  );
}

/** The rows of an upload, in order. Empty lines are skipped (they keep their row numbers). */
export async function* readRows(body: Buffer, contentType: string): AsyncGenerator<RawRow> {
  if (isXlsx(body, contentType)) {
    if (body.length > MAX_XLSX_BYTES) throw tooLarge(body.length);
    yield* readXlsx(body);
    return;
  }
  if (body.length > MAX_CSV_BYTES) throw tooLarge(body.length);
  const { text } = decodeCsv(body);
  const parser = parse({
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    info: true,
  });
  // Fed in slices so the parser's buffers stay small whatever the file's size.
  Readable.from(slices(text, 64 * 1024)).pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (record.every((c) => c === "")) continue;
      yield { row: info.lines, cells: record };
    }
  } catch (err) {
    throw new AppError(
      "InvalidParameterValue.RecipientFile",
      `The CSV cannot be read: ${(err as Error).message}. Quote cells that contain commas, quotes or line breaks.`,
    );
  }
}

function* slices(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

function tooLarge(bytes: number) {
  return new AppError(
    "LimitExceeded.RecipientFileSize",
    `This call carries ${(bytes / 1024 / 1024).toFixed(1)} MB; send at most 5 MB of CSV (4 MB of XLSX) per call and call again to append the rest (the CLI splits files for you).`,
  );
}

async function* readXlsx(body: Buffer): AsyncGenerator<RawRow> {
  // read-excel-file: 74 KB bundled against 371 KB (@e965/xlsx) and 1.1 MB (exceljs);
  // docs/performance.md "Recipient files". Loaded only when an XLSX arrives.
  const { readSheet } = await import("read-excel-file/node");
  let data: unknown[][];
  try {
    data = await readSheet(body, { parseNumber: (s: string) => s });
  } catch (err) {
    throw new AppError(
      "InvalidParameterValue.RecipientFile",
      `The XLSX cannot be read (${(err as Error).message}); save it again from Excel or upload CSV.`,
    );
  }
  for (const [i, cells] of data.entries()) {
    const strings = cells.map((c) => (c === null || c === undefined ? "" : String(c).trim()));
    if (strings.every((c) => c === "")) continue;
    yield { row: i + 1, cells: strings };
  }
}

/** A first row naming its columns rather than carrying a number: no digit in its first cell. */
export const isHeader = (r: RawRow) => r.row === 1 && !/\d/.test(r.cells[0] ?? "");

/** Excel turns "+8613800138000" into 8613800138000; take it back as E.164. */
export function phoneOfCell(cell: string): Phone | null {
  const raw = cell.replace(/[\s\-()]/g, "");
  return parsePhone(/^86\d{11}$/.test(raw) ? `+${raw}` : raw);
}

export type RowVerdict =
  | { ok: true; phone: Phone; params: string[]; segments: number }
  | { ok: false; code: ErrorCode; message: string };

/**
 * One row against the campaign's template: the number, the region, the params (the row's
 * own, or the campaign's shared ones when the row has none), the variable rules.
 */
export function checkRow(
  cells: string[],
  template: Template,
  sign: string | undefined,
  shared: string[] | undefined,
): RowVerdict {
  const phone = phoneOfCell(cells[0] ?? "");
  if (!phone)
    return {
      ok: false,
      code: "InvalidParameterValue.IncorrectPhoneNumber",
      message: `"${cells[0] ?? ""}" is not a valid number; use E.164 (+8613800138000) or an 11-digit mainland number.`,
    };
  if (phone.mainland && template.region === "international")
    return {
      ok: false,
      code: "UnsupportedOperation.GlobalTemplateToChineseMainlandPhone",
      message: "This template is international; the number is in mainland China.",
    };
  if (!phone.mainland && template.region === "domestic")
    return {
      ok: false,
      code: "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone",
      message: "This template is for mainland China; the number is not.",
    };
  // Trailing empty cells are what spreadsheets leave behind, not variables.
  const own = cells.slice(1);
  while (own.length > template.variables && own[own.length - 1] === "") own.pop();
  const params = own.length === 0 && shared ? shared : own;
  const broken = checkParams(template.kind, template.variables, params);
  if (broken)
    return {
      ok: false,
      code: broken.code,
      message:
        broken.code === "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"
          ? `The row has ${params.length} variable column(s); the template needs ${template.variables} after the number.`
          : broken.message.replace(/^params\[(\d+)\]/, (_, i) => `Column ${Number(i) + 2}`),
    };
  const text = withSignature(render(template.body, params), sign, template.region);
  return { ok: true, phone, params, segments: segments(text, template.region) };
}
