// smsgate apps: list, create (operator key), show and update an app's settings.
import {
  action,
  applySets,
  collect,
  collectList,
  fields,
  parseJson,
  readText,
  table,
  UsageError,
} from "../runtime.mjs";

const PROVIDERS = ["tencent", "huawei"];

/** --file (a JSON object) then each --set on top. */
function settingsFrom(opts) {
  const base = opts.file ? parseJson(readText(opts.file), opts.file) : {};
  if (base === null || typeof base !== "object" || Array.isArray(base))
    throw new UsageError(`${opts.file}: expected a JSON object of settings`);
  return applySets(base, opts.set);
}

const setOption = [
  "--set <key=value>",
  "a setting; dotted keys nest, JSON values are parsed (repeatable)",
  collect,
];

const SETTINGS_HELP = `
Settings (README "The API"): name, enabled, defaultSign, signatures, timeZone, thresholds,
allowedCountries, frequency, marketingWindow, unsubscribeFooter, unsubscribeKeywords,
alertRules, alertTemplateIds, replyWebhook. A value that reads as JSON is JSON; null unsets.

  --set thresholds.domestic.alert=1000 --set thresholds.domestic.limit=2000
  --set 'allowedCountries=["CN","US"]' --set frequency.oneHour=5 --set defaultSign=null
  --file patch.json        ({"marketingWindow":{"start":"09:00","end":"21:00"}})`;

function printCreated(data, providers) {
  console.log(`app     ${data.app.appId}`);
  console.log(`name    ${data.app.name}`);
  console.log(`api key ${data.apiKey}   (shown once: keep it)`);
  for (const provider of providers) {
    const urls = data.callbackUrls?.[provider];
    if (!urls) continue;
    if (provider === "huawei") {
      console.log(`reply callback URL (paste into the huawei console): ${urls.reply}`);
      console.log("  (huawei status reports need no setting: each send carries the status URL)");
    } else {
      console.log(`status callback URL (paste into the ${provider} console): ${urls.status}`);
      console.log(`reply callback URL  (paste into the ${provider} console): ${urls.reply}`);
    }
  }
}

export function register(program) {
  const apps = program.command("apps").description("apps: list, create, show, update");

  apps
    .command("list", { isDefault: true })
    .description("list apps (every app with the operator key, else the key's own)")
    .action(
      action(async (ctx) => {
        const data = await ctx.api("GET", "/v1/apps");
        ctx.print(data, () =>
          table(data.apps, ["appId", "name", "enabled", "defaultSign", "timeZone"]),
        );
      }),
    );

  apps
    .command("create")
    .description("create an app (operator key); prints its first key once and its callback URLs")
    .requiredOption("--name <name>", "the app's name")
    .option(
      "--provider <provider>",
      "tencent or huawei; repeat (or a,b) for failover order (default tencent)",
      collectList,
    )
    .option("--sdk-app-id <id>", "Tencent SmsSdkAppId")
    .option("--sender <channel>", "Huawei default channel number (通道号)")
    .option("--sign <sign>", "default signature (approved by being set)")
    .option(...setOption)
    .option("--file <settings.json>", "more settings from a JSON file")
    .addHelpText("after", SETTINGS_HELP)
    .action(
      action(async (ctx, opts) => {
        const providers = opts.provider ?? ["tencent"];
        for (const p of providers)
          if (!PROVIDERS.includes(p))
            throw new UsageError(`--provider ${p}: use ${PROVIDERS.join(" or ")}`);
        const body = {
          ...settingsFrom(opts),
          name: opts.name,
          providers: providers.map((provider) => ({
            provider,
            ...(provider === "tencent" && opts.sdkAppId ? { sdkAppId: opts.sdkAppId } : {}),
            ...(provider === "huawei" && opts.sender ? { sender: opts.sender } : {}),
          })),
          ...(opts.sign ? { defaultSign: opts.sign } : {}),
        };
        const data = await ctx.api("POST", "/v1/apps", { body });
        ctx.print(data, () => printCreated(data, providers));
      }),
    );

  apps
    .command("show")
    .description("an app's configuration and callback URLs (never secrets)")
    .argument("[appId]", "the app (default: --app or the saved one)")
    .action(
      action(async (ctx, _opts, appId) => {
        const data = await ctx.api("GET", ctx.appPath("", appId));
        ctx.print(data, () => fields(data));
      }),
    );

  apps
    .command("update")
    .description("change an app's settings (PATCH): --set key=value and/or --file patch.json")
    .argument("[appId]", "the app (default: --app or the saved one)")
    .option(...setOption)
    .option("--file <patch.json>", "settings from a JSON file (--set applies on top)")
    .addHelpText("after", SETTINGS_HELP)
    .action(
      action(async (ctx, opts, appId) => {
        const body = settingsFrom(opts);
        if (Object.keys(body).length === 0)
          throw new UsageError("nothing to change: give --set key=value or --file patch.json");
        const data = await ctx.api("PATCH", ctx.appPath("", appId), { body });
        ctx.print(data, () => {
          console.log(`app ${data.appId} updated`);
          fields(Object.fromEntries(Object.keys(body).map((k) => [k, data[k] ?? null])));
        });
      }),
    );

  // The old CLI's `apps set --json '<settings>'` (--json is now the output flag, and the
  // settings arrive as the argument). Kept for scripts; not listed.
  apps
    .command("set", { hidden: true })
    .argument("<settings>", "settings as JSON")
    .action(
      action(async (ctx, _opts, settings) => {
        const data = await ctx.api("PATCH", ctx.appPath(), {
          body: parseJson(settings, "the settings"),
        });
        console.log(JSON.stringify(data, null, 2));
      }),
    );
}
