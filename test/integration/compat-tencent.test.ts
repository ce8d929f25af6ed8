/**
 * The Tencent-compatible ingress, driven by the unmodified official SDK
 * (tencentcloud-sdk-nodejs-sms) with only its endpoint changed to the local stack.
 */
import { createRequire } from "node:module";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { sms } from "tencentcloud-sdk-nodejs-sms";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { localClient } from "../../local/dynamo";
import { LOCAL_TABLE } from "../../local/stack";
import {
  newApp,
  routeTo,
  startTestStack,
  type TestApp,
  type TestStack,
  waitFor,
} from "../helpers/stack";

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s?.close());
beforeEach(() => s.tencent.reset());

const SmsClient = sms.v20210111.Client;

/** The SDK exactly as an existing integration builds it; only the endpoint differs. */
function client(secretId: string, secretKey: string) {
  const endpoint = new URL(s.apiUrl).host; // 127.0.0.1:<port>
  return new SmsClient({
    credential: { secretId, secretKey },
    region: "ap-guangzhou",
    profile: { httpProfile: { endpoint, protocol: "http://", reqTimeout: 10 } },
  });
}

async function tencentCredential(app: TestApp, scopes = ["send", "read"]) {
  const res = await s.api("POST", `/v1/apps/${app.appId}/keys`, {
    key: app.apiKey,
    body: { scopes, format: "tencent" },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; secretId: string; secretKey: string; scopes: string[] };
}

const sendReq = (app: TestApp, phones: string[], extra: object = {}) => ({
  PhoneNumberSet: phones,
  SmsSdkAppId: app.appId,
  TemplateId: "1000001",
  SignName: "smsgate",
  TemplateParamSet: ["482913", "5"],
  ...extra,
});

describe("SendSms through the official SDK", () => {
  it("sends with Tencent's answer shape; SerialNo is the smsgate message id", async () => {
    const app = await newApp(s);
    const cred = await tencentCredential(app);
    expect(cred.secretId).toMatch(/^AKID[0-9A-Za-z]{32}$/);
    expect(cred.secretKey).toMatch(/^[0-9A-Za-z]{32}$/);
    const out = await client(cred.secretId, cred.secretKey).SendSms(
      sendReq(app, ["+8613800138100", "13800138101"], { SessionContext: "order-7" }),
    );
    expect(out.RequestId).toEqual(expect.any(String));
    expect(out.SendStatusSet).toHaveLength(2);
    for (const [i, phone] of ["+8613800138100", "+8613800138101"].entries()) {
      const st = out.SendStatusSet?.[i];
      expect(st).toEqual({
        SerialNo: expect.stringMatching(/.+/),
        PhoneNumber: phone,
        Fee: 1,
        SessionContext: "order-7",
        Code: "Ok",
        Message: "send success",
        IsoCode: "CN",
      });
      const rec = await s.api("GET", `/v1/messages/${st?.SerialNo}`, { key: app.apiKey });
      expect(rec.body).toMatchObject({ to: phone, template: "login-code", context: "order-7" });
    }
    // It went to the vendor once per number, with smsgate's own template id and signature.
    expect(s.tencent.messages().map((m) => m.phone)).toEqual(["+8613800138100", "+8613800138101"]);
  });

  it("accepts smsgate's own template id as TemplateId too", async () => {
    const app = await newApp(s);
    const cred = await tencentCredential(app);
    const out = await client(cred.secretId, cred.secretKey).SendSms(
      sendReq(app, ["+8613800138102"], { TemplateId: "login-code", SmsSdkAppId: "1400000001" }),
    );
    expect(out.SendStatusSet?.[0]?.Code).toBe("Ok");
  });

  it("applies every smsgate rule per number, in Tencent's codes", async () => {
    const app = await newApp(s);
    const cred = await tencentCredential(app);
    await s.api("POST", `/v1/apps/${app.appId}/opt-outs`, {
      key: app.apiKey,
      body: { phone: "+8613800138103", consent: true },
    });
    const c = client(cred.secretId, cred.secretKey);
    const first = await c.SendSms(sendReq(app, ["+8613800138103", "+8613800138104"]));
    expect(first.SendStatusSet).toEqual([
      {
        SerialNo: "",
        PhoneNumber: "+8613800138103",
        Fee: 0,
        SessionContext: "",
        Code: "FailedOperation.PhoneNumberInBlacklist",
        Message: expect.any(String),
        IsoCode: "",
      },
      expect.objectContaining({ PhoneNumber: "+8613800138104", Code: "Ok" }),
    ]);
    // Same content to the same number within 30 s: smsgate's frequency rule, Tencent's code.
    const again = await c.SendSms(sendReq(app, ["+8613800138104"]));
    expect(again.SendStatusSet?.[0]).toMatchObject({
      SerialNo: "",
      Code: "LimitExceeded.PhoneNumberSameContentDailyLimit",
    });
    expect(s.tencent.messages()).toHaveLength(1);
  });

  it("answers request-level refusals in Tencent's error envelope", async () => {
    const app = await newApp(s);
    const cred = await tencentCredential(app);
    const c = client(cred.secretId, cred.secretKey);
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => "resolved",
        (e: { code?: string }) => e.code,
      );
    expect(
      await codeOf(c.SendSms(sendReq(app, ["+8613800138105"], { SmsSdkAppId: "1400999999" }))),
    ).toBe("UnauthorizedOperation.SmsSdkAppIdVerifyFail");
    expect(await codeOf(c.SendSms(sendReq(app, ["+8613800138105"], { TemplateId: "999" })))).toBe(
      "FailedOperation.TemplateUnapprovedOrNotExist",
    );
    expect(await codeOf(c.SendSms(sendReq(app, ["+8613800138105"], { ExtendCode: "01" })))).toBe(
      "UnsupportedOperation",
    );
    expect(
      await codeOf(c.SendSms(sendReq(app, ["+8613800138105"], { TemplateParamSet: ["1"] }))),
    ).toBe("FailedOperation.TemplateParamSetNotMatchApprovedTemplate");
    expect(await codeOf(c.SendSms(sendReq(app, ["+8613800138105", "+12025550123"])))).toBe(
      "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
    );
    expect(await codeOf(c.SendSms(sendReq(app, [])))).toBe("MissingParameter.EmptyPhoneNumberSet");
    expect(s.tencent.messages()).toEqual([]);
  });
});

