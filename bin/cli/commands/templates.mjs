// smsgate templates: list an app's templates, create or replace one.
import { Option } from "commander";
import { action, readText, table, UsageError } from "../runtime.mjs";

export function register(program) {
  const templates = program.command("templates").description("message templates: list, put");

  templates
    .command("list", { isDefault: true })
    .description("the app's templates")
    .action(
      action(async (ctx) => {
        const data = await ctx.api("GET", ctx.appPath("/templates"));
        ctx.print(data, () =>
          table(data.templates, [
            "id",
            "kind",
            "region",
            "variables",
            ["tencent", (t) => t.providerTemplateIds?.tencent],
            ["huawei", (t) => t.providerTemplateIds?.huawei],
            "body",
          ]),
        );
      }),
    );

  templates
    .command("put")
    .description("create or replace a template, with the vendors' approved template ids")
    .argument("<id>", "smsgate's name for it (letters, digits, '.', '_', '-')")
    .addOption(
      new Option("--kind <kind>", "template kind")
        .choices(["verification", "notification", "marketing"])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--region <region>", "where it may be sent")
        .choices(["domestic", "international"])
        .makeOptionMandatory(),
    )
    .option("--body <text>", "the approved text, variables {1}, {2}, …")
    .option("--body-file <file>", "read the body from a file (- for standard input)")
    .option("--tencent-id <id>", "Tencent's numeric template id")
    .option("--huawei-id <id>", "Huawei's template id")
    .addHelpText(
      "after",
      `
  smsgate templates put login-code --kind verification --region domestic \\
      --body '您的验证码是{1}，{2}分钟内有效。' --tencent-id 1000001`,
    )
    .action(
      action(async (ctx, opts, id) => {
        if (!opts.body === !opts.bodyFile)
          throw new UsageError("templates put needs --body <text> or --body-file <file>");
        const body = opts.body ?? readText(opts.bodyFile).replace(/\r?\n$/, "");
        const t = await ctx.api("PUT", ctx.appPath(`/templates/${encodeURIComponent(id)}`), {
          body: {
            kind: opts.kind,
            region: opts.region,
            body,
            providerTemplateIds: {
              ...(opts.tencentId ? { tencent: opts.tencentId } : {}),
              ...(opts.huaweiId ? { huawei: opts.huaweiId } : {}),
            },
          },
        });
        ctx.print(t, () => console.log(`template ${t.id} saved (${t.variables} variables)`));
      }),
    );
}
