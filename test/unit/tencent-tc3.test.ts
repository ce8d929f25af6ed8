/**
 * TC3-HMAC-SHA256 vectors: requests are signed with the REAL SDK signer
 * (tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js, `Sign.sign3`) and verified
 * with the emulator's verifier (docs/providers/tencent.md §2).
 */
import * as signModule from "tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js";
import { describe, expect, it } from "vitest";
import {
  parseAuthorization,
  type Tc3VerifyInput,
  tc3Date,
  tc3Sign,
  verifyTc3,
} from "../../local/tencent-emulator/tc3";

// The module is CommonJS with `exports.default = Sign`; depending on the loader's interop the
// namespace's default is either the class or the whole exports object.
type SignClass = typeof signModule.default;
const loaded = signModule.default as SignClass | { default: SignClass };
const Sign: SignClass = "sign3" in loaded ? loaded : loaded.default;

const SECRET_ID = "AKIDemulatortest";
const SECRET_KEY = "emulator-secret-key";
const TIMESTAMP = 1_767_225_600 + 12 * 3600; // 2026-01-01T12:00:00Z
const PORT = 4010;
const REQUEST = {
  PhoneNumberSet: ["+8613800000000"],
  SmsSdkAppId: "1400000000",
  TemplateId: "1001",
  SignName: "腾讯云",
  TemplateParamSet: ["123456"],
};
const BODY = Buffer.from(JSON.stringify(REQUEST), "utf8");

function sdkSign(
  options: { payload?: unknown; timestamp?: number; secretKey?: string; url?: string } = {},
) {
  return Sign.sign3({
    method: "POST",
    url: options.url ?? `http://127.0.0.1:${PORT}/`,
    payload: options.payload ?? BODY,
    timestamp: options.timestamp ?? TIMESTAMP,
    service: "127", // what the SDK derives from endpoint "127.0.0.1:PORT" (docs/providers/tencent.md §2)
    secretId: SECRET_ID,
    secretKey: options.secretKey ?? SECRET_KEY,
    multipart: false,
    boundary: "",
    headers: { "Content-Type": "application/json" },
  });
}

