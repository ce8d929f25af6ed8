#!/usr/bin/env node
// smsgate CLI: the operator's console in a terminal. Plain Node ESM on commander, no build
// step; it only speaks the HTTP API, so it works against any deployment. The command tree is
// in ./cli/program.mjs, one module per resource in ./cli/commands/.
import { run } from "./cli/program.mjs";

// `smsgate … | head` closes the pipe early: that is not an error.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

process.exitCode = await run(process.argv.slice(2));
