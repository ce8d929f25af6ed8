import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestStack, type TestStack, waitFor } from "../helpers/stack";

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s?.close());
beforeEach(() => s.tencent.reset());

const code = (to: string[], extra: object = {}) => ({
  to,
  template: "login-code",
  params: ["482913", "5"],
  ...extra,
});

async function finalStatus(id: string): Promise<string> {
  return waitFor(
    async () => {
      const r = await s.api("GET", `/v1/messages/${id}`);
      return r.body.status !== "submitted" && r.body.status;
    },
    5000,
    `final status of ${id}`,
  );
}

describe("one message end to end through Tencent", () => {
  it("is submitted through the real SDK, reported by the emulator, and reads delivered", async () => {
    const res = await s.api("POST", "/v1/messages", {
      body: code(["13800138000"], { context: "order-42" }),
    });
    expect(res.status).toBe(200);
    expect(res.body.messages).toEqual([
      expect.objectContaining({
        to: "+8613800138000",
        status: "submitted",
        code: "Ok",
        segments: 1,
        country: "CN",
      }),
    ]);
    expect(await finalStatus(res.body.messages[0].id)).toBe("delivered");

    const record = (await s.api("GET", `/v1/messages/${res.body.messages[0].id}`)).body;
    expect(record).toMatchObject({
      to: "+8613800138000",
      template: "login-code",
      sign: "smsgate",
      context: "order-42",
      provider: "tencent",
      carrierCode: "DELIVRD",
    });
    expect(record.history.map((h: { status: string }) => h.status)).toEqual([
      "submitted",
      "delivered",
    ]);
    // The emulator saw exactly what smsgate sent, and the code never reached the table in clear.
    expect(s.tencent.messages()).toEqual([
      expect.objectContaining({
        phone: "+8613800138000",
        templateId: "1000001",
        params: ["482913", "5"],
        sign: "smsgate",
        code: "Ok",
      }),
    ]);
    expect(record.params).toEqual(["******", "*"]);
    expect(record.providerMessageId).toBe(s.tencent.messages()[0]?.serial);
  });

  it("reports a number ending in 4 undelivered, with the carrier's code", async () => {
    const res = await s.api("POST", "/v1/messages", { body: code(["+8613800138004"]) });
    const id = res.body.messages[0].id;
    expect(await finalStatus(id)).toBe("undelivered");
    expect((await s.api("GET", `/v1/messages/${id}`)).body.carrierCode).toBe("UNDELIV");
  });

  it("answers failed with the vendor's code for a number ending in 44, and records it", async () => {
    const res = await s.api("POST", "/v1/messages", {
      body: code(["+8613800138044", "+8613800138001"]),
    });
    expect(res.body.messages).toEqual([
      expect.objectContaining({
        to: "+8613800138044",
        status: "failed",
        code: "FailedOperation.PhoneNumberInBlacklist",
        segments: 0,
      }),
      expect.objectContaining({ to: "+8613800138001", status: "submitted" }),
    ]);
    const record = (await s.api("GET", `/v1/messages/${res.body.messages[0].id}`)).body;
    expect(record).toMatchObject({
      status: "failed",
      code: "FailedOperation.PhoneNumberInBlacklist",
    });
  });

  it("sends duplicates once, however they were written", async () => {
    const res = await s.api("POST", "/v1/messages", {
      body: code(["13800138002", "+8613800138002", "+86 138 0013 8002"]),
    });
    expect(res.body.messages).toHaveLength(1);
    expect(s.tencent.messages()).toHaveLength(1);
  });

  it("bills the segments the emulator bills, signature included", async () => {
    // Variables longer than Tencent's default 6 characters need a template that allows them.
    await s.api("PUT", `/v1/apps/${s.demo.appId}/templates/order-long`, {
      body: {
        kind: "notification",
        region: "domestic",
        body: "您的订单{1}已发货，预计{2}送达。",
        maxParamLength: 64,
        providerTemplateIds: { tencent: "1000002" },
      },
    });
    const res = await s.api("POST", "/v1/messages", {
      body: {
        to: ["+8613800138003"],
        template: "order-long",
        params: [
          "SO-2026-000042",
          "明天下午三点到五点之间，请保持电话畅通，快递员会提前联系您确认收货地址和时间",
        ],
      },
    });
    expect(res.body.messages[0].segments).toBe(s.tencent.messages()[0]?.fee);
    expect(res.body.messages[0].segments).toBe(2);
  });
});

describe("vendor faults never become a bare 500", () => {
  it("a timeout leaves the number unknown, to be reconciled", async () => {
    s.tencent.setFault("timeout");
    const res = await s.api("POST", "/v1/messages", { body: code(["+8613800138005"]) });
    s.tencent.setFault("none");
    expect(res.status).toBe(200);
    expect(res.body.messages[0]).toMatchObject({
      status: "unknown",
      code: "InternalError.ProviderTimeout",
    });
    expect((await s.api("GET", `/v1/messages/${res.body.messages[0].id}`)).body.status).toBe(
      "unknown",
    );
  }, 30_000);

  it("an HTTP 500 means not sent: failed, with a code saying the provider failed", async () => {
    s.tencent.setFault("http500");
    const res = await s.api("POST", "/v1/messages", { body: code(["+8613800138006"]) });
    expect(res.status).toBe(200);
    expect(res.body.messages[0]).toMatchObject({
      status: "failed",
      code: "InternalError.ProviderUnavailable",
    });
  });

  it("an answer that is not JSON leaves the number unknown", async () => {
    s.tencent.setFault("badjson");
    const res = await s.api("POST", "/v1/messages", { body: code(["+8613800138007"]) });
    expect(res.status).toBe(200);
    expect(res.body.messages[0]).toMatchObject({
      status: "unknown",
      code: "InternalError.ProviderBadResponse",
    });
  });
});