function request(
  authorization: string | undefined,
  overrides: Partial<Tc3VerifyInput> = {},
): Tc3VerifyInput {
  return {
    method: "POST",
    path: "/",
    query: "",
    headers: {
      host: `127.0.0.1:${PORT}`,
      "content-type": "application/json",
      "x-tc-timestamp": String(TIMESTAMP),
      "x-tc-action": "SendSms",
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: BODY,
    lookupSecretKey: (id) => (id === SECRET_ID ? SECRET_KEY : undefined),
    nowMs: TIMESTAMP * 1000,
    ...overrides,
  };
}

describe("tc3Sign", () => {
  it("produces exactly the SDK's Authorization header", () => {
    const ours = tc3Sign({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      method: "POST",
      path: "/",
      query: "",
      headers: { "content-type": "application/json", host: "127.0.0.1" },
      body: BODY,
      timestamp: TIMESTAMP,
      service: "127",
    });
    expect(ours).toBe(sdkSign());
    expect(ours).toMatch(
      /^TC3-HMAC-SHA256 Credential=AKIDemulatortest\/2026-01-01\/127\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/,
    );
  });

  it("matches the SDK for service sms and a path in the endpoint", () => {
    const sdk = Sign.sign3({
      method: "POST",
      url: "https://sms.tencentcloudapi.com/sms/",
      payload: BODY,
      timestamp: TIMESTAMP,
      service: "sms",
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      multipart: false,
      boundary: "",
      headers: { "Content-Type": "application/json" },
    });
    const ours = tc3Sign({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      method: "POST",
      path: "/sms/",
      headers: { "content-type": "application/json", host: "sms.tencentcloudapi.com" },
      body: BODY.toString("utf8"),
      timestamp: TIMESTAMP,
      service: "sms",
    });
    expect(ours).toBe(sdk);
  });
});

describe("verifyTc3 with SDK-signed requests", () => {
  it("accepts an SDK signature (Host sent with port, signed without)", () => {
    expect(verifyTc3(request(sdkSign()))).toEqual({
      ok: true,
      secretId: SECRET_ID,
      service: "127",
    });
  });

  it("hashes the raw bytes: SDK-serialised Chinese payload verifies against the sent body", () => {
    const auth = sdkSign({ payload: REQUEST }); // the SDK stringifies the object itself
    expect(verifyTc3(request(auth)).ok).toBe(true);
  });

  it("accepts header names in any case", () => {
    const result = verifyTc3(
      request(undefined, {
        headers: {
          Host: `127.0.0.1:${PORT}`,
          "Content-Type": "application/json",
          "X-TC-Timestamp": String(TIMESTAMP),
          Authorization: sdkSign(),
        },
      }),
    );
    expect(result.ok).toBe(true);
  });

  it("accepts extra signed headers (official demo signs x-tc-action)", () => {
    const auth = tc3Sign({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      method: "POST",
      path: "/",
      headers: { "content-type": "application/json", host: "127.0.0.1", "x-tc-action": "sendsms" },
      body: BODY,
      timestamp: TIMESTAMP,
      service: "sms",
    });
    expect(auth).toContain("SignedHeaders=content-type;host;x-tc-action,");
    expect(verifyTc3(request(auth)).ok).toBe(true);
  });

  it("tampered body → AuthFailure.SignatureFailure", () => {
    const tampered = Buffer.from(BODY.toString("utf8").replace("123456", "654321"));
    expect(verifyTc3(request(sdkSign(), { body: tampered }))).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureFailure",
    });
  });

  it("wrong secret key → AuthFailure.SignatureFailure", () => {
    expect(verifyTc3(request(sdkSign({ secretKey: "not-the-key" })))).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureFailure",
    });
  });

  it("unknown SecretId → AuthFailure.SecretIdNotFound", () => {
    const result = verifyTc3(request(sdkSign(), { lookupSecretKey: () => undefined }));
    expect(result).toMatchObject({ ok: false, code: "AuthFailure.SecretIdNotFound" });
  });

  it("timestamp skew: 300 s is fine, 301 s → AuthFailure.SignatureExpire (both directions)", () => {
    const auth = sdkSign();
    expect(verifyTc3(request(auth, { nowMs: (TIMESTAMP + 300) * 1000 })).ok).toBe(true);
    expect(verifyTc3(request(auth, { nowMs: (TIMESTAMP - 300) * 1000 })).ok).toBe(true);
    expect(verifyTc3(request(auth, { nowMs: (TIMESTAMP + 301) * 1000 }))).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureExpire",
    });
    expect(verifyTc3(request(auth, { nowMs: (TIMESTAMP - 301) * 1000 }))).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureExpire",
    });
  });

  it("old timestamp signed by the SDK → AuthFailure.SignatureExpire", () => {
    const old = TIMESTAMP - 3600;
    const auth = sdkSign({ timestamp: old });
    const headers = { ...request(auth).headers, "x-tc-timestamp": String(old) };
    expect(verifyTc3(request(auth, { headers }))).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureExpire",
    });
  });

  it("credential date ≠ UTC date of X-TC-Timestamp → AuthFailure.SignatureFailure", () => {
    const auth = tc3Sign({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      method: "POST",
      path: "/",
      headers: { "content-type": "application/json", host: "127.0.0.1" },
      body: BODY,
      timestamp: TIMESTAMP,
      service: "127",
      date: "2025-12-31", // a self-consistent signature over the wrong scope date
    });
    expect(tc3Date(TIMESTAMP)).toBe("2026-01-01");
    const result = verifyTc3(request(auth));
    expect(result).toMatchObject({ ok: false, code: "AuthFailure.SignatureFailure" });
    expect(result.ok === false && result.message).toMatch(/date/);
  });

  it("a signature over the Host WITH its port → AuthFailure.SignatureFailure", () => {
    const auth = tc3Sign({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      method: "POST",
      path: "/",
      headers: { "content-type": "application/json", host: `127.0.0.1:${PORT}` },
      body: BODY,
      timestamp: TIMESTAMP,
      service: "127",
    });
    expect(verifyTc3(request(auth))).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureFailure",
    });
  });

  it("a different path or content type → AuthFailure.SignatureFailure", () => {
    const auth = sdkSign();
    expect(verifyTc3(request(auth, { path: "/sms/" })).ok).toBe(false);
    const headers = { ...request(auth).headers, "content-type": "application/json; charset=utf-8" };
    expect(verifyTc3(request(auth, { headers }))).toMatchObject({
      code: "AuthFailure.SignatureFailure",
    });
  });

  it("missing or malformed Authorization → AuthFailure.InvalidAuthorization", () => {
    const signature = "a".repeat(64);
    for (const value of [
      undefined,
      "",
      "Bearer abc",
      `TC3-HMAC-SHA256 Credential=${SECRET_ID}/2026-01-01/127, SignedHeaders=content-type;host, Signature=${signature}`,
      `TC3-HMAC-SHA256 Credential=${SECRET_ID}/2026-01-01/127/tc3_request, SignedHeaders=content-type;host, Signature=xyz`,
      `TC3-HMAC-SHA256 Credential=${SECRET_ID}/2026-01-01/127/tc3_request, SignedHeaders=content-type, Signature=${signature}`,
    ]) {
      expect(verifyTc3(request(value))).toMatchObject({
        ok: false,
        code: "AuthFailure.InvalidAuthorization",
      });
    }
  });

  it("parses the credential scope", () => {
    expect(parseAuthorization(sdkSign())).toMatchObject({
      secretId: SECRET_ID,
      date: "2026-01-01",
      service: "127",
      signedHeaders: ["content-type", "host"],
    });
  });

  it("GET with a query string verifies (query enters the canonical request)", () => {
    const query = "PhoneNumberSet.0=%2B8613800000000&SmsSdkAppId=1400000000";
    const auth = Sign.sign3({
      method: "GET",
      url: `http://127.0.0.1:${PORT}/?${query}`,
      payload: "",
      timestamp: TIMESTAMP,
      service: "127",
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      multipart: false,
      boundary: "",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    const base = request(auth);
    const headers = { ...base.headers, "content-type": "application/x-www-form-urlencoded" };
    expect(verifyTc3({ ...base, method: "GET", query, headers, body: Buffer.alloc(0) }).ok).toBe(
      true,
    );
  });
});
