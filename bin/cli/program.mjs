// The command tree. Each resource is one module in ./commands exporting `register(program)`;
// adding one (campaigns, groups, …) is a new file there and one line in COMMANDS below.
//
// A module adds `program.command("<resource>")` with verbs under it, each action wrapped in
// `action(async (ctx, opts, ...args) => …)` from ./runtime.mjs: ctx.api() calls the API,
// ctx.appPath() builds /v1/apps/{appId}…, ctx.print(data, () => table(…)) honours --json.
// Throw UsageError for a wrong command line (exit 2); API and network errors (exit 1) are
// raised by ctx.api() and printed here as one line.
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import * as alerts from "./commands/alerts.mjs";
import * as apps from "./commands/apps.mjs";
import * as campaigns from "./commands/campaigns.mjs";
import * as configure from "./commands/configure.mjs";
import * as contacts from "./commands/contacts.mjs";
import * as groups from "./commands/groups.mjs";
import * as keys from "./commands/keys.mjs";
import * as messages from "./commands/messages.mjs";
import * as optouts from "./commands/optouts.mjs";
import * as pkg from "./commands/package.mjs";
import * as replies from "./commands/replies.mjs";
import * as send from "./commands/send.mjs";
import * as signatures from "./commands/signatures.mjs";
import * as stats from "./commands/stats.mjs";
import * as templates from "./commands/templates.mjs";
import * as whitelist from "./commands/whitelist.mjs";
import { ApiError, CliError, configPath, oneLine, UsageError } from "./runtime.mjs";

/** In the order `smsgate --help` lists them. */
export const COMMANDS = [
  configure,
  apps,
  templates,
  signatures,
  keys,
  whitelist,
  optouts,
  contacts,
  alerts,
  pkg,
  send,
  campaigns,
  groups,
  messages,
  replies,
  stats,
];

const version = () =>
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;

const commandPath = (cmd) => {
  const names = [];
  for (let c = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
};

/**
 * Settings every command needs, applied once the modules have registered theirs (so a module
 * that builds commands with `new Command()` gets them too): errors as one line naming the
 * command's --help, thrown (never process.exit) so run() picks the exit code; required
 * options checked after unknown ones; and a stray word after a resource ("smsgate apps lst")
 * refused as an unknown command rather than passed to its default verb.
 */
function harden(cmd) {
  cmd
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      outputError: (str, write) => write(`${oneLine(str)} (see ${commandPath(cmd)} --help)\n`),
    });
  // Commander checks required options before unknown ones, so `send --tx 1` would complain
  // of a missing --to; checked here after the unknown options and arguments instead.
  const required = cmd.options.filter((o) => o.mandatory);
  if (required.length > 0) {
    for (const o of required) {
      o.mandatory = false;
      o.description = `${o.description} (required)`;
    }
    cmd.hook("preAction", (hooked) => {
      for (const o of required)
        if (hooked.getOptionValue(o.attributeName()) === undefined)
          hooked.missingMandatoryOptionValue(o);
    });
  }
  if (cmd.commands.length > 0 && cmd.parent) {
    cmd.hook("preSubcommand", (group, sub) => {
      const first = group.args[0];
      if (
        first !== undefined &&
        !first.startsWith("-") &&
        first !== sub.name() &&
        !sub.aliases().includes(first)
      )
        group.unknownCommand();
    });
  }
  for (const sub of cmd.commands) harden(sub);
}

export function buildProgram() {
  const program = new Command("smsgate")
    .description("Operate an smsgate deployment through its HTTP API.")
    .version(version(), "-V, --version", "print the CLI's version")
    .option("--url <apiUrl>", "API URL (else SMSGATE_URL, else the saved one)")
    .option("--key <key>", "operator or app key (else SMSGATE_KEY, else the saved one)")
    .option("--app <appId>", "the app (else SMSGATE_APP, the saved one, or the app key's own)")
    .option("--json", "print the API's raw JSON answer")
    .addOption(new Option("--raw", "same as --json").hideHelp())
    .addHelpText(
      "after",
      `
Configuration: ${configPath()} (SMSGATE_CONFIG names another file), written by
\`smsgate configure\`. Flags beat environment (SMSGATE_URL, SMSGATE_KEY, SMSGATE_APP,
SMSGATE_OUTPUT=json, SMSGATE_TIMEOUT seconds) which beats the file.
Exit codes: 0 done, 1 the API or the network failed, 2 a wrong command line.
Every command takes --help.`,
    );
  for (const module of COMMANDS) module.register(program);
  harden(program);
  return program;
}

/** Writes one line for an error and returns the exit code. */
function report(err) {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // commander printed it
  const line = (s) => process.stderr.write(`${oneLine(s)}\n`);
  if (err instanceof UsageError) {
    line(`error: ${err.message}`);
    return 2;
  }
  if (err instanceof ApiError) {
    line(`error ${err.code}: ${err.message}`);
    return 1;
  }
  if (err instanceof CliError) {
    line(`error: ${err.message}`);
    return 1;
  }
  line(`error: ${err?.message ?? err}`);
  if (process.env.SMSGATE_DEBUG && err?.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}

/** Runs one command line (without "node smsgate"); resolves to the exit code. */
export async function run(argv) {
  try {
    await buildProgram().parseAsync(argv, { from: "user" });
    return 0;
  } catch (err) {
    return report(err);
  }
}
