/** The served console is built from lib/console/page/ (npm run console), and stays small. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildConsole, generate } from "../../scripts/console";

describe("console assets", () => {
  it("are current with lib/console/page (run npm run console if not)", async () => {
    const committed = readFileSync(
      join(import.meta.dirname, "../../lib/console/assets.json"),
      "utf8",
    );
    expect(committed).toBe(await generate());
  });

  it("weigh under 60 KB gzipped and name no other host", async () => {
    const a = await buildConsole();
    const bodies = [a.html, ...Object.values(a.files).map((f) => f.body)];
    const gz = bodies.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
    expect(gz).toBeLessThan(60 * 1024);
    expect(a.html).not.toMatch(/https?:\/\//);
    expect(a.html).toMatch(/src="\/console\/console\.[0-9a-f]{10}\.js"/);
  });
});
