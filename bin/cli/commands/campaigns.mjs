// smsgate campaigns: bulk sends from CSV/XLSX (docs/api.md "Campaigns and customer groups").
// Files larger than one call takes are split at line boundaries and uploaded part by part,
// with a progress bar; `start --wait` and `show --watch` draw one while the campaign runs.
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from "node:fs";
import { action, CliError, fields, table, UsageError, wholeNumber } from "../runtime.mjs";

/** Under the API's 5 MB a call, and well inside its 30 s (docs/performance.md). */
export const PART_BYTES = 2 * 1024 * 1024;
const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/**
 * A CSV file in parts of at most `max` bytes, cut after a line break, read as a stream: at most
 * one part and one read block are held, whatever the file's size. Each part says how many lines
 * came before it, to give rejected rows their line in the whole file; the server skips a header
 * row, which can only be in the first part.
 */
export async function* csvParts(file, max = PART_BYTES) {
  let held = Buffer.alloc(0);
  let linesBefore = 0;
  const emit = (part) => {
    const out = { bytes: part, linesBefore };
    linesBefore += countLines(part);
    return out;
  };
  for await (const block of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    held = held.length ? Buffer.concat([held, block]) : block;
    while (held.length > max) {
      const nl = held.lastIndexOf(0x0a, max - 1);
      if (nl < 0) throw new UsageError("a line of the file is longer than one upload part");
      yield emit(held.subarray(0, nl + 1));
      held = Buffer.from(held.subarray(nl + 1));
    }
  }
  if (held.length) yield emit(held);
}

