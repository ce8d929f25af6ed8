// smsgate campaigns: bulk sends from CSV/XLSX (docs/api.md "Campaigns and customer groups").
// Files larger than one call takes are split at line boundaries and uploaded part by part,
// with a progress bar; `start --wait` and `show --watch` draw one while the campaign runs.
import { readFileSync } from "node:fs";
import { action, fields, table, UsageError, wholeNumber } from "../runtime.mjs";

/** Under the API's 5 MB a call, and well inside its 30 s (docs/performance.md). */
export const PART_BYTES = 2 * 1024 * 1024;
const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/**
 * A CSV's bytes in parts of at most `max` bytes, cut after a line break; the header row
 * (a first row with no digit in its first cell) only in the first part. Each part says how
 * many lines came before it, to give rejected rows their line in the whole file.
 */
export function splitCsv(bytes, max = PART_BYTES) {
  const parts = [];
  let start = 0;
  let linesBefore = 0;
  const countLines = (buf) => {
    let n = 0;
    for (const b of buf) if (b === 0x0a) n++;
    return n;
  };
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + max);
    if (end < bytes.length) {
      const nl = bytes.lastIndexOf(0x0a, end - 1);
      if (nl <= start) throw new UsageError("a line of the file is longer than one upload part");
      end = nl + 1;
    }
    const part = bytes.subarray(start, end);
    parts.push({ bytes: part, linesBefore });
    linesBefore += countLines(part);
    start = end;
  }
  return parts;
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
  const bytes = readFileSync(file);
  const xlsx = file.toLowerCase().endsWith(".xlsx") || (bytes[0] === 0x50 && bytes[1] === 0x4b);
  if (xlsx && bytes.length > PART_BYTES)
    throw new UsageError(
      "an XLSX file cannot be split: save it as CSV UTF-8 to upload more than 2 MB",
    );
  const parts = xlsx ? [{ bytes, linesBefore: 0 }] : splitCsv(bytes);
  const answer = { accepted: 0, rejected: [], rejectedCount: 0, total: 0, estimate: undefined };
  let sent = 0;
  for (const part of parts) {
    const r = await ctx.api("POST", `/v1/campaigns/${encodeURIComponent(id)}/recipients`, {
      raw: part.bytes,
      contentType: xlsx ? XLSX_TYPE : "text/csv",
    });
    answer.accepted += r.accepted;
    answer.rejectedCount += r.rejectedCount ?? r.rejected.length;
    answer.rejected.push(...r.rejected.map((x) => ({ ...x, row: x.row + part.linesBefore })));
    answer.total = r.total;
    answer.estimate = r.estimate;
    sent += part.bytes.length;
    if (!ctx.json) progress("uploading", sent, bytes.length);
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
