// smsgate messages: one number's records (paged), one record with its history.
import { action, fields, getPages, moreHint, table, wholeNumber } from "../runtime.mjs";

export function register(program) {
  const messages = program.command("messages").description("message records: list, show");

  messages
    .command("list", { isDefault: true })
    .description("one number's records, newest first")
    .requiredOption("--phone <phone>", "the number")
    .option("--from <time>", "from this date or ISO time")
    .option("--to <time>", "up to this date or ISO time")
    .option("--limit <n>", "records per page (1–100, default 20)", wholeNumber)
    .option("--cursor <cursor>", "the page after the one that printed it")
    .option("--all", "follow the cursor to the end")
    .action(
      action(async (ctx, opts) => {
        const data = await getPages(
          ctx,
          "/v1/messages",
          {
            phone: opts.phone,
            from: opts.from,
            to: opts.to,
            limit: opts.limit ?? (opts.all ? 100 : undefined),
            cursor: opts.cursor,
            appId: ctx.app,
          },
          "messages",
          opts.all,
        );
        ctx.print(data, () => {
          table(data.messages, [
            "createdAt",
            "id",
            "template",
            "status",
            "code",
            "segments",
            "carrierCode",
          ]);
          moreHint(data);
        });
      }),
    );

  messages
    .command("show")
    .description("one message record: status, carrier code, provider, history")
    .argument("<id>", "the message id (from send or messages list)")
    .action(
      action(async (ctx, _opts, id) => {
        const data = await ctx.api("GET", `/v1/messages/${encodeURIComponent(id)}`);
        ctx.print(data, () => {
          const { history, ...record } = data;
          fields(record);
          console.log("\nhistory:");
          table(history ?? [], ["at", "status", "code"]);
        });
      }),
    );
}
