// smsgate keys: an app's API keys (never their secrets), create one, revoke one.
import { action, splitList, table } from "../runtime.mjs";

export function register(program) {
  const keys = program.command("keys").description("API keys: list, create, revoke");

  keys
    .command("list", { isDefault: true })
    .description("the app's keys: ids and scopes, never secrets")
    .action(
      action(async (ctx) => {
        const data = await ctx.api("GET", ctx.appPath("/keys"));
        ctx.print(data, () => table(data.keys, ["id", "scopes", "createdAt"]));
      }),
    );

  keys
    .command("create")
    .description("create a key (shown once)")
    .option("--scopes <scopes>", "comma list of send, read, admin", "send,read")
    .action(
      action(async (ctx, opts) => {
        const k = await ctx.api("POST", ctx.appPath("/keys"), {
          body: { scopes: splitList(opts.scopes) },
        });
        ctx.print(k, () => {
          console.log(`id      ${k.id}`);
          console.log(`api key ${k.key}   (shown once: keep it)`);
          console.log(`scopes  ${k.scopes.join(",")}`);
        });
      }),
    );

  keys
    .command("revoke")
    .description("revoke a key: it stops working at once")
    .argument("<keyId>", "the key's id (keys list)")
    .action(
      action(async (ctx, _opts, keyId) => {
        await ctx.api("DELETE", ctx.appPath(`/keys/${encodeURIComponent(keyId)}`));
        ctx.print({ revoked: keyId }, () => console.log(`key ${keyId} revoked`));
      }),
    );
}
