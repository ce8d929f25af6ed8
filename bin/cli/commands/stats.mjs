// smsgate stats: counts and rates by day, template or country, from counters.
import { Option } from "commander";
import { action, percent, table } from "../runtime.mjs";

export function register(program) {
  program
    .command("stats")
    .description("requests, outcomes, segments and rates for a date range")
    .requiredOption("--from <date>", "first day, YYYY-MM-DD (the app's time zone)")
    .requiredOption("--to <date>", "last day, YYYY-MM-DD")
    .addOption(
      new Option("--group-by <group>", "one row per")
        .choices(["day", "template", "country"])
        .default("day"),
    )
    .action(
      action(async (ctx, opts) => {
        const groupBy = opts.groupBy;
        const data = await ctx.api("GET", "/v1/stats", {
          query: { from: opts.from, to: opts.to, groupBy, appId: ctx.app },
        });
        ctx.print(data, () => {
          const rows = [...data.groups, { ...data.total, [groupBy]: "total" }].map((g) => ({
            ...g,
            successRate: percent(g.successRate),
            receiptRate: percent(g.receiptRate),
            deliveryRate: percent(g.deliveryRate),
            failures: Object.entries(g.failures ?? {})
              .map(([code, n]) => `${code}×${n}`)
              .join(" "),
          }));
          table(rows, [
            groupBy,
            "requests",
            "submitted",
            "rejected",
            "failed",
            "segments",
            "successRate",
            "delivered",
            "undelivered",
            "receiptRate",
            "deliveryRate",
            "unknown",
            "unreported",
            "failures",
          ]);
          const carriers = Object.entries(data.carrierCodes ?? {});
          if (carriers.length)
            console.log(`carrier codes: ${carriers.map(([c, n]) => `${c}×${n}`).join(" ")}`);
        });
      }),
    );
}
