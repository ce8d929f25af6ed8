// smsgate whitelist: numbers exempt from the frequency limits (≤ 300 per app).
import { action, table } from "../runtime.mjs";

const path = (ctx, phone) => ctx.appPath(`/whitelist/${encodeURIComponent(phone)}`);

export function register(program) {
  const whitelist = program
    .command("whitelist")
    .description("numbers exempt from frequency limits: list, add, remove");

  whitelist
    .command("list", { isDefault: true })
    .description("the whitelisted numbers")
    .action(
      action(async (ctx) => {
        const data = await ctx.api("GET", ctx.appPath("/whitelist"));
        ctx.print(data, () => table(data.whitelist, ["phone", "addedAt"]));
      }),
    );

  whitelist
    .command("add")
    .description("exempt numbers from the frequency limits (≤ 300 in all)")
    .argument("<phones...>", "E.164 or 11-digit mainland numbers")
    .action(
      action(async (ctx, _opts, phones) => {
        const added = [];
        for (const phone of phones) added.push(await ctx.api("PUT", path(ctx, phone)));
        ctx.print({ whitelist: added }, () => {
          for (const a of added) console.log(`${a.phone} whitelisted`);
        });
      }),
    );

  whitelist
    .command("remove")
    .description("remove numbers from the whitelist")
    .argument("<phones...>", "the numbers")
    .action(
      action(async (ctx, _opts, phones) => {
        for (const phone of phones) await ctx.api("DELETE", path(ctx, phone));
        ctx.print({ removed: phones }, () => {
          for (const phone of phones) console.log(`${phone} removed from the whitelist`);
        });
      }),
    );
}
