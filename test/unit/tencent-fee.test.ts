import { describe, expect, it } from "vitest";
import {
  codePointLength,
  feeFor,
  gsm7Length,
  internationalSegments,
  isGsm7,
  mainlandSegments,
} from "../../local/tencent-emulator/fee";

const cjk = (n: number) => "验".repeat(n);
const gsm = (n: number) => "a".repeat(n);

describe("tencent emulator fee — mainland (docs/providers/tencent.md §5)", () => {
  it("70 CJK characters are 1 segment, 71 are 2", () => {
    expect(mainlandSegments(cjk(70))).toBe(1);
    expect(mainlandSegments(cjk(71))).toBe(2);
  });

  it("counts the signature as 【sign】 including the brackets", () => {
    // 【腾讯云】 = 5 characters
    expect(mainlandSegments(cjk(65), "腾讯云")).toBe(1);
    expect(mainlandSegments(cjk(66), "腾讯云")).toBe(2);
  });

  it("150 characters are 3 segments (67/67/16), 134 are 2", () => {
    expect(mainlandSegments(cjk(145), "腾讯云")).toBe(3);
    expect(mainlandSegments(cjk(134))).toBe(2);
    expect(mainlandSegments(cjk(135))).toBe(3);
  });

  it("ASCII counts 1 per character on the mainland too", () => {
    expect(mainlandSegments(gsm(70))).toBe(1);
    expect(mainlandSegments(gsm(71))).toBe(2);
  });
});

describe("tencent emulator fee — international (docs/providers/tencent.md §5)", () => {
  it("GSM-7: 160 → 1, 161 → 2, 306 → 2, 307 → 3, 320 → 3", () => {
    expect(internationalSegments(gsm(160))).toBe(1);
    expect(internationalSegments(gsm(161))).toBe(2);
    expect(internationalSegments(gsm(306))).toBe(2);
    expect(internationalSegments(gsm(307))).toBe(3);
    expect(internationalSegments(gsm(320))).toBe(3);
  });

  it("extension characters ^ { } \\ [ ~ ] | € count 2", () => {
    for (const ch of ["^", "{", "}", "\\", "[", "~", "]", "|", "€"]) {
      expect(isGsm7(ch)).toBe(true);
      expect(gsm7Length(ch)).toBe(2);
    }
    expect(internationalSegments("{".repeat(80))).toBe(1); // 160 septets
    expect(internationalSegments("{".repeat(81))).toBe(2); // 162 septets
    expect(internationalSegments(`${gsm(159)}€`)).toBe(2); // 161 septets
  });

  it("GSM-7 basic set includes accented Latin and Greek capitals", () => {
    expect(isGsm7("naïve")).toBe(false); // ï is not GSM-7
    expect(isGsm7("Üñä ΔΩ £$¥ @ ¿¡ § èéùìò Ç\n")).toBe(true);
  });

  it("anything outside GSM-7 uses UCS-2 70/67 counted by code point", () => {
    expect(internationalSegments(`${gsm(69)}ç`)).toBe(1); // ç (lower case) is not GSM-7
    expect(internationalSegments(`${gsm(70)}ç`)).toBe(2);
    expect(codePointLength("😀".repeat(70))).toBe(70);
    expect(internationalSegments("😀".repeat(70))).toBe(1);
    expect(internationalSegments("😀".repeat(71))).toBe(2);
    expect(internationalSegments(cjk(135))).toBe(3);
  });

  it("counts an international signature as [sign] only when given", () => {
    // [Acme] = 2 extension brackets (4) + 4 = 8 septets
    expect(internationalSegments(gsm(152), "Acme")).toBe(1);
    expect(internationalSegments(gsm(153), "Acme")).toBe(2);
    expect(internationalSegments(gsm(160), undefined)).toBe(1);
    expect(internationalSegments(gsm(160), "")).toBe(1);
  });
});

describe("feeFor", () => {
  it("dispatches on international", () => {
    expect(feeFor({ body: gsm(100), international: true })).toBe(1);
    expect(feeFor({ body: gsm(100), international: false })).toBe(2);
    expect(feeFor({ body: cjk(60), sign: "腾讯云", international: false })).toBe(1);
  });
});
