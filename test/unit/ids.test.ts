import { describe, expect, it } from "vitest";
import { safeEqual } from "../../lib/core/ids";

describe("safeEqual", () => {
  it("is true only for the same string, whatever the lengths", () => {
    expect(safeEqual("operator-key-123456", "operator-key-123456")).toBe(true);
    expect(safeEqual("operator-key-123456", "operator-key-123457")).toBe(false);
    expect(safeEqual("operator-key-123456", "operator")).toBe(false);
    expect(safeEqual("", "x")).toBe(false);
    expect(safeEqual("ключ", "ключ")).toBe(true);
  });
});
