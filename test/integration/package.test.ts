/**
 * `serverless package` (osls, offline) bundles each function on its own with esbuild, and each
 * bundle starts in a fresh Node process with only the environment Lambda would give it.
 */
import { execFile } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import JSZip from "jszip";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const out = mkdtempSync(join(tmpdir(), "smsgate-package-"));
const FUNCTIONS = [
  "admin",
  "campaign-worker",
  "campaigns",
  "reply",
  "send",
  "status-callback",
  "threshold-check",
];
// What the nodejs22.x runtime provides beside a bundle: the AWS SDK v3, and nothing else.
const runtime = join(out, "runtime", "node_modules");
mkdirSync(runtime, { recursive: true });
symlinkSync(join(root, "node_modules/@aws-sdk"), join(runtime, "@aws-sdk"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("serverless package", () => {
  it("produces one artifact per function, each loading on its own", async () => {
    await run(join(root, "node_modules/.bin/serverless"), ["package", "--package", out], {
      cwd: root,
      timeout: 120_000,
    });
    expect(
      readdirSync(out)
        .filter((f) => f.endsWith(".zip"))
        .sort(),
    ).toEqual(FUNCTIONS.map((f) => `${f}.zip`));
    mkdirSync(runtime, { recursive: true });
    symlinkSync(join(root, "node_modules/@aws-sdk"), join(runtime, "@aws-sdk"));

    for (const name of FUNCTIONS) {
      const dir = join(out, `unzipped-${name}`);
      const zip = await JSZip.loadAsync(readFileSync(join(out, `${name}.zip`)));
      for (const file of Object.values(zip.files).filter((f) => !f.dir)) {
        mkdirSync(join(dir, file.name, ".."), { recursive: true });
        writeFileSync(join(dir, file.name), await file.async("nodebuffer"));
      }
      expect(readdirSync(join(dir, "functions"))).toEqual([`${name}.js`]);
      // A cold start with a valid environment exports a handler, and nothing else is needed.
      const { stdout } = await run(
        process.execPath,
        [
          "-e",
          `console.log(typeof require(${JSON.stringify(join(dir, "functions", `${name}.js`))}).handler)`,
        ],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH,
            NODE_PATH: runtime,
            SMSGATE_TABLE: "smsgate-test",
            AWS_REGION: "ap-southeast-1",
            SMSGATE_ADMIN_KEY: "operator-key-for-package-test",
            TENCENT_SECRET_ID: "id",
            TENCENT_SECRET_KEY: "key",
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          },
        },
      );
      expect(stdout.trim()).toBe("function");
    }
  }, 120_000);

  it("refuses to start with a bad environment, naming the variable", async () => {
    const dir = join(out, "unzipped-send");
    const failure = await run(
      process.execPath,
      ["-e", `require(${JSON.stringify(join(dir, "functions/send.js"))})`],
      {
        env: {
          PATH: process.env.PATH,
          NODE_PATH: runtime,
          SMSGATE_TABLE: "t",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        },
      },
    ).catch((e: { stderr: string }) => e);
    expect((failure as { stderr: string }).stderr).toMatch(/SMSGATE_ADMIN_KEY/);
  });
});
