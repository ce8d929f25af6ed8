// smsgate contacts: who the alerts text (≤ 5 per app).
import { action, splitList, table } from "../runtime.mjs";

const EVENTS = "overVolume, limitReached, packageBalance, antiFraud, frequencyLimit";

export function register(program) {
  const contacts = program.command("contacts").description("alert contacts: list, put, remove");

  contacts
    .command("list", { isDefault: true })
    .description("the app's alert contacts")
    .action(
      action(async (ctx) => {
        const data = await ctx.api("GET", ctx.appPath("/contacts"));
        ctx.print(data, () => table(data.contacts, ["id", "name", "phone", "email", "events"]));
      }),
    );

  contacts
    .command("put")
    .description("add or replace an alert contact (≤ 5)")
    .argument("<id>", "your name for the contact (letters, digits, '_', '-')")
    .requiredOption("--name <name>", "the contact's name")
    .requiredOption("--phone <phone>", "the number alerts are texted to")
    .requiredOption("--events <events>", `comma list of ${EVENTS}`)
    .option("--email <email>", "an email address (kept with the contact)")
    .action(
      action(async (ctx, opts, id) => {
        const contact = await ctx.api("PUT", ctx.appPath(`/contacts/${encodeURIComponent(id)}`), {
          body: {
            name: opts.name,
            phone: opts.phone,
            events: splitList(opts.events),
            ...(opts.email ? { email: opts.email } : {}),
          },
        });
        ctx.print(contact, () => console.log(`contact ${id} saved`));
      }),
    );

  contacts
    .command("remove")
    .description("remove an alert contact")
    .argument("<id>", "the contact's id")
    .action(
      action(async (ctx, _opts, id) => {
        await ctx.api("DELETE", ctx.appPath(`/contacts/${encodeURIComponent(id)}`));
        ctx.print({ removed: id }, () => console.log(`contact ${id} removed`));
      }),
    );
}
