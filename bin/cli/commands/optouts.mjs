// smsgate optouts: opted-out numbers per app and signature; add (with consent), show,
// remove (audited), and import a file of numbers.
import {
  action,
  CliError,
  fields,
  getPages,
  moreHint,
  readText,
  table,
  UsageError,
  wholeNumber,
} from "../runtime.mjs";

export const MAX_IMPORT = 1000;

const phonePath = (ctx, phone) => ctx.appPath(`/opt-outs/${encodeURIComponent(phone)}`);

/** One CSV line's cells ("a","b ""c""",d). */
function csvCells(line) {
  const cells = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === "," || ch === ";" || ch === "\t") {
      cells.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

const HEADER =
  /^(phone|phones|number|numbers|mobile|msisdn|tel|telephone|phone[ _-]?number|手机号|号码)$/i;

/**
 * The numbers in a file: one per line, or CSV (the column headed phone/number/mobile/…,
 * else the first). Blank lines and # comments are skipped; repeats are dropped.
 */
export function numbersIn(text) {
  const rows = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map(csvCells);
  if (rows.length === 0) return [];
  let column = 0;
  const head = rows[0];
  const named = head.findIndex((c) => HEADER.test(c));
  if (named >= 0) {
    column = named;
    rows.shift();
  } else if (!/\d/.test(head[0] ?? "")) rows.shift(); // a header without a known name
  return [...new Set(rows.map((r) => r[column] ?? "").filter(Boolean))];
}

/** Per-number refusals (400s) are reported and the import goes on; anything else stops it. */
const perNumber = (err) => err?.status === 400 || err?.code?.startsWith?.("LimitExceeded");

export function register(program) {
  const optouts = program
    .command("optouts")
    .alias("opt-outs")
    .description("opted-out numbers: list, add, show, remove, import");

  optouts
    .command("list", { isDefault: true })
    .description("opted-out numbers and why (manual, or a reply)")
    .option("--limit <n>", "numbers per page (1–500, default 100)", wholeNumber)
    .option("--cursor <cursor>", "the page after the one that printed it")
    .option("--all", "follow the cursor to the end")
    .action(
      action(async (ctx, opts) => {
        const data = await getPages(
          ctx,
          ctx.appPath("/opt-outs"),
          { limit: opts.limit, cursor: opts.cursor },
          "optOuts",
          opts.all,
        );
        ctx.print(data, () => {
          table(
            data.optOuts.flatMap((x) => x.optOuts.map((e) => ({ phone: x.phone, ...e }))),
            ["phone", "sign", "reason", "at", "detail"],
          );
          moreHint(data);
        });
      }),
    );

  optouts
    .command("add")
    .description("opt a number out; only with its owner's stated consent")
    .argument("<phone>", "E.164 or 11-digit mainland number")
    .option("--consent", "the number's owner asked for it (required)")
    .option("--sign <sign>", "only this signature (default: every signature)")
    .option("--note <text>", "kept in the audit trail")
    .action(
      action(async (ctx, opts, phone) => {
        if (!opts.consent)
          throw new UsageError("optouts add needs --consent (the number's owner asked for it)");
        const entry = await ctx.api("POST", ctx.appPath("/opt-outs"), {
          body: {
            phone,
            consent: true,
            ...(opts.sign ? { sign: opts.sign } : {}),
            ...(opts.note ? { note: opts.note } : {}),
          },
        });
        ctx.print(entry, () =>
          console.log(
            `${entry.phone} opted out (${entry.sign === "*" ? "every signature" : entry.sign})`,
          ),
        );
      }),
    );

  optouts
    .command("show")
    .description("a number's opt-outs and their audit trail")
    .argument("<phone>", "the number")
    .action(
      action(async (ctx, _opts, phone) => {
        const data = await ctx.api("GET", phonePath(ctx, phone));
        ctx.print(data, () => {
          fields({ phone: data.phone, optedOut: data.optOuts.length > 0 });
          console.log("\nopt-outs:");
          table(data.optOuts, ["sign", "reason", "at", "detail"]);
          console.log("\naudit:");
          table(data.audit, ["at", "action", "sign", "reason", ["by", (a) => a.by ?? a.detail]]);
        });
      }),
    );

  optouts
    .command("remove")
    .description("opt a number back in (explicit and audited)")
    .argument("<phone>", "the number")
    .option("--sign <sign>", "only this signature's opt-out (default: all of them)")
    .action(
      action(async (ctx, opts, phone) => {
        await ctx.api("DELETE", phonePath(ctx, phone), { query: { sign: opts.sign } });
        ctx.print({ removed: phone, sign: opts.sign ?? null }, () =>
          console.log(`${phone} opted back in${opts.sign ? ` (${opts.sign})` : ""}`),
        );
      }),
    );

  optouts
    .command("import")
    .description(`opt out every number in a file (≤ 1,000), one call each`)
    .argument("<file>", "one number per line, or CSV with a phone column (- for standard input)")
    .option("--consent", "each number's owner asked for it (required)")
    .option("--sign <sign>", "only this signature (default: every signature)")
    .option("--note <text>", "kept in each audit trail")
    .option("--dry-run", "list the numbers the file holds; change nothing")
    .addHelpText(
      "after",
      `
Progress goes to stderr; the summary, and each number refused with its code, to stdout.
A number the API refuses (bad number, the 1,000 manual opt-outs cap) does not stop the
import; an authentication or network failure does. Exits 1 if any number failed.`,
    )
    .action(
      action(async (ctx, opts, file) => {
        const phones = numbersIn(readText(file));
        if (phones.length === 0) throw new UsageError(`${file} holds no numbers`);
        if (phones.length > MAX_IMPORT)
          throw new UsageError(
            `${file} holds ${phones.length} numbers; import at most 1,000 at a time`,
          );
        if (opts.dryRun) {
          ctx.print({ dryRun: true, phones }, () => {
            for (const p of phones) console.log(p);
            console.log(`${phones.length} numbers; nothing changed (dry run)`);
          });
          return;
        }
        if (!opts.consent)
          throw new UsageError("optouts import needs --consent (each number's owner asked for it)");
        const tty = process.stderr.isTTY;
        const optedOut = [];
        const failed = [];
        const progress = (done) => {
          const text = `opt-outs ${done}/${phones.length}: ${optedOut.length} opted out, ${failed.length} failed`;
          if (tty) process.stderr.write(`\r${text}${done === phones.length ? "\n" : ""}`);
          else if (done % 100 === 0 || done === phones.length) process.stderr.write(`${text}\n`);
        };
        for (const [i, phone] of phones.entries()) {
          try {
            optedOut.push(
              await ctx.api("POST", ctx.appPath("/opt-outs"), {
                body: {
                  phone,
                  consent: true,
                  ...(opts.sign ? { sign: opts.sign } : {}),
                  ...(opts.note ? { note: opts.note } : {}),
                },
              }),
            );
          } catch (err) {
            if (!perNumber(err)) {
              if (tty) process.stderr.write("\n");
              const msg = `stopped after ${i} of ${phones.length} (${optedOut.length} opted out)`;
              if (err instanceof CliError) throw new CliError(`${err.message}; ${msg}`);
              err.message = `${err.message} (${msg})`;
              throw err;
            }
            failed.push({ phone, code: err.code, message: err.message });
          }
          progress(i + 1);
        }
        ctx.print({ total: phones.length, optedOut, failed }, () => {
          console.log(`${optedOut.length} of ${phones.length} numbers opted out`);
          if (failed.length) {
            console.log(`${failed.length} failed:`);
            table(failed, ["phone", "code", "message"]);
          }
        });
        if (failed.length)
          throw new CliError(`${failed.length} of ${phones.length} numbers failed (listed above)`);
      }),
    );
}
