import { describe, expect, it } from "vitest";
import {
  checkParams,
  countVariables,
  isValidSign,
  render,
  segments,
  withSignature,
} from "../../lib/rules/template";

describe("countVariables", () => {
  it("counts {1}..{n}, repeated variables once", () => {
    expect(countVariables("您的验证码是{1}，{2}分钟内有效。")).toBe(2);
    expect(countVariables("{1} and {1} again")).toBe(1);
    expect(countVariables("no variables")).toBe(0);
  });

  it("refuses gaps and numbering that does not start at 1", () => {
    expect(countVariables("{1} {3}")).toEqual({ error: expect.stringContaining("without gaps") });
    expect(countVariables("{2}")).toEqual({ error: expect.any(String) });
    expect(countVariables("{0}")).toEqual({ error: expect.any(String) });
  });
});

describe("render", () => {
  it("fills each variable with its param", () => {
    expect(render("code {1}, {2} min, again {1}", ["123456", "5"])).toBe(
      "code 123456, 5 min, again 123456",
    );
  });
});

describe("checkParams", () => {
  it("needs exactly one param per variable", () => {
    expect(checkParams("notification", 2, ["a"])?.code).toBe(
      "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
    );
    expect(checkParams("notification", 2, ["a", "b"])).toBeNull();
  });

  it("allows 0–6 digits in verification templates only", () => {
    expect(checkParams("verification", 1, ["123456"])).toBeNull();
    expect(checkParams("verification", 1, [""])).toBeNull();
    expect(checkParams("verification", 1, ["1234567"])?.code).toBe(
      "InvalidParameterValue.TemplateParameterFormatError",
    );
    expect(checkParams("verification", 1, ["12a4"])?.code).toBe(
      "InvalidParameterValue.TemplateParameterFormatError",
    );
    expect(checkParams("notification", 1, ["12a4"])).toBeNull();
  });

  it("refuses URLs and bare domains in any variable", () => {
    for (const p of [
      "http://x.cn",
      "https://a.b/c",
      "www.example",
      "example.com",
      "t.cn/abc",
      "shop.example.co.uk",
    ]) {
      expect(checkParams("notification", 1, [p])?.code, p).toBe(
        "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
      );
    }
    for (const p of ["order 42", "3.5 kg", "A.B", "v1.2"]) {
      expect(checkParams("notification", 1, [p]), p).toBeNull();
    }
  });
});

describe("segments", () => {
  it("counts mainland text 70, then 67 per segment", () => {
    expect(segments("字".repeat(70), "domestic")).toBe(1);
    expect(segments("字".repeat(71), "domestic")).toBe(2);
    expect(segments("字".repeat(150), "domestic")).toBe(3);
    expect(segments("a".repeat(71), "domestic")).toBe(2);
  });

  it("counts international GSM-7 text 160, then 153", () => {
    expect(segments("a".repeat(160), "international")).toBe(1);
    expect(segments("a".repeat(161), "international")).toBe(2);
    expect(segments("a".repeat(320), "international")).toBe(3);
  });

  it("counts GSM-7 extension characters twice", () => {
    expect(segments(`${"a".repeat(158)}€`, "international")).toBe(1);
    expect(segments(`${"a".repeat(159)}€`, "international")).toBe(2);
    expect(segments(`${"a".repeat(159)}[`, "international")).toBe(2);
  });

  it("falls back to UCS-2 for international text outside GSM-7", () => {
    expect(segments(`${"a".repeat(70)}`, "international")).toBe(1);
    expect(segments(`${"a".repeat(70)}字`, "international")).toBe(2);
  });

  it("counts the signature as the handset shows it", () => {
    expect(withSignature("正文", "腾讯云")).toBe("【腾讯云】正文");
    expect(segments(withSignature("字".repeat(65), "腾讯云"), "domestic")).toBe(1);
    expect(segments(withSignature("字".repeat(66), "腾讯云"), "domestic")).toBe(2);
  });
});

describe("isValidSign", () => {
  it("accepts 2–12 CJK characters, letters or digits", () => {
    expect(isValidSign("腾讯云")).toBe(true);
    expect(isValidSign("smsgate")).toBe(true);
    expect(isValidSign("a")).toBe(false);
    expect(isValidSign("有空格 的")).toBe(false);
    expect(isValidSign("abcdefghijklm")).toBe(false);
  });
});
