/**
 * Drives the Tencent SMS emulator with the REAL SDK (tencentcloud-sdk-nodejs-sms), loopback only.
 * Client options per docs/providers/tencent.md §2: endpoint "127.0.0.1:PORT", protocol "http://".
 */
import { randomUUID } from "node:crypto";
import { sms } from "tencentcloud-sdk-nodejs-sms";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  startTencentEmulator,
  type TencentEmulator,
  type TencentEmulatorOptions,
} from "../../local/tencent-emulator/index";
import { tc3Sign } from "../../local/tencent-emulator/tc3";
import {
  type CallbackReceiver as Receiver,
  startReceiver as startReceiverWith,
} from "../helpers/receiver";

const SmsClient = sms.v20210111.Client;
type SmsClientInstance = InstanceType<typeof SmsClient>;
type SendSmsRequest = Parameters<SmsClientInstance["SendSms"]>[0];

const SECRET_ID = "AKIDintegration";
const SECRET_KEY = "integration-secret";
const APP = "1400000001"; // has status + reply callbacks and a sign list
const PULL_APP = "1400000002"; // no callbacks: status reports only via PullSmsSendStatus
const SIGN = "腾讯云";
const REPORT_DELAY_MS = 150;

const TEMPLATES = {
  code: {
    id: "1001",
    body: "您的验证码是{1}，{2}分钟内有效。",
    international: false,
    verification: true,
  },
  notice: { id: "1002", body: "{1}", international: false },
  global: { id: "2001", body: "Your code is {1}", international: true },
};

// ---------------------------------------------------------------------------------------------
// A little callback receiver standing in for smsgate's ingest endpoints (JSON, Tencent's answer).
type CallbackReceiver = Receiver<unknown>;
const startReceiver = (): Promise<CallbackReceiver> =>
  startReceiverWith(
    {
      status: 200,
      body: '{"result":0,"errmsg":"OK"}',
      headers: { "Content-Type": "application/json" },
    },
    (text) => JSON.parse(text),
  );

// ---------------------------------------------------------------------------------------------
// Helpers

interface SdkError {
  code?: string;
  message: string;
  requestId?: string;
  traceId?: string;
  httpCode?: number;
  type?: string;
  name?: string;
}

async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error("expected the call to fail");
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface StatusItem {
  user_receive_time: string;
  nationcode: string;
  mobile: string;
  report_status: string;
  errmsg: string;
  description: string;
  sid: string;
}

let emulator: TencentEmulator;
let receiver: CallbackReceiver;

function client(
  credential = { secretId: SECRET_ID, secretKey: SECRET_KEY },
  reqTimeout = 5,
  target: TencentEmulator = emulator,
): SmsClientInstance {
  return new SmsClient({
    credential,
    region: "ap-guangzhou",
    profile: { httpProfile: { endpoint: target.endpoint, protocol: "http://", reqTimeout } },
  });
}

function send(request: Partial<SendSmsRequest> & { PhoneNumberSet: string[] }, sdk = client()) {
  return sdk.SendSms({
    SmsSdkAppId: APP,
    TemplateId: TEMPLATES.code.id,
    SignName: SIGN,
    TemplateParamSet: ["123456", "5"],
    ...request,
  });
}

function statusPushes(): StatusItem[][] {
  return receiver.received.filter((r) => r.path === "/status").map((r) => r.body as StatusItem[]);
}

