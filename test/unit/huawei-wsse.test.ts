/**
 * X-WSSE of the Huawei emulator (local/huawei-emulator/wsse.ts) against the vectors of
 * docs/providers/huawei.md §3.3, plus the loose header parsing and the error codes of docs/providers/huawei.md §2.4.
 */
import { describe, expect, it } from "vitest";
import {
  type HeaderBag,
  parseCreated,
  parseHeader,
  passwordDigest,
  verifyWsse,
  wsseCreated,
  wsseHeaders,
} from "../../local/huawei-emulator/wsse";

// docs/providers/huawei.md §3.3
const NONCE = "ac1c911c4792492687f8f6b2264a491e";
const CREATED = "2018-05-26T00:35:30Z";
const SECRET = "q4Ii87BhST9vcs8wvrzN80SfD7Al";
const RAW_DIGEST = "UE6ozU3Cqg2UH/YYTRt1zzXweA58Do2Db/CnG+gEIP8=";
const HEX_DIGEST =
  "NTA0ZWE4Y2Q0ZGMyYWEwZDk0MWZmNjE4NGQxYjc1Y2YzNWYwNzgwZTdjMGU4ZDgzNmZmMGE3MWJlODA0MjBmZg==";

const APP_KEY = "c8RWg3ggEcyd4D3p94bf3Y7x1Ile";
const CREATED_MS = Date.parse(CREATED);
const lookup = (appKey: string) => (appKey === APP_KEY ? SECRET : undefined);
const AUTHORIZATION = 'WSSE realm="SDP",profile="UsernameToken",type="Appkey"';

function token(digest = HEX_DIGEST, created = CREATED, nonce = NONCE): string {
  return `UsernameToken Username="${APP_KEY}",PasswordDigest="${digest}",Nonce="${nonce}",Created="${created}"`;
}

function verify(headers: HeaderBag, nowMs = CREATED_MS) {
  return verifyWsse(headers, lookup, nowMs);
}

describe("passwordDigest (docs/providers/huawei.md §3.3 vectors)", () => {
  it("hex form: base64 of the lowercase hex string, 88 chars", () => {
    const digest = passwordDigest(NONCE, CREATED, SECRET, "hex");
    expect(digest).toBe(HEX_DIGEST);
    expect(digest).toHaveLength(88);
  });

  it("raw form: base64 of the 32 digest bytes, 44 chars", () => {
    const digest = passwordDigest(NONCE, CREATED, SECRET, "raw");
    expect(digest).toBe(RAW_DIGEST);
    expect(digest).toHaveLength(44);
  });

  it("both forms are the same hash", () => {
    const hex = Buffer.from(HEX_DIGEST, "base64").toString("utf8");
    expect(Buffer.from(RAW_DIGEST, "base64").toString("hex")).toBe(hex);
  });
});