function countLines(buf) {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * How many rows a CSV file holds at most, read as a stream (memory stays flat): its lines with
 * a cell that is not empty, less a first line that is a header (no digit in its first cell),
 * as the server counts them. A quoted cell with a line break counts as two lines, so this is
 * an upper bound: rows the server would refuse (bad numbers, duplicates) are counted too.
 */
export async function countCsvRows(file) {
  let rows = 0;
  let line = 0;
  let filled = false; // the current line has a byte that is not a separator or blank
  let firstCell = true;
  let headerish = true; // the first line's first cell has no digit so far
  const endLine = () => {
    if (filled && !(line === 0 && headerish)) rows++;
    line++;
    filled = false;
    firstCell = true;
  };
  // One block read again and again: nothing is allocated per block, so memory stays flat.
  const block = Buffer.alloc(256 * 1024);
  const fd = openSync(file, "r");
  try {
    for (let n = readSync(fd, block); n > 0; n = readSync(fd, block)) {
      for (let i = 0; i < n; i++) {
        const b = block[i];
        if (b === 0x0a) endLine();
        else if (b === 0x2c) firstCell = false;
        else if (b !== 0x0d && b !== 0x20 && b !== 0x09 && b !== 0x22) {
          filled = true;
          if (line === 0 && firstCell && b >= 0x30 && b <= 0x39) headerish = false;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  if (filled) endLine();
  return rows;
}

/** A bar for `done` of `total`, redrawn in place on stderr when it is a terminal. */
export function progress(label, done, total) {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  const line = `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.round(ratio * 100)}% ${done.toLocaleString("en")}/${total.toLocaleString("en")}`;
  process.stderr.write(`\r${line}`);
}

const summary = (c) => ({
  id: c.id,
  name: c.name,
  status: c.pauseReason ? `${c.status} (${c.pauseReason})` : c.status,
  template: c.template,
  total: c.total,
  segments: c.estimate?.segments,
  ...c.counts,
  sendAt: c.sendAt,
  startedAt: c.startedAt,
  completedAt: c.completedAt,
});

async function upload(ctx, id, file) {
  const head = Buffer.alloc(4);
  const fd = openSync(file, "r");
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  const size = statSync(file).size;
  const xlsx = file.toLowerCase().endsWith(".xlsx") || (head[0] === 0x50 && head[1] === 0x4b);
  if (xlsx && size > PART_BYTES)
    throw new UsageError(
      "an XLSX file cannot be split: save it as CSV UTF-8 to upload more than 2 MB",
    );
  const path = `/v1/campaigns/${encodeURIComponent(id)}`;
  if (!xlsx) {
    // Counted before anything is sent, so a file the campaign cannot hold uploads no part
    // (the server refuses such a part on its own too, but the parts before it would stay).
    const [rows, c] = await Promise.all([countCsvRows(file), ctx.api("GET", path)]);
    if (typeof c.maxRecipients === "number") {
      const room = Math.max(0, c.maxRecipients - c.total);
      if (rows > room)
        throw new CliError(
          `${file} has ${rows.toLocaleString("en")} rows; the campaign holds ${c.total.toLocaleString("en")} of at most ${c.maxRecipients.toLocaleString("en")} recipients, room for ${room.toLocaleString("en")}. Nothing was uploaded: split the file into several campaigns, or ask the operator to raise the app's ceilings.campaignRecipients (at most 1,000,000).`,
        );
    }
  }
  const parts = xlsx ? [{ bytes: readFileSync(file), linesBefore: 0 }] : csvParts(file);
  const answer = { accepted: 0, rejected: [], rejectedCount: 0, total: 0, estimate: undefined };
  let sent = 0;
  for await (const part of parts) {
    const r = await ctx.api("POST", `${path}/recipients`, {
      raw: part.bytes,
      contentType: xlsx ? XLSX_TYPE : "text/csv",
    });
    answer.accepted += r.accepted;
    answer.rejectedCount += r.rejectedCount ?? r.rejected.length;
    answer.rejected.push(...r.rejected.map((x) => ({ ...x, row: x.row + part.linesBefore })));
    answer.total = r.total;
    answer.estimate = r.estimate;
    sent += part.bytes.length;
    if (!ctx.json) progress("uploading", sent, size);
  }
  if (!ctx.json && process.stderr.isTTY) process.stderr.write("\n");
  return answer;
}

async function watch(ctx, id, everyMs = 1000) {
  for (;;) {
    const c = await ctx.api("GET", `/v1/campaigns/${encodeURIComponent(id)}`);
    const done = c.total - (c.counts?.pending ?? 0);
    if (!ctx.json) progress(c.status, done, c.total);
    if (["completed", "cancelled"].includes(c.status)) {
      if (!ctx.json && process.stderr.isTTY) process.stderr.write("\n");
      return c;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function register(program) {
  const campaigns = program
    .command("campaigns")
    .description("bulk sends: create, upload, start, pause, resume, cancel, show, results");

  campaigns
    .command("list", { isDefault: true })
    .description("the app's campaigns, newest first")
    .action(
      action(async (ctx) => {
        const data = await ctx.api("GET", "/v1/campaigns");
        ctx.print(data, () =>
          table(data.campaigns.map(summary), [
            "id",
            "name",
            "status",
            "total",
            "submitted",
            "pending",
          ]),
        );
      }),
    );

  campaigns
    .command("create")
    .description("a draft campaign: one template, recipients uploaded next (or a group's members)")
    .requiredOption("--name <name>", "what to call it")
    .requiredOption("--template <id>", "the app's template")
    .option("--sign <sign>", "signature (default: the app's)")
    .option("--group <id>", "send to this group's members")
    .option("--param <value>", "shared params for a group (repeat, in order)", (v, p = []) => [
      ...p,
      v,
    ])
    .option("--send-at <iso>", "when to send (ISO time); now if absent")
    .option("--file <path>", "upload this CSV or XLSX right away")
    .action(
      action(async (ctx, opts) => {
        const c = await ctx.api("POST", "/v1/campaigns", {
          body: {
            name: opts.name,
            template: opts.template,
            ...(opts.sign ? { sign: opts.sign } : {}),
            ...(opts.group ? { group: opts.group } : {}),
            ...(opts.param ? { params: opts.param } : {}),
            ...(opts.sendAt ? { sendAt: opts.sendAt } : {}),
          },
        });
        const uploaded = opts.file ? await upload(ctx, c.id, opts.file) : undefined;
        ctx.print({ ...c, ...(uploaded ? { upload: uploaded } : {}) }, () => {
          fields(summary(c));
          if (uploaded) printUpload(uploaded);
        });
      }),
    );

  campaigns
    .command("upload")
    .description(
      "append recipients from a CSV or XLSX: number, then {1}…{n}; split into parts as needed",
    )
    .argument("<id>", "the campaign")
    .argument("<file>", "CSV (UTF-8 or GBK) or XLSX")
    .action(
      action(async (ctx, _opts, id, file) => {
        const r = await upload(ctx, id, file);
        ctx.print(r, () => printUpload(r));
      }),
    );

  for (const [verb, what] of [
    ["pause", "pause: chunks in flight finish, no other starts"],
    ["resume", "resume a paused campaign"],
    ["cancel", "cancel: rows not sent yet are never sent"],
  ])
    campaigns
      .command(verb)
      .description(what)
      .argument("<id>", "the campaign")
      .action(
        action(async (ctx, _opts, id) => {
          const c = await ctx.api("POST", `/v1/campaigns/${encodeURIComponent(id)}/${verb}`, {
            body: {},
          });
          ctx.print(c, () => fields(summary(c)));
        }),
      );

  campaigns
    .command("start")
    .description("start now or at --send-at; refused (409) when the estimate exceeds the balance")
    .argument("<id>", "the campaign")
    .option("--send-at <iso>", "when to send (ISO time)")
    .option("--wait", "show progress until it completes")
    .action(
      action(async (ctx, opts, id) => {
        let c = await ctx.api("POST", `/v1/campaigns/${encodeURIComponent(id)}/start`, {
          body: opts.sendAt ? { sendAt: opts.sendAt } : {},
        });
        if (opts.wait) c = await watch(ctx, id);
        ctx.print(c, () => fields(summary(c)));
      }),
    );

  campaigns
    .command("show")
    .description("status, counts and times")
    .argument("<id>", "the campaign")
    .option("--watch", "show progress until it completes or is cancelled")
    .action(
      action(async (ctx, opts, id) => {
        const c = opts.watch
          ? await watch(ctx, id)
          : await ctx.api("GET", `/v1/campaigns/${encodeURIComponent(id)}`);
        ctx.print(c, () => fields(summary(c)));
      }),
    );

  campaigns
    .command("results")
    .description("per-row results (--csv for the CSV file)")
    .argument("<id>", "the campaign")
    .option("--status <status>", "pending, submitted, rejected, failed or unknown")
    .option("--limit <n>", "rows per page (1–1000)", wholeNumber)
    .option("--cursor <cursor>", "the page after the one that printed it")
    .option("--all", "follow the cursor to the end")
    .option("--csv", "print CSV")
    .action(
      action(async (ctx, opts, id) => {
        const rows = [];
        let cursor = opts.cursor;
        do {
          const page = await ctx.api("GET", `/v1/campaigns/${encodeURIComponent(id)}/recipients`, {
            query: { status: opts.status, limit: opts.limit, cursor },
          });
          rows.push(...page.recipients);
          cursor = page.cursor;
        } while (opts.all && cursor);
        if (opts.csv) {
          const cell = (v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
          console.log("row,to,status,code,messageId,params");
          for (const r of rows)
            console.log(
              [String(r.row), r.to, r.status, r.code ?? "", r.messageId ?? "", r.params.join("|")]
                .map(cell)
                .join(","),
            );
          return;
        }
        ctx.print({ recipients: rows, cursor }, () => {
          table(rows, ["row", "to", "status", "code", "messageId"]);
          if (cursor) console.log(`\nmore: --cursor ${cursor}`);
        });
      }),
    );
}

function printUpload(r) {
  console.log(
    `accepted ${r.accepted}, rejected ${r.rejectedCount}; the campaign holds ${r.total} (${r.estimate?.segments ?? 0} segments)`,
  );
  if (r.rejected.length) table(r.rejected, ["row", "code", "message"]);
}
