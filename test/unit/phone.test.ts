import { describe, expect, it } from "vitest";
import { parsePhone } from "../../lib/core/phone";

describe("parsePhone", () => {
  it("takes an 11-digit number starting with 1 as mainland China", () => {
    expect(parsePhone("13800138000")).toEqual({
      e164: "+8613800138000",
      country: "CN",
      mainland: true,
    });
  });

  it("keeps E.164 numbers and tells their country", () => {
    expect(parsePhone("+12025550123")).toMatchObject({
      e164: "+12025550123",
      country: "US",
      mainland: false,
    });
    expect(parsePhone("+85261234567")).toMatchObject({ country: "HK", mainland: false });
  });

  it("ignores spaces, dashes and brackets", () => {
    expect(parsePhone("+86 138-0013-8000")?.e164).toBe("+8613800138000");
  });

  it("refuses what cannot be a number, mainland ranges no carrier issues included", () => {
    for (const bad of [
      "",
      "12345",
      "abc",
      "+",
      "23800138000",
      "+99912345678901234",
      "+8612345678901",
      "+8610012345678",
      "12345678901",
    ]) {
      expect(parsePhone(bad), bad).toBeNull();
    }
  });
});

describe("one normaliser for every number smsgate keys on", () => {
  it("writes any spelling of a number the same way", () => {
    for (const spelling of [
      "+86 013911110077",
      "+86 139 1111 0077",
      "13911110077",
      "+86-139-1111-0077",
    ])
      expect(parsePhone(spelling)?.e164, spelling).toBe("+8613911110077");
  });
});

describe("the trimmed phone metadata", () => {
  it("is the installed libphonenumber-js metadata without formats (run npm run phone-metadata if not)", async () => {
    const { trimmed } = await import("../../scripts/phone-metadata");
    const installed = (await import("libphonenumber-js/metadata.min.json")).default;
    const full = (await import("libphonenumber-js/metadata.max.json")).default;
    const committed = (
      await import("../../lib/core/phone-metadata.json", { with: { type: "json" } })
    ).default;
    expect(committed).toEqual(JSON.parse(JSON.stringify(trimmed(installed, full))));
  });
});
