// smsgate groups: customer groups to send campaigns to (docs/api.md "Campaigns and customer
// groups"): create, import members from a file or the command line, list, remove, delete.
import { readFileSync, statSync } from "node:fs";
import { action, fields, table, UsageError } from "../runtime.mjs";
import { csvParts, PART_BYTES, progress } from "./campaigns.mjs";

export function register(program) {
  const groups = program
    .command("groups")
    .description("customer groups: create, add, members, remove, delete");

  groups
    .command("list", { isDefault: true })
    .description("the app's groups and their member counts")
    .action(
      action(async (ctx) => {
        const data = await ctx.api("GET", "/v1/groups");
        ctx.print(data, () => table(data.groups, ["id", "name", "members", "createdAt"]));
      }),
    );

  groups
    .command("create")
    .description("a new, empty group")
    .argument("<name>", "what to call it")
    .action(
      action(async (ctx, _opts, name) => {
        const g = await ctx.api("POST", "/v1/groups", { body: { name } });
        ctx.print(g, () => fields(g));
      }),
    );

  groups
    .command("add")
    .description("add members: numbers as arguments (≤ 100), or --file (CSV or XLSX)")
    .argument("<id>", "the group")
    .argument("[phones...]", "numbers")
    .option("--file <path>", "a CSV or XLSX whose first column is the number")
    .action(
      action(async (ctx, opts, id, phones) => {
        const path = `/v1/groups/${encodeURIComponent(id)}/members`;
        let out;
        if (opts.file) {
          const size = statSync(opts.file).size;
          const xlsx = opts.file.toLowerCase().endsWith(".xlsx");
          if (xlsx && size > PART_BYTES)
            throw new UsageError(
              "an XLSX file cannot be split: save it as CSV to upload more than 2 MB",
            );
          // A CSV is read as a stream, a part at a time (memory does not follow the file).
          const parts = xlsx
            ? [{ bytes: readFileSync(opts.file), linesBefore: 0 }]
            : csvParts(opts.file);
          out = { accepted: 0, rejected: [], members: 0 };
          let sent = 0;
          for await (const part of parts) {
            const r = await ctx.api("POST", path, {
              raw: part.bytes,
              contentType: xlsx
                ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                : "text/csv",
            });
            out.accepted += r.accepted;
            out.rejected.push(...r.rejected.map((x) => ({ ...x, row: x.row + part.linesBefore })));
            out.members = r.members;
            sent += part.bytes.length;
            if (!ctx.json) progress("uploading", sent, size);
          }
        } else {
          if (!phones.length) throw new UsageError("give numbers, or --file");
          out = await ctx.api("POST", path, { body: { phones } });
        }
        ctx.print(out, () => {
          console.log(`added ${out.accepted}; the group has ${out.members}`);
          if (out.rejected.length) table(out.rejected, ["row", "code", "message"]);
        });
      }),
    );

  groups
    .command("members")
    .description("a group's members")
    .argument("<id>", "the group")
    .option("--cursor <cursor>", "the page after the one that printed it")
    .action(
      action(async (ctx, opts, id) => {
        const data = await ctx.api("GET", `/v1/groups/${encodeURIComponent(id)}/members`, {
          query: { cursor: opts.cursor },
        });
        ctx.print(data, () => {
          for (const p of data.members) console.log(p);
          if (data.cursor) console.log(`\nmore: --cursor ${data.cursor}`);
        });
      }),
    );

  groups
    .command("remove")
    .description("remove one member")
    .argument("<id>", "the group")
    .argument("<phone>", "the number")
    .action(
      action(async (ctx, _opts, id, phone) => {
        await ctx.api(
          "DELETE",
          `/v1/groups/${encodeURIComponent(id)}/members/${encodeURIComponent(phone)}`,
        );
        ctx.print({ removed: phone }, () => console.log(`${phone} removed`));
      }),
    );

  groups
    .command("delete")
    .description("delete the group and its members")
    .argument("<id>", "the group")
    .action(
      action(async (ctx, _opts, id) => {
        await ctx.api("DELETE", `/v1/groups/${encodeURIComponent(id)}`);
        ctx.print({ deleted: id }, () => console.log(`group ${id} deleted`));
      }),
    );
}
