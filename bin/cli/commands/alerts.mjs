// smsgate alerts: the app's alert history (what fired, when, who was texted).
import { action, table } from "../runtime.mjs";

export function register(program) {
  const alerts = program.command("alerts").description("alert history: list");

  alerts
    .command("list", { isDefault: true })
    .description("what fired, when, and who was texted (newest first)")
    .action(
      action(async (ctx) => {
        const data = await ctx.api("GET", ctx.appPath("/alerts"));
        ctx.print(data, () =>
          table(data.alerts, [
            "at",
            "event",
            "subject",
            "value",
            [
              "sent",
              (a) => (a.sent ?? []).map((s) => `${s.contact}:${s.status}`).join(" ") || "(nobody)",
            ],
          ]),
        );
      }),
    );
}
