/**
 * Standard Webhooks signing (lib/webhooks/sign.ts), checked with the official
 * `standardwebhooks` package exactly as an app's receiver would check it.
 */
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isUsableSecret, signatureHeaders, signingKey } from "../../lib/webhooks/sign";

const body = JSON.stringify({ type: "message.reply", data: { id: "R1", text: "你好 TD" } });
const now = () => Math.floor(Date.now() / 1000);

afterEach(() => {
  vi.useRealTimers();
});

describe("Standard Webhooks signatures", () => {
  it("verify with a whsec_ secret, the key being the base64 after the prefix", () => {
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    const headers = signatureHeaders(secret, "01JREPLY", now(), body);
    expect(headers["webhook-id"]).toBe("01JREPLY");
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(signingKey(secret)).toEqual(Buffer.from(secret.slice(6), "base64"));
  });

  it("verify with any other secret as its UTF-8 bytes", () => {
    const secret = "my-app-secret-0123456789";
    const headers = signatureHeaders(secret, "01JREPLY", now(), body);
    const receiver = new Webhook(new TextEncoder().encode(secret), { format: "raw" });
    expect(receiver.verify(body, headers)).toEqual(JSON.parse(body));
    // Not mistaken for base64: the same secret read as whsec_ would not verify.
    expect(() => new Webhook(`whsec_${secret}`).verify(body, headers)).toThrow();
  });

  it("fail for another body, id, timestamp or secret", () => {
    const secret = `whsec_${randomBytes(24).toString("base64")}`;
    const t = now();
    const headers = signatureHeaders(secret, "01JREPLY", t, body);
    const wh = new Webhook(secret);
    expect(() => wh.verify(body.replace("TD", "TE"), headers)).toThrow(/signature/i);
    expect(() => wh.verify(body, { ...headers, "webhook-id": "01JOTHER" })).toThrow(/signature/i);
    expect(() => wh.verify(body, { ...headers, "webhook-timestamp": String(t - 1) })).toThrow(
      /signature/i,
    );
    const other = new Webhook(`whsec_${randomBytes(24).toString("base64")}`);
    expect(() => other.verify(body, headers)).toThrow(/signature/i);
  });

  it("carry the attempt's own time, which receivers refuse when older than 5 minutes", () => {
    const secret = `whsec_${randomBytes(24).toString("base64")}`;
    const t = now() - 6 * 60;
    const headers = signatureHeaders(secret, "01JREPLY", t, body);
    expect(headers["webhook-timestamp"]).toBe(String(t));
    expect(() => new Webhook(secret).verify(body, headers)).toThrow(/too old/);
    vi.useFakeTimers({ toFake: ["Date"], now: t * 1000 + 1000 });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("accept only whsec_ secrets that are base64 of 16 bytes or more", () => {
    expect(isUsableSecret(`whsec_${randomBytes(24).toString("base64")}`)).toBe(true);
    expect(isUsableSecret(`whsec_${randomBytes(16).toString("base64")}`)).toBe(true);
    expect(isUsableSecret(`whsec_${randomBytes(15).toString("base64")}`)).toBe(false);
    expect(isUsableSecret("whsec_not*base64*at*all!!")).toBe(false);
    expect(isUsableSecret(`whsec_${randomBytes(24).toString("base64url")}-_`)).toBe(false);
    expect(isUsableSecret("whsec-0123456789abcdef")).toBe(true); // not whsec_: its bytes
    expect(isUsableSecret("0123456789abcdef")).toBe(true);
  });
});
