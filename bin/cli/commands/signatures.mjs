// smsgate signatures: the app's approved signatures; approve one.
import { action, table } from "../runtime.mjs";

export function register(program) {
  const signatures = program
    .command("signatures")
    .description("approved signatures (签名): list, put");

  signatures
    .command("list", { isDefault: true })
    .description("the app's approved signatures (from its configuration)")
    .action(
      action(async (ctx) => {
        const app = await ctx.api("GET", ctx.appPath());
        const rows = (app.signatures ?? []).map((sign) => ({
          sign,
          default: sign === app.defaultSign ? "yes" : "",
        }));
        ctx.print({ signatures: app.signatures ?? [], defaultSign: app.defaultSign ?? null }, () =>
          table(rows, ["sign", "default"]),
        );
      }),
    );

  signatures
    .command("put")
    .description("approve a signature (2–12 CJK characters, letters or digits)")
    .argument("<name>", "the signature as the vendors approved it")
    .action(
      action(async (ctx, _opts, name) => {
        const app = await ctx.api("PUT", ctx.appPath(`/signatures/${encodeURIComponent(name)}`));
        ctx.print(app, () =>
          console.log(
            `signature ${name} approved (approved: ${(app.signatures ?? []).join(", ")})`,
          ),
        );
      }),
    );
}
