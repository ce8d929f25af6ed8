/** Pure parts of campaigns: splitting big files for upload, grouping rows into vendor calls. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The CLI is plain JavaScript (bin/): imported by path, typed here.
const cliModule: string = "../../bin/cli/commands/campaigns.mjs";
const { csvParts, countCsvRows } = (await import(cliModule)) as {
  csvParts(file: string, max?: number): AsyncIterable<{ bytes: Buffer; linesBefore: number }>;
  countCsvRows(file: string): Promise<number>;
};

import { subSends } from "../../lib/campaigns/engine";
import { checkRow, decodeCsv } from "../../lib/campaigns/rows";
import type { Row } from "../../lib/store";

describe("splitting a CSV for upload", () => {
  const dir = mkdtempSync(join(tmpdir(), "smsgate-csv-"));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("cuts after line breaks, under the part size, and counts the lines before each part", async () => {
    const lines = Array.from(
      { length: 1000 },
      (_, i) => `+86139${String(i).padStart(8, "0")},a${i},b`,
    );
    const bytes = Buffer.from(`${lines.join("\n")}\n`);
    const parts: { bytes: Buffer; linesBefore: number }[] = [];
    for await (const p of csvParts(write("a.csv", bytes.toString()), 4096)) parts.push(p);
    expect(parts.length).toBeGreaterThan(5);
    for (const p of parts) {
      expect(p.bytes.length).toBeLessThanOrEqual(4096);
      expect(p.bytes[p.bytes.length - 1]).toBe(0x0a);
    }
    expect(Buffer.concat(parts.map((p) => p.bytes)).equals(bytes)).toBe(true);
    const second = parts[1];
    expect(second?.linesBefore).toBe(String(parts[0]?.bytes).split("\n").length - 1);
  });

  it("counts rows as the server does: no header, no empty lines, a last line without a break", async () => {
    expect(
      await countCsvRows(write("h.csv", "phone,a\r\n+8613800138000,x\r\n\r\n,,\r\n13800138001,y")),
    ).toBe(2);
    expect(await countCsvRows(write("n.csv", "13800138000,x\n13800138001,y\n"))).toBe(2);
    expect(await countCsvRows(write("e.csv", ""))).toBe(0);
  });
});

describe("rows into vendor calls", () => {
  it("shares one call per set of identical params, at most 200 numbers each", () => {
    const rows: Row[] = Array.from({ length: 450 }, (_, i) => [
      i + 1,
      `+86139${String(i).padStart(8, "0")}`,
      i < 410 ? "same" : `own${i}`,
    ]);
    const calls = subSends(rows);
    expect(calls.map((c) => c.rows.length)).toEqual([200, 200, 10, ...Array(40).fill(1)]);
    expect(calls[0]?.params).toEqual(["same"]);
    expect(calls[3]?.params).toEqual(["own410"]);
  });

  it("for a provider that takes params per number: ≤ 200 rows a call whatever their params", () => {
    const rows: Row[] = Array.from({ length: 450 }, (_, i) => [
      i + 1,
      `+86139${String(i).padStart(8, "0")}`,
      `own${i}`,
    ]);
    const calls = subSends(rows, true);
    expect(calls.map((c) => c.rows.length)).toEqual([200, 200, 50]);
    expect(calls.flatMap((c) => c.rows)).toEqual(rows);
  });
});

describe("reading rows", () => {
  const template = {
    appId: "A",
    id: "t",
    kind: "notification" as const,
    region: "domestic" as const,
    body: "订单{1}{2}",
    variables: 2,
    providerTemplateIds: {},
    createdAt: "",
    updatedAt: "",
  };
  it("decodes UTF-8 with a BOM, GBK, and refuses neither", () => {
    expect(decodeCsv(Buffer.from("\ufeffa,b")).text).toBe("a,b");
    expect(decodeCsv(Buffer.from([0xc3, 0xf7, 0xcc, 0xec]))).toEqual({
      text: "明天",
      encoding: "gbk",
    });
    expect(() => decodeCsv(Buffer.from([0xff, 0xfe, 0xff]))).toThrow(/UTF-8/);
  });
  it("drops trailing empty cells, counts segments with the signature", () => {
    const v = checkRow(["13800138000", "A", "B", "", ""], template, "smsgate", undefined);
    expect(v).toMatchObject({ ok: true, params: ["A", "B"], segments: 1 });
    const long = checkRow(["13800138000", "长".repeat(70), "B"], template, "smsgate", undefined);
    expect(long).toMatchObject({ ok: true, segments: 2 });
    expect(checkRow(["+12025550123", "A", "B"], template, "s", undefined)).toMatchObject({
      ok: false,
      code: "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone",
    });
  });
});

describe("the recipient limit", () => {
  it("is 100,000 unless the operator sets the app's ceiling, and at most 1,000,000", async () => {
    const { patchAppSchema } = await import("../../lib/admin/schemas");
    const { campaignRecipientCeiling } = await import("../../lib/rules/usage");
    expect(campaignRecipientCeiling(undefined)).toBe(100_000);
    expect(campaignRecipientCeiling({ domestic: 10 })).toBe(100_000);
    expect(campaignRecipientCeiling({ campaignRecipients: 1_000_000 })).toBe(1_000_000);
    const ceiling = (n: number) =>
      patchAppSchema.safeParse({ ceilings: { campaignRecipients: n } }).success;
    expect(ceiling(1_000_000)).toBe(true);
    expect(ceiling(1)).toBe(true);
    expect(ceiling(1_000_001)).toBe(false);
    expect(ceiling(0)).toBe(false);
  });
});
