// smsgate replies: one number's replies (MO), newest first.
import { action, table, wholeNumber } from "../runtime.mjs";

export function register(program) {
  const replies = program.command("replies").description("replies from numbers: list");

  replies
    .command("list", { isDefault: true })
    .description("one number's replies, newest first")
    .requiredOption("--phone <phone>", "the number")
    .option("--from <time>", "from this date or ISO time")
    .option("--to <time>", "up to this date or ISO time")
    .option("--limit <n>", "at most this many (1–100, default 50)", wholeNumber)
    .action(
      action(async (ctx, opts) => {
        const data = await ctx.api("GET", "/v1/replies", {
          query: {
            phone: opts.phone,
            from: opts.from,
            to: opts.to,
            limit: opts.limit,
            appId: ctx.app,
          },
        });
        ctx.print(data, () =>
          table(data.replies, [
            "receivedAt",
            "phone",
            "sign",
            "text",
            "optedOut",
            "forward",
            "provider",
          ]),
        );
      }),
    );
}