describe("TC3 verification", () => {
  it("refuses a wrong SecretKey, an unknown or revoked SecretId, and sends nothing", async () => {
    const app = await newApp(s);
    const cred = await tencentCredential(app);
    const codeOf = (secretId: string, secretKey: string) =>
      client(secretId, secretKey)
        .SendSms(sendReq(app, ["+8613800138106"]))
        .then(
          () => "resolved",
          (e: { code?: string }) => e.code,
        );
    expect(await codeOf(cred.secretId, `${cred.secretKey.slice(0, -1)}x`)).toBe(
      "AuthFailure.SignatureFailure",
    );
    expect(await codeOf(`${cred.secretId.slice(0, -1)}Z`, cred.secretKey)).toBe(
      "AuthFailure.SecretIdNotFound",
    );
    const del = await s.api("DELETE", `/v1/apps/${app.appId}/keys/${cred.id}`, { key: app.apiKey });
    expect(del.status).toBe(204);
    expect(await codeOf(cred.secretId, cred.secretKey)).toBe("AuthFailure.SecretIdNotFound");
    expect(s.tencent.messages()).toEqual([]);
  });

  it("refuses a tampered body, a stale timestamp, and a SecretId used as a bearer key", async () => {
    const app = await newApp(s);
    const cred = await tencentCredential(app);
    // Sign one body with the SDK's own signer, send another.
    const Sign = createRequire(import.meta.url)(
      "tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js",
    ).default;
    const host = new URL(s.apiUrl).host;
    const call = async (body: string, signedBody: string, timestamp: number) => {
      const authorization = Sign.sign3({
        method: "POST",
        url: `http://${host}/`,
        payload: JSON.parse(signedBody),
        timestamp,
        service: "sms",
        secretId: cred.secretId,
        secretKey: cred.secretKey,
        multipart: false,
        boundary: "",
        headers: { "Content-Type": "application/json" },
      });
      const res = await fetch(`${s.apiUrl}/`, {
        method: "POST",
        headers: {
          authorization,
          "content-type": "application/json",
          "x-tc-action": "SendSms",
          "x-tc-version": "2021-01-11",
          "x-tc-timestamp": String(timestamp),
          "x-tc-region": "ap-guangzhou",
        },
        body,
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { Response: { Error?: { Code: string } } };
    };
    const body = JSON.stringify(sendReq(app, ["+8613800138107"]));
    const now = Math.floor(Date.now() / 1000);
    const ok = await call(body, body, now);
    expect(ok.Response.Error).toBeUndefined();
    const tampered = JSON.stringify(sendReq(app, ["+8613800138108"]));
    expect((await call(tampered, body, now)).Response.Error?.Code).toBe(
      "AuthFailure.SignatureFailure",
    );
    expect((await call(body, body, now - 301)).Response.Error?.Code).toBe(
      "AuthFailure.SignatureExpire",
    );
    expect(s.tencent.messages().map((m) => m.phone)).toEqual(["+8613800138107"]);

    const bearer = await s.api("POST", "/v1/messages", {
      key: cred.secretId,
      body: { to: ["+8613800138109"], template: "login-code", params: ["1", "2"] },
    });
    expect(bearer.status).toBe(401);
  });

  it("keeps the SecretKey out of the table in clear", async () => {
    const app = await newApp(s);
    const cred = await tencentCredential(app);
    const dynamo = localClient(process.env.DYNAMODB_ENDPOINT ?? "");
    const all = await dynamo.send(new ScanCommand({ TableName: LOCAL_TABLE }));
    const dump = JSON.stringify(all.Items);
    expect(dump).toContain(cred.secretId);
    expect(dump).not.toContain(cred.secretKey);
    // Listed like any key, without the secret.
    const list = await s.api("GET", `/v1/apps/${app.appId}/keys`, { key: app.apiKey });
    expect(list.body.keys).toContainEqual(
      expect.objectContaining({ id: cred.id, format: "tencent", secretId: cred.secretId }),
    );
    expect(JSON.stringify(list.body)).not.toContain(cred.secretKey);
  });
});

describe("PullSmsSendStatus through the official SDK", () => {
  it("returns each final status once, with the SerialNo SendSms gave", async () => {
    const app = await newApp(s);
    await routeTo(s, app, "tencent");
    const cred = await tencentCredential(app);
    const c = client(cred.secretId, cred.secretKey);
    const sent = await c.SendSms(
      sendReq(app, ["+8613800138110", "+8613800138114"], { SessionContext: "pull-me" }),
    );
    const serials = sent.SendStatusSet?.map((x) => x.SerialNo) ?? [];
    const pulled: Record<string, unknown>[] = [];
    await waitFor(
      async () => {
        const out = await c.PullSmsSendStatus({ Limit: 100, SmsSdkAppId: app.appId });
        pulled.push(...((out.PullSmsSendStatusSet ?? []) as unknown as Record<string, unknown>[]));
        return pulled.length >= 2;
      },
      5000,
      "two pulled statuses",
    );
    const bySerial = new Map(pulled.map((p) => [p.SerialNo, p]));
    expect(bySerial.get(serials[0])).toEqual({
      UserReceiveTime: expect.any(Number),
      CountryCode: "86",
      SubscriberNumber: "13800138110",
      PhoneNumber: "+8613800138110",
      SerialNo: serials[0],
      ReportStatus: "SUCCESS",
      Description: "DELIVRD",
      SessionContext: "pull-me",
    });
    // …4 is reported undelivered by the emulator.
    expect(bySerial.get(serials[1])).toMatchObject({ ReportStatus: "FAIL" });
    const again = await c.PullSmsSendStatus({ Limit: 100, SmsSdkAppId: app.appId });
    expect(again.PullSmsSendStatusSet).toEqual([]);
  });

  it("needs the read scope", async () => {
    const app = await newApp(s);
    const cred = await tencentCredential(app, ["send"]);
    const err = await client(cred.secretId, cred.secretKey)
      .PullSmsSendStatus({ Limit: 10, SmsSdkAppId: app.appId })
      .catch((e: { code?: string }) => e.code);
    expect(err).toBe("AuthFailure.UnauthorizedOperation");
  });
});
