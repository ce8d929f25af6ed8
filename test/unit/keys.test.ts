import { describe, expect, it } from "vitest";
import { messageIdForSerial, sha256Hex, ulid } from "../../lib/core/ids";
import { maskPhone } from "../../lib/core/log";
import { appIdOfKey, newApiKey, resolvePrincipal } from "../../lib/http/auth";
import { keys } from "../../lib/store/keys";

describe("table keys", () => {
  it("puts a number's frequency windows in one item across days, so windows cross midnight", () => {
    expect(keys.frequency("A1", "+8613800138000")).toEqual({
      pk: "FREQ#A1#+8613800138000",
      sk: "FREQ",
    });
  });

  it("keeps an app's templates and key listing in the app's partition", () => {
    expect(keys.template("A1", "login").pk).toBe(keys.app("A1").pk);
    expect(keys.apiKeyRef("A1", "K1").pk).toBe(keys.app("A1").pk);
  });

  it("keeps a message's delivery status beside its record, in its own item", () => {
    expect(keys.messageStatus("M1").pk).toBe(keys.message("M1").pk);
    expect(keys.messageStatus("M1").sk).not.toBe(keys.message("M1").sk);
  });
});

describe("ids", () => {
  it("makes ULIDs that sort by time", () => {
    const a = ulid(Date.parse("2026-01-01T00:00:00Z"));
    const b = ulid(Date.parse("2026-01-01T00:00:01Z"));
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a < b).toBe(true);
  });

  it("derives the same message id from the same provider serial, and another from another", () => {
    const id = messageIdForSerial("tencent", "2433:1");
    expect(id).toHaveLength(26);
    expect(messageIdForSerial("tencent", "2433:1")).toBe(id);
    expect(messageIdForSerial("huawei", "2433:1")).not.toBe(id);
  });
});

describe("API keys", () => {
  it("name their app and are stored only as a hash", () => {
    const appId = ulid(Date.now());
    const { key, hash } = newApiKey(appId);
    expect(appIdOfKey(key)).toBe(appId);
    expect(hash).toBe(sha256Hex(key));
    expect(hash).not.toContain(key.slice(-10));
  });

  it("refuses a key whose hash does not match what is stored", () => {
    const { key, hash } = newApiKey(ulid(Date.now()));
    const stored = { keyId: "k", appId: "A", scopes: ["send" as const], hash, createdAt: "" };
    expect(resolvePrincipal(key, stored, "operator-key-123456").appId).toBe("A");
    expect(() => resolvePrincipal(`${key}x`, stored, "operator-key-123456")).toThrow(
      /unknown or revoked/,
    );
    expect(() => resolvePrincipal(key, undefined, "operator-key-123456")).toThrow(
      /unknown or revoked/,
    );
  });
});

describe("maskPhone", () => {
  it("hides the middle of numbers inside any text", () => {
    expect(maskPhone("+8613800138000")).toBe("+86138****8000");
    expect(maskPhone("to 13800138000 ok")).toBe("to 138****8000 ok");
    expect(maskPhone("no number here")).toBe("no number here");
  });
});
