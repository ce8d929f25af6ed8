/**
 * Builds the console (lib/console/page/) with esbuild into lib/console/assets.json: the page,
 * one script (uPlot bundled in) and one stylesheet, named by content hash. The admin function
 * serves that file (lib/console/routes.ts), so nothing is built at run time and no third-party
 * host is involved; a unit test checks it is current — run `npm run console` after a change.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { build, transform } from "esbuild";

const root = join(import.meta.dirname, "..");
const page = join(root, "lib/console/page");

export interface ConsoleAssets {
  html: string;
  files: Record<string, { type: string; body: string }>;
}

const hashed = (name: string, ext: string, body: string) =>
  `${name}.${createHash("sha256").update(body).digest("hex").slice(0, 10)}.${ext}`;

export async function buildConsole(): Promise<ConsoleAssets> {
  const js = await build({
    entryPoints: [join(page, "main.ts")],
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    platform: "browser",
    write: false,
    legalComments: "none",
    logLevel: "error",
  });
  const script = js.outputFiles[0]?.text ?? "";
  const uplotCss = readFileSync(
    createRequire(import.meta.url).resolve("uplot/dist/uPlot.min.css"),
    "utf8",
  );
  const css = await transform(`${uplotCss}\n${readFileSync(join(page, "style.css"), "utf8")}`, {
    loader: "css",
    minify: true,
  });
  const jsName = hashed("console", "js", script);
  const cssName = hashed("console", "css", css.code);
  const html = readFileSync(join(page, "index.html"), "utf8")
    .replace("{{css}}", `/console/${cssName}`)
    .replace("{{js}}", `/console/${jsName}`);
  return {
    html,
    files: {
      [jsName]: { type: "text/javascript; charset=utf-8", body: script },
      [cssName]: { type: "text/css; charset=utf-8", body: css.code },
    },
  };
}

export async function generate(): Promise<string> {
  return `${JSON.stringify(await buildConsole())}\n`;
}

if (process.argv[1]?.endsWith("console.ts")) {
  writeFileSync(join(root, "lib/console/assets.json"), await generate());
}