async function control(path: string, body?: unknown, method = body === undefined ? "GET" : "POST") {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

beforeAll(async () => {
  // docs/providers/tencent.md §2 gotcha: the SDK honours http_proxy; keep everything on loopback.
  delete process.env.http_proxy;
  delete process.env.https_proxy;
  receiver = await startReceiver();
  const options: TencentEmulatorOptions = {
    credentials: [{ secretId: SECRET_ID, secretKey: SECRET_KEY }],
    apps: [
      {
        sdkAppId: APP,
        statusCallbackUrl: `${receiver.url}/status`,
        replyCallbackUrl: `${receiver.url}/reply`,
        signs: [SIGN, "Acme"],
      },
      { sdkAppId: PULL_APP },
    ],
    templates: Object.values(TEMPLATES),
    reportDelayMs: REPORT_DELAY_MS,
    timeoutHoldMs: 3000,
  };
  emulator = await startTencentEmulator(options);
});

afterAll(async () => {
  await emulator?.close();
  await receiver?.close();
});

beforeEach(async () => {
  emulator.reset();
  // reset() drops scheduled reports; one already on the wire lands a moment later. Let it
  // land before clearing, so no test sees the previous test's push.
  await new Promise((r) => setTimeout(r, 50));
  receiver.received.length = 0;
  receiver.script.length = 0;
});

// ---------------------------------------------------------------------------------------------

describe("SendSms through the real SDK", () => {
  it("accepts a send: SerialNo, Fee, IsoCode, normalised numbers, SessionContext echoed", async () => {
    const response = await send({
      PhoneNumberSet: ["+8613800000001", "13800000002", "8613800000003", "008613800000005"],
      SessionContext: "ctx-1",
    });
    expect(response.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    const set = response.SendStatusSet ?? [];
    expect(set.map((s) => s.PhoneNumber)).toEqual([
      "+8613800000001",
      "+8613800000002",
      "+8613800000003",
      "+8613800000005",
    ]);
    for (const status of set) {
      expect(status).toMatchObject({
        Code: "Ok",
        Message: "send success",
        Fee: 1,
        IsoCode: "CN",
        SessionContext: "ctx-1",
      });
      expect(status.SerialNo).toMatch(/^2433:\d{20,}$/);
    }
    expect(new Set(set.map((s) => s.SerialNo)).size).toBe(4);

    const recorded = emulator.messages();
    expect(recorded).toHaveLength(4);
    expect(recorded[0]).toMatchObject({
      phone: "+8613800000001",
      serial: set[0]?.SerialNo,
      templateId: TEMPLATES.code.id,
      params: ["123456", "5"],
      sign: SIGN,
      code: "Ok",
      sdkAppId: APP,
      fee: 1,
      sessionContext: "ctx-1",
    });
    expect(Date.parse(recorded[0]?.at ?? "")).not.toBeNaN();
  });

  it("bills Fee on 【sign】 + rendered body (docs/providers/tencent.md §5)", async () => {
    // 【腾讯云】 (5) + 65 = 70 → 1; + 66 = 71 → 2; + 145 = 150 → 3
    const fees = [];
    for (const length of [65, 66, 145]) {
      const response = await send({
        PhoneNumberSet: ["+8613800000001"],
        TemplateId: TEMPLATES.notice.id,
        TemplateParamSet: ["好".repeat(length)],
      });
      fees.push(response.SendStatusSet?.[0]?.Fee);
    }
    expect(fees).toEqual([1, 2, 3]);
  });

  it("sends international numbers with IsoCode from the calling code", async () => {
    const response = await send({
      PhoneNumberSet: [
        "+14155550100",
        "+447700900123",
        "+85291234567",
        "+6591234567",
        "+819012345678",
        "+4915112345678",
        "+380501234567",
      ],
      TemplateId: TEMPLATES.global.id,
      TemplateParamSet: ["123456"],
      SignName: undefined,
    });
    const set = response.SendStatusSet ?? [];
    expect(set.map((s) => s.IsoCode)).toEqual(["US", "GB", "HK", "SG", "JP", "DE", "DEF"]);
    expect(set.every((s) => s.Code === "Ok" && s.Fee === 1)).toBe(true);
    const pushed = await waitFor(() => statusPushes()[0]);
    expect(pushed.find((item) => item.sid === set[0]?.SerialNo)).toMatchObject({
      nationcode: "1",
      mobile: "4155550100",
    });
  });

  it("wrong secret → AuthFailure.SignatureFailure (thrown by the SDK)", async () => {
    const error = await failure(
      send(
        { PhoneNumberSet: ["+8613800000001"] },
        client({ secretId: SECRET_ID, secretKey: "nope" }),
      ),
    );
    expect(error.code).toBe("AuthFailure.SignatureFailure");
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.traceId).toMatch(/^[0-9a-f-]{36}$/); // X-TC-TraceId echoed
    expect(emulator.messages()).toHaveLength(0);
  });

  it("unknown SecretId → AuthFailure.SecretIdNotFound", async () => {
    const error = await failure(
      send(
        { PhoneNumberSet: ["+8613800000001"] },
        client({ secretId: "AKIDunknown", secretKey: SECRET_KEY }),
      ),
    );
    expect(error.code).toBe("AuthFailure.SecretIdNotFound");
  });

  it("clock skew > 300 s → AuthFailure.SignatureExpire", async () => {
    const skewed = await startTencentEmulator({
      credentials: [{ secretId: SECRET_ID, secretKey: SECRET_KEY }],
      apps: [{ sdkAppId: APP }],
      templates: [TEMPLATES.code],
      now: () => Date.now() + 301_000,
    });
    try {
      const error = await failure(
        send({ PhoneNumberSet: ["+8613800000001"] }, client(undefined, 5, skewed)),
      );
      expect(error.code).toBe("AuthFailure.SignatureExpire");
    } finally {
      await skewed.close();
    }
  });

  it("200 numbers are fine; 201 → LimitExceeded.PhoneNumberCountLimit; none → EmptyPhoneNumberSet", async () => {
    const numbers = Array.from({ length: 201 }, (_, i) => `+861390${String(i).padStart(6, "0")}1`);
    const tooMany = await failure(send({ PhoneNumberSet: numbers }));
    expect(tooMany.code).toBe("LimitExceeded.PhoneNumberCountLimit");
    const empty = await failure(send({ PhoneNumberSet: [] }));
    expect(empty.code).toBe("MissingParameter.EmptyPhoneNumberSet");
    expect(emulator.messages()).toHaveLength(0);

    const response = await send({ PhoneNumberSet: numbers.slice(0, 200) });
    expect(response.SendStatusSet?.filter((s) => s.Code === "Ok")).toHaveLength(200);
    // docs/providers/tencent.md §4a: at most 100 reports per push.
    const pushes = await waitFor(() => (statusPushes().length >= 2 ? statusPushes() : undefined));
    expect(pushes.map((p) => p.length)).toEqual([100, 100]);
  });

  it("request-level errors: mixed numbers, template/region mismatch, unknown app or template", async () => {
    const cases: [Partial<SendSmsRequest> & { PhoneNumberSet: string[] }, string][] = [
      [
        { PhoneNumberSet: ["+8613800000001", "+14155550100"] },
        "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
      ],
      [
        { PhoneNumberSet: ["+14155550100"] },
        "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone",
      ],
      [
        {
          PhoneNumberSet: ["+8613800000001"],
          TemplateId: TEMPLATES.global.id,
          TemplateParamSet: ["1"],
        },
        "UnsupportedOperation.GlobalTemplateToChineseMainlandPhone",
      ],
      [
        { PhoneNumberSet: ["+8613800000001"], SmsSdkAppId: "1400999999" },
        "InvalidParameterValue.SdkAppIdNotExist",
      ],
      [
        { PhoneNumberSet: ["+8613800000001"], TemplateId: "9999" },
        "FailedOperation.TemplateUnapprovedOrNotExist",
      ],
      [
        { PhoneNumberSet: ["+8613800000001"], SignName: "Other" },
        "FailedOperation.SignatureIncorrectOrUnapproved",
      ],
    ];
    for (const [request, code] of cases) {
      expect((await failure(send(request))).code, code).toBe(code);
    }
    expect(emulator.messages()).toHaveLength(0);
  });

  it("missing SignName for a mainland number → MissingParameter naming SignName", async () => {
    const error = await failure(send({ PhoneNumberSet: ["+8613800000001"], SignName: undefined }));
    expect(error.code).toBe("MissingParameter");
    expect(error.message).toContain("SignName");
  });

  it("per-number failures: param count, verification format, bad number", async () => {
    const mismatch = await send({
      PhoneNumberSet: ["+8613800000001"],
      TemplateParamSet: ["123456"],
    });
    expect(mismatch.SendStatusSet?.[0]).toEqual({
      SerialNo: "",
      PhoneNumber: "+8613800000001",
      Fee: 0,
      SessionContext: "",
      Code: "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
      Message: "request content does not match the template content",
      IsoCode: "",
    });

    const format = await send({
      PhoneNumberSet: ["+8613800000001"],
      TemplateParamSet: ["12ab", "5"],
    });
    expect(format.SendStatusSet?.[0]?.Code).toBe(
      "InvalidParameterValue.TemplateParameterFormatError",
    );

    const mixed = await send({ PhoneNumberSet: ["12345", "+8613800000001"] });
    expect(mixed.SendStatusSet?.map((s) => s.Code)).toEqual([
      "InvalidParameterValue.IncorrectPhoneNumber",
      "Ok",
    ]);
    expect(mixed.SendStatusSet?.[0]).toMatchObject({ SerialNo: "", PhoneNumber: "12345", Fee: 0 });

    expect(emulator.messages().map((m) => m.code)).toEqual([
      "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
      "InvalidParameterValue.TemplateParameterFormatError",
      "InvalidParameterValue.IncorrectPhoneNumber",
      "Ok",
    ]);
  });
});

describe("simulator numbers and status reports", () => {
  it("suffix 4/44/444 and default; reports pushed as one JSON array", async () => {
    const response = await send({
      PhoneNumberSet: ["+8613800000001", "+8613800000004", "+8613800000044", "+8613800000444"],
    });
    const [ok, undeliv, refused, silent] = response.SendStatusSet ?? [];
    expect(ok?.Code).toBe("Ok");
    expect(undeliv?.Code).toBe("Ok");
    expect(refused).toMatchObject({
      Code: "FailedOperation.PhoneNumberInBlacklist",
      SerialNo: "",
      Fee: 0,
    });
    expect(silent?.Code).toBe("Ok");

    const push = await waitFor(() => receiver.received.find((r) => r.path === "/status"));
    expect(push.headers["content-type"]).toMatch(/^application\/json/);
    const items = push.body as StatusItem[];
    expect(Array.isArray(items)).toBe(true);
    expect(items).toHaveLength(2);
    expect(items[0]).toEqual({
      user_receive_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      nationcode: "86",
      mobile: "13800000001",
      report_status: "SUCCESS",
      errmsg: "DELIVRD",
      description: "用户短信送达成功",
      sid: ok?.SerialNo,
    });
    expect(items[1]).toMatchObject({
      mobile: "13800000004",
      report_status: "FAIL",
      errmsg: "UNDELIV",
      description: "用户短信未送达",
      sid: undeliv?.SerialNo,
    });
    // UTC+8 (docs/providers/tencent.md §4a, presumed)
    const receivedAt = Date.parse(`${items[0]?.user_receive_time.replace(" ", "T")}+08:00`);
    expect(Math.abs(receivedAt - Date.now())).toBeLessThan(5000);

    await sleep(REPORT_DELAY_MS * 2); // "444" is never reported
    expect(statusPushes()).toHaveLength(1);
  });

  it("retries a push that is not acknowledged, 3 attempts in total", async () => {
    receiver.script.push(
      { status: 500, body: "no" },
      { status: 200, body: '{"result":1,"errmsg":"busy"}' },
    );
    const response = await send({ PhoneNumberSet: ["+8613800000001"] });
    const pushes = await waitFor(() => (statusPushes().length >= 3 ? statusPushes() : undefined));
    expect(pushes.map((p) => p[0]?.sid)).toEqual(
      Array(3).fill(response.SendStatusSet?.[0]?.SerialNo),
    );
  });

  it("PullSmsSendStatus returns each elapsed report once (no callback URL needed)", async () => {
    const sdk = client();
    const response = await send({
      PhoneNumberSet: ["+8613800000001", "+8613800000004", "+8613800000444"],
      SmsSdkAppId: PULL_APP,
      SessionContext: "pull",
    });
    const early = await sdk.PullSmsSendStatus({ Limit: 10, SmsSdkAppId: PULL_APP });
    expect(early.PullSmsSendStatusSet).toEqual([]);

    await sleep(REPORT_DELAY_MS + 100);
    const first = await sdk.PullSmsSendStatus({ Limit: 1, SmsSdkAppId: PULL_APP });
    const rest = await sdk.PullSmsSendStatus({ Limit: 100, SmsSdkAppId: PULL_APP });
    const again = await sdk.PullSmsSendStatus({ Limit: 100, SmsSdkAppId: PULL_APP });
    expect(first.PullSmsSendStatusSet).toHaveLength(1);
    expect(rest.PullSmsSendStatusSet).toHaveLength(1);
    expect(again.PullSmsSendStatusSet).toEqual([]);
    expect(first.PullSmsSendStatusSet?.[0]).toEqual({
      UserReceiveTime: expect.any(Number),
      CountryCode: "86",
      SubscriberNumber: "13800000001",
      PhoneNumber: "+8613800000001",
      SerialNo: response.SendStatusSet?.[0]?.SerialNo,
      ReportStatus: "SUCCESS",
      Description: "DELIVRD",
      SessionContext: "pull",
    });
    expect(
      Math.abs((first.PullSmsSendStatusSet?.[0]?.UserReceiveTime ?? 0) - Date.now() / 1000),
    ).toBeLessThan(5);
    expect(rest.PullSmsSendStatusSet?.[0]).toMatchObject({
      ReportStatus: "FAIL",
      Description: "UNDELIV",
    });
    expect(statusPushes()).toHaveLength(0);

    const badLimit = await failure(sdk.PullSmsSendStatus({ Limit: 0, SmsSdkAppId: PULL_APP }));
    expect(badLimit.code).toBe("InvalidParameterValue.LimitVerifyFail");
  });
});

describe("replies", () => {
  it("POST /_control/reply pushes Tencent's reply object to the app that last sent", async () => {
    await send({ PhoneNumberSet: ["+8613800000001"] });
    const answer = await control("/_control/reply", { phone: "+8613800000001", text: "TD" });
    expect(answer).toEqual({ status: 200, body: { ok: true } });
    const reply = receiver.received.find((r) => r.path === "/reply");
    expect(reply?.body).toEqual({
      extend: "",
      mobile: "13800000001",
      nationcode: "86",
      sign: SIGN,
      text: "TD",
      time: expect.any(Number),
    });
  });

  it("answers 502 when the reply push is never acknowledged", async () => {
    // For /reply only: a status push the previous test's send scheduled may still arrive.
    receiver.script.push(
      ...Array(3).fill({ status: 200, body: '{"result":1,"errmsg":"no"}', path: "/reply" }),
    );
    const answer = await control("/_control/reply", {
      phone: "13800000009",
      text: "hi",
      sign: "Acme",
      sdkAppId: APP,
    });
    expect(answer.status).toBe(502);
    expect(receiver.received.filter((r) => r.path === "/reply")).toHaveLength(3);
    await expect(
      emulator.reply({ phone: "+8613800000009", text: "ok now" }),
    ).resolves.toBeUndefined();
  });
});

describe("faults (docs/providers/tencent.md §2 'How the SDK handles responses')", () => {
  it("http500 → SDK exception with httpCode 500 and no code; nothing processed", async () => {
    await control("/_control/faults", { mode: "http500" });
    const error = await failure(send({ PhoneNumberSet: ["+8613800000001"] }));
    expect(error.httpCode).toBe(500);
    expect(error.code).toBeUndefined();
    expect(error.message).toBe("Internal Server Error");
    expect((await control("/_control/messages")).body).toEqual([]); // control routes still work
  });

  it("badjson → raw node-fetch invalid-json error; nothing processed", async () => {
    emulator.setFault("badjson");
    const error = await failure(send({ PhoneNumberSet: ["+8613800000001"] }));
    expect(error.type).toBe("invalid-json");
    expect(error.code).toBeUndefined();
    expect(emulator.messages()).toHaveLength(0);
  });

  it("timeout → SDK network timeout after reqTimeout, but the send WAS accepted", async () => {
    emulator.setFault("timeout");
    const started = Date.now();
    const error = await failure(send({ PhoneNumberSet: ["+8613800000001"] }, client(undefined, 1)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(error.message).toMatch(/network timeout/);
    expect(error.code).toBeUndefined();
    expect(emulator.messages().map((m) => m.code)).toEqual(["Ok"]);
    const push = await waitFor(() => statusPushes()[0]);
    expect(push[0]?.sid).toBe(emulator.messages()[0]?.serial);

    await control("/_control/faults", { mode: "none" });
    const ok = await send({ PhoneNumberSet: ["+8613800000002"] });
    expect(ok.SendStatusSet?.[0]?.Code).toBe("Ok");
  });
});

describe("protocol details and control API", () => {
  async function rawCall(headers: Record<string, string>, body = "{}") {
    const timestamp = Math.floor(Date.now() / 1000);
    const authorization = tc3Sign({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      method: "POST",
      path: "/",
      headers: { "content-type": "application/json", host: "127.0.0.1" },
      body,
      timestamp,
      service: "sms",
    });
    const res = await fetch(`${emulator.url}/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: authorization,
        "X-TC-Timestamp": String(timestamp),
        "X-TC-Region": "ap-guangzhou",
        ...headers,
      },
      body,
    });
    return {
      status: res.status,
      traceId: res.headers.get("x-tc-traceid"),
      json: (await res.json()) as { Response: Record<string, unknown> },
    };
  }

  it("NoSuchVersion, InvalidAction, missing Authorization, TraceId echo", async () => {
    const version = await rawCall({ "X-TC-Action": "SendSms", "X-TC-Version": "2019-07-11" });
    expect(version.status).toBe(200);
    expect(version.json.Response.Error).toMatchObject({ Code: "NoSuchVersion" });
    expect(version.json.Response.RequestId).toMatch(/^[0-9a-f-]{36}$/);

    const traceId = randomUUID();
    const action = await rawCall({
      "X-TC-Action": "Nope",
      "X-TC-Version": "2021-01-11",
      "X-TC-TraceId": traceId,
    });
    expect(action.json.Response.Error).toMatchObject({ Code: "InvalidAction" });
    expect(action.traceId).toBe(traceId);

    const res = await fetch(`${emulator.url}/`, { method: "POST", body: "{}" });
    const unsigned = (await res.json()) as { Response: { Error: { Code: string } } };
    expect(unsigned.Response.Error.Code).toBe("AuthFailure.InvalidAuthorization");
  });

  it("control API: apps/templates upsert, bad fault mode, unknown route, reset", async () => {
    expect((await control("/_control/apps", { sdkAppId: "1400000077" })).status).toBe(200);
    expect(
      (
        await control("/_control/templates", {
          id: "3001",
          body: "Hi {1} {2}",
          international: true,
        })
      ).status,
    ).toBe(200);
    const response = await send({
      PhoneNumberSet: ["+6591234567"],
      SmsSdkAppId: "1400000077",
      TemplateId: "3001",
      TemplateParamSet: ["a", "b"],
      SignName: undefined,
    });
    expect(response.SendStatusSet?.[0]).toMatchObject({ Code: "Ok", IsoCode: "SG" });

    expect((await control("/_control/faults", { mode: "explode" })).status).toBe(400);
    expect((await control("/_control/nope")).status).toBe(404);
    expect((await control("/_control/messages")).body).toHaveLength(1);
    expect((await control("/_control/reset", {})).status).toBe(200);
    expect((await control("/_control/messages")).body).toEqual([]);
  });

  it("refuses to listen on a non-loopback host", async () => {
    await expect(
      startTencentEmulator({ host: "0.0.0.0", credentials: [{ secretId: "a", secretKey: "b" }] }),
    ).rejects.toThrow(/loopback/);
  });
});
