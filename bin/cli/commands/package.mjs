// smsgate package: the prepaid balance in segments (domestic, international).
import {
  action,
  collectList,
  parseJson,
  readText,
  table,
  UsageError,
  wholeNumber,
} from "../runtime.mjs";

export function register(program) {
  const pkg = program.command("package").description("prepaid package: show, set");

  pkg
    .command("show", { isDefault: true })
    .description("purchased and remaining segments, and when alerts fire")
    .action(
      action(async (ctx) => {
        const data = await ctx.api("GET", ctx.appPath("/package"));
        ctx.print(data, () => {
          const { domestic, international, setAt } = data.purchased ?? {};
          table(
            [
              {
                pool: "domestic",
                purchased: domestic?.segments,
                remaining: data.remaining?.domestic,
                alert:
                  domestic?.alertBelow === undefined ? undefined : `below ${domestic.alertBelow}`,
              },
              {
                pool: "international",
                purchased: international?.amount,
                remaining: data.remaining?.international,
                alert: international?.alertPercents?.length
                  ? `below ${international.alertPercents.map((p) => `${p}%`).join(", ")}`
                  : undefined,
              },
            ],
            ["pool", "purchased", "remaining", "alert"],
          );
          if (setAt) console.log(`set at ${setAt}`);
        });
      }),
    );

  pkg
    .command("set")
    .description("set the prepaid balances (a pool not named is left as it is)")
    .option("--domestic <segments>", "domestic segments purchased", wholeNumber)
    .option("--domestic-alert-below <segments>", "alert when fewer remain", wholeNumber)
    .option("--international <segments>", "international amount, in segments", wholeNumber)
    .option(
      "--international-alert-percents <list>",
      "alert below these percents of the amount (e.g. 15,5,1)",
      collectList,
    )
    .option("--file <package.json>", "the whole body from a JSON file")
    .addHelpText(
      "after",
      `
  smsgate package set --domestic 10000 --domestic-alert-below 100
  smsgate package set --international 500 --international-alert-percents 15,5,1`,
    )
    .action(
      action(async (ctx, opts) => {
        const body = opts.file ? parseJson(readText(opts.file), opts.file) : {};
        if (opts.domesticAlertBelow !== undefined && opts.domestic === undefined)
          throw new UsageError("--domestic-alert-below needs --domestic <segments>");
        if (opts.internationalAlertPercents && opts.international === undefined)
          throw new UsageError("--international-alert-percents needs --international <segments>");
        if (opts.domestic !== undefined || opts.domesticAlertBelow !== undefined)
          body.domestic = {
            segments: opts.domestic,
            ...(opts.domesticAlertBelow === undefined
              ? {}
              : { alertBelow: opts.domesticAlertBelow }),
          };
        if (opts.international !== undefined || opts.internationalAlertPercents)
          body.international = {
            amount: opts.international,
            ...(opts.internationalAlertPercents
              ? { alertPercents: opts.internationalAlertPercents.map(Number) }
              : {}),
          };
        if (Object.keys(body).length === 0)
          throw new UsageError("package set needs --domestic, --international or --file");
        const data = await ctx.api("PUT", ctx.appPath("/package"), { body });
        ctx.print(data, () =>
          console.log(
            `package set: domestic ${data.remaining?.domestic ?? "-"} remaining, international ${data.remaining?.international ?? "-"} remaining`,
          ),
        );
      }),
    );
}
