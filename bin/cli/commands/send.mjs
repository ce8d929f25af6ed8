// smsgate send: one templated message to 1–200 numbers.
import { Option } from "commander";
import { action, collectList, parseJson, splitList, table, UsageError } from "../runtime.mjs";

export function register(program) {
  // --param and --params add to one list in command-line order; --params-json replaces both.
  const params = [];
  program
    .command("send")
    .description("send a templated SMS to 1–200 numbers (an app key with scope send)")
    .requiredOption("--to <numbers>", "a number, or a comma list; repeatable", collectList)
    .requiredOption("--template <id>", "the template's id")
    .option(
      "--param <value>",
      "the next template parameter, verbatim (commas too); repeatable",
      (v) => {
        params.push(v);
        return true;
      },
    )
    .option(
      "--params <a,b,…>",
      "parameters as a comma list (trimmed; no commas inside one)",
      (v) => {
        params.push(...splitList(v));
        return true;
      },
    )
    .addOption(
      new Option("--params-json <json>", 'parameters as a JSON array: \'["a,b","c"]\'').conflicts([
        "param",
        "params",
      ]),
    )
    .option("--sign <sign>", "the signature (default: the app's default signature)")
    .option("--context <text>", "your own reference, kept on each record (≤ 256 characters)")
    .option("--dry-run", "check every rule and answer allowed/rejected; send and reserve nothing")
    .option("--idempotency-key <key>", "a retry with the same key gets the first answer")
    .addHelpText(
      "after",
      `
  smsgate send --to +8613800138000 --template login-code --params 482913,5
  smsgate send --to 13800138000,13800138001 --template order-shipped \\
      --param 'SO-1,2' --param '明天'
  smsgate send --to +8613800138000 --template order-shipped --params-json '["SO-1,2","明天"]'`,
    )
    .action(
      action(async (ctx, opts) => {
        let list = params;
        if (opts.paramsJson !== undefined) {
          list = parseJson(opts.paramsJson, "--params-json");
          if (!Array.isArray(list) || list.some((p) => p === null || typeof p === "object"))
            throw new UsageError('--params-json: give a JSON array of strings, e.g. ["a,b","c"]');
          list = list.map(String);
        }
        const to = opts.to.flatMap(splitList);
        const data = await ctx.api("POST", "/v1/messages", {
          body: {
            to,
            template: opts.template,
            params: list,
            ...(opts.sign ? { sign: opts.sign } : {}),
            ...(opts.context !== undefined ? { context: opts.context } : {}),
            ...(opts.dryRun ? { dryRun: true } : {}),
          },
          headers: opts.idempotencyKey ? { "idempotency-key": opts.idempotencyKey } : {},
        });
        ctx.print(data, () => {
          if (data.dryRun) console.log("dry run: nothing was sent or reserved");
          const columns = ["to", "status", "code", "segments", "id"];
          if (data.messages.some((m) => m.message)) columns.push("message");
          table(data.messages, columns);
        });
      }),
    );
}
