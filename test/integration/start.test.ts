/** `npm start`'s manners: a busy port is one line naming the variable, exit 1, no stack trace. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const data = mkdtempSync(join(tmpdir(), "smsgate-start-"));
afterAll(() => rmSync(data, { recursive: true, force: true }));

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "local/start.ts"],
      {
        cwd: root,
        timeout: 60_000,
        env: {
          ...process.env,
          SMSGATE_DATA_DIR: data,
          DYNAMODB_PORT: "0",
          TENCENT_EMULATOR_PORT: "0",
          HUAWEI_EMULATOR_PORT: "0",
          SES_EMULATOR_PORT: "0",
          ...env,
        },
      },
      (err, _stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
    );
  });
}

describe("npm start", () => {
  it("names the variable to set when its port is busy, and exits 1 without a stack trace", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as { port: number }).port;
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, "127.0.0.1", r));
    const free = (spare.address() as { port: number }).port;
    await new Promise((r) => spare.close(r));
    try {
      for (const variable of ["PORT", "TENCENT_EMULATOR_PORT"]) {
        const { code, stderr } = await start({
          PORT: String(free),
          [variable]: String(port),
        });
        expect(code).toBe(1);
        expect(stderr.trim()).toBe(
          `smsgate: port ${port} is already in use; set ${variable} to a free port (e.g. ${variable}=${port + 1} npm start), or stop what holds it`,
        );
      }
    } finally {
      busy.close();
    }
  }, 120_000);

  it("names a bad setting in one line", async () => {
    const { code, stderr } = await start({ PORT: "http" });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^smsgate: PORT: /);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