describe("wsseHeaders", () => {
  it("builds the doc's header shapes with the hex digest by default", () => {
    const headers = wsseHeaders({
      appKey: APP_KEY,
      appSecret: SECRET,
      nonce: NONCE,
      created: CREATED,
    });
    expect(headers).toEqual({ Authorization: AUTHORIZATION, "X-WSSE": token() });
  });

  it("mints a 32-char upper-case hex nonce and a UTC Created when none is given", () => {
    const headers = wsseHeaders({ appKey: APP_KEY, appSecret: SECRET });
    const { attributes } = parseHeader(headers["X-WSSE"]);
    expect(attributes.get("nonce")).toMatch(/^[0-9A-F]{32}$/);
    expect(attributes.get("created")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const created = parseCreated(attributes.get("created") ?? "") ?? 0;
    expect(Math.abs(created - Date.now())).toBeLessThan(5000);
  });

  it("round-trips through verifyWsse in both encodings", () => {
    for (const encoding of ["hex", "raw"] as const) {
      const headers = wsseHeaders({ appKey: APP_KEY, appSecret: SECRET, encoding });
      expect(verifyWsse(headers, lookup, Date.now())).toEqual({
        ok: true,
        appKey: APP_KEY,
        encoding,
      });
    }
  });
});

describe("verifyWsse", () => {
  it("accepts both digest encodings (docs/providers/huawei.md §0.3)", () => {
    expect(verify({ authorization: AUTHORIZATION, "x-wsse": token(HEX_DIGEST) })).toMatchObject({
      ok: true,
      encoding: "hex",
    });
    expect(verify({ authorization: AUTHORIZATION, "x-wsse": token(RAW_DIGEST) })).toMatchObject({
      ok: true,
      encoding: "raw",
    });
  });

  it("parses loosely: spaces around , and =, optional quotes, any case of names", () => {
    const headers = {
      Authorization: 'wsse Realm = SDP , PROFILE="UsernameToken",  type= Appkey ',
      "X-Wsse": `usernametoken username = ${APP_KEY} ,  passworddigest="${RAW_DIGEST}",nonce=${NONCE} , CREATED = "${CREATED}"`,
    };
    expect(verify(headers)).toEqual({ ok: true, appKey: APP_KEY, encoding: "raw" });
  });

  it("accepts Created up to 24 h either side of now, refuses beyond (E000110, 401)", () => {
    const headers = { authorization: AUTHORIZATION, "x-wsse": token() };
    const day = 24 * 3600_000;
    expect(verify(headers, CREATED_MS + day).ok).toBe(true);
    expect(verify(headers, CREATED_MS - day).ok).toBe(true);
    expect(verify(headers, CREATED_MS + day + 1000)).toMatchObject({
      ok: false,
      code: "E000110",
      status: 401,
    });
    expect(verify(headers, CREATED_MS - day - 1000)).toMatchObject({ code: "E000110" });
  });

  it("refuses a Created that is not strict UTC YYYY-MM-DDTHH:MM:SSZ", () => {
    for (const created of [
      "2018-05-26 00:35:30",
      "2018-05-26T00:35:30+08:00",
      "2018-02-30T00:00:00Z",
    ]) {
      const digest = passwordDigest(NONCE, created, SECRET, "hex");
      expect(
        verify({ authorization: AUTHORIZATION, "x-wsse": token(digest, created) }),
      ).toMatchObject({ code: "E000110" });
    }
  });

  it("wrong secret or tampered nonce → E000101 (401); unknown app_key → E000111 (401)", () => {
    const wrong = passwordDigest(NONCE, CREATED, "not-the-secret", "hex");
    expect(verify({ authorization: AUTHORIZATION, "x-wsse": token(wrong) })).toEqual({
      ok: false,
      code: "E000101",
      status: 401,
      description: "Authentication failed.",
    });
    expect(
      verify({ authorization: AUTHORIZATION, "x-wsse": token(HEX_DIGEST, CREATED, `${NONCE}0`) }),
    ).toMatchObject({ code: "E000101" });
    const stranger = token().replace(APP_KEY, "someone-else");
    expect(verify({ authorization: AUTHORIZATION, "x-wsse": stranger })).toMatchObject({
      code: "E000111",
      status: 401,
    });
  });

  it("Authorization problems → E000001..E000008 (400)", () => {
    const cases: [string | undefined, string][] = [
      [undefined, "E000001"],
      ["", "E000001"],
      ['Basic realm="SDP",profile="UsernameToken",type="Appkey"', "E000008"],
      ['realm="SDP",profile="UsernameToken",type="Appkey"', "E000008"],
      ['WSSE profile="UsernameToken",type="Appkey"', "E000002"],
      ['WSSE realm="SDP",type="Appkey"', "E000003"],
      ['WSSE realm="XYZ",profile="UsernameToken",type="Appkey"', "E000004"],
      ['WSSE realm="SDP",profile="Digest",type="Appkey"', "E000005"],
      ['WSSE realm="SDP",profile="UsernameToken",type="AKSK"', "E000006"],
      ['WSSE realm="SDP",profile="UsernameToken"', "E000007"],
    ];
    for (const [authorization, code] of cases) {
      const result = verify({ authorization, "x-wsse": token() });
      expect(result, authorization).toMatchObject({ ok: false, code, status: 400 });
    }
  });

  it("X-WSSE problems → E000020..E000024 (400)", () => {
    const full = { Username: APP_KEY, PasswordDigest: HEX_DIGEST, Nonce: NONCE, Created: CREATED };
    const without = (name: keyof typeof full) =>
      `UsernameToken ${Object.entries(full)
        .filter(([key]) => key !== name)
        .map(([key, value]) => `${key}="${value}"`)
        .join(",")}`;
    const cases: [string | undefined, string][] = [
      [undefined, "E000020"],
      [`Token ${without("Created")}`, "E000020"],
      [without("Username"), "E000021"],
      [without("Nonce"), "E000022"],
      [token(HEX_DIGEST, CREATED, "not-alnum!"), "E000022"],
      [without("Created"), "E000023"],
      [without("PasswordDigest"), "E000024"],
    ];
    for (const [wsse, code] of cases) {
      expect(verify({ authorization: AUTHORIZATION, "x-wsse": wsse }), wsse).toMatchObject({
        ok: false,
        code,
        status: 400,
      });
    }
  });
});

describe("helpers", () => {
  it("wsseCreated formats UTC seconds", () => {
    expect(wsseCreated(Date.UTC(2018, 1, 12, 15, 30, 20, 999))).toBe("2018-02-12T15:30:20Z");
  });

  it("parseHeader splits scheme and attributes, first occurrence wins", () => {
    expect(parseHeader('WSSE a="1", A=2 ,b = "x,y"')).toEqual({
      scheme: "WSSE",
      attributes: new Map([
        ["a", "1"],
        ["b", "x,y"],
      ]),
    });
    expect(parseHeader("realm = SDP").scheme).toBeUndefined();
  });
});