describe("bad requests get their catalogue code and write nothing", () => {
  const cases: [string, { raw?: string; body?: unknown; key?: string | null }, number, string][] = [
    ["malformed JSON", { raw: '{"to": [' }, 400, "FailedOperation.JsonParseFail"],
    [
      "a missing template",
      { body: { to: ["+8613800138000"], params: [] } },
      400,
      "InvalidParameter",
    ],
    [
      "an unknown field",
      { body: { ...code(["+8613800138000"]), priority: "high" } },
      400,
      "InvalidParameter",
    ],
    [
      // A bad number beside good ones gets its own entry (send-policy.test.ts); only a
      // request with no valid number at all is refused whole.
      "no valid number",
      { body: code(["12345", "abc"]) },
      400,
      "InvalidParameterValue.IncorrectPhoneNumber",
    ],
    ["an empty recipient list", { body: code([]) }, 400, "MissingParameter.EmptyPhoneNumberSet"],
    [
      "201 recipients",
      { body: code(Array.from({ length: 201 }, (_, i) => `+86138${String(i).padStart(8, "0")}`)) },
      400,
      "LimitExceeded.PhoneNumberCountLimit",
    ],
    [
      "mainland and foreign numbers together",
      { body: code(["+8613800138000", "+12025550123"]) },
      400,
      "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
    ],
    [
      "an unknown template",
      { body: { ...code(["+8613800138000"]), template: "nope" } },
      400,
      "FailedOperation.TemplateUnapprovedOrNotExist",
    ],
    [
      "the wrong number of params",
      { body: { ...code(["+8613800138000"]), params: ["1"] } },
      400,
      "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
    ],
    [
      "an unapproved signature",
      { body: { ...code(["+8613800138000"]), sign: "其他签名" } },
      400,
      "FailedOperation.SignatureIncorrectOrUnapproved",
    ],
    ["no key", { body: code(["+8613800138000"]), key: null }, 401, "AuthFailure.MissingApiKey"],
    [
      "a wrong key",
      {
        body: code(["+8613800138000"]),
        key: "sgk_01M80C5ZRRN8PEM6X3TK8VBCJN_wrongwrongwrongwrongwrongwrong",
      },
      401,
      "AuthFailure.InvalidApiKey",
    ],
  ];

  it.each(cases)("%s", async (_, req, status, errorCode) => {
    const before = await quietCount();
    const res = await s.api("POST", "/v1/messages", req);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({
      code: errorCode,
      message: expect.any(String),
      requestId: expect.any(String),
    });
    expect(res.body.error.message.length).toBeGreaterThan(10);
    expect(s.tencent.messages()).toEqual([]);
    expect(await s.itemCount()).toBe(before);
  });

  it("a read key cannot send", async () => {
    const key = await s.api("POST", `/v1/apps/${s.demo.appId}/keys`, {
      body: { scopes: ["read"] },
    });
    expect(key.status).toBe(201);
    const res = await s.api("POST", "/v1/messages", {
      body: code(["+8613800138000"]),
      key: key.body.key,
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("AuthFailure.UnauthorizedOperation");
  });

  it("another app's message reads as not found", async () => {
    const sent = await s.api("POST", "/v1/messages", { body: code(["+8613800138008"]) });
    const other = await s.api("POST", "/v1/apps", {
      key: s.adminKey,
      body: { name: "other", providers: [{ provider: "tencent" }] },
    });
    const res = await s.api("GET", `/v1/messages/${sent.body.messages[0].id}`, {
      key: other.body.apiKey,
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("ResourceNotFound");
  });
});

/**
 * The table's item count once earlier tests' vendor reports have landed (the emulator pushes
 * them a moment after each send, and a report may create a statistics item).
 */
async function quietCount(): Promise<number> {
  let a = await s.itemCount();
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const b = await s.itemCount();
    if (b === a) return b;
    a = b;
  }
}

describe("vendor callbacks", () => {
  it("a status push to an unknown token is 404 and writes nothing", async () => {
    const before = await quietCount();
    const report = [
      {
        user_receive_time: "2026-11-22 08:03:04",
        nationcode: "86",
        mobile: "13800138000",
        report_status: "SUCCESS",
        errmsg: "DELIVRD",
        description: "ok",
        sid: "x:1",
      },
    ];
    for (const token of ["nope", `${s.demo.appId}_wrongtoken`]) {
      const res = await s.api("POST", `/callbacks/tencent/status/${token}`, {
        body: report,
        key: null,
      });
      expect(res.status).toBe(404);
    }
    expect(await s.itemCount()).toBe(before);
  });

  it("a user's reply reaches the reply function and is stored", async () => {
    await s.tencent.reply({ phone: "+8613800138000", text: "thanks", sign: "smsgate" });
    const replies = await s.deps.store.listReplies(s.demo.appId, "+8613800138000");
    expect(replies).toEqual([
      expect.objectContaining({ text: "thanks", sign: "smsgate", provider: "tencent" }),
    ]);
  });
});
