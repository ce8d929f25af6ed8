// smsgate configure: saves the API URL, key and app once (the file format is {url, key, app?}).
import { Option } from "commander";
import { action, configPath, UsageError, writeConfig } from "../runtime.mjs";

export function register(program) {
  program
    .command("configure")
    .description("save --url, --key and (optionally) --app for the commands that follow")
    .addOption(
      new Option("--output <format>", "default output from now on").choices(["table", "json"]),
    )
    .addHelpText(
      "after",
      `
Writes ${configPath()} (mode 600; SMSGATE_CONFIG names another file), replacing what was
saved. An app key names its own app, so --app is needed only with the operator key.

  smsgate configure --url http://127.0.0.1:3000 --key "$OPERATOR_KEY"
  smsgate configure --url https://sms.example.com --key "$APP_KEY" --app "$APP_ID"`,
    )
    .action(
      action(async (ctx, opts) => {
        const { url, key, app } = ctx.flags;
        if (!url || !key) throw new UsageError("configure needs --url <apiUrl> and --key <key>");
        if (!/^https?:\/\/[^/\s]+/.test(url))
          throw new UsageError(`--url ${url}: give the API's http(s) URL`);
        const saved = {
          url: url.replace(/\/+$/, ""),
          key,
          ...(app ? { app } : {}),
          ...(opts.output ? { output: opts.output } : {}),
        };
        const path = writeConfig(saved);
        ctx.print({ saved: path, url: saved.url, app: saved.app ?? null }, () =>
          console.log(`saved to ${path}`),
        );
      }),
    );
}
