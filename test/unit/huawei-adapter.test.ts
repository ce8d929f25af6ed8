/**
 * The Huawei adapter's pure parts (lib/providers/huawei.ts): request form, X-WSSE digest,
 * outcome mapping per response class, and the webhook parsers on docs/providers/huawei.md's own examples.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  channelFor,
  diffBodies,
  diffContents,
  outcomeOfFailure,
  outcomeOfResponse,
  sendForm,
  wsseAuthHeaders,
} from "../../lib/providers/huawei";
import { huaweiWebhooks } from "../../lib/providers/huawei-webhooks";
import type { SendBatch } from "../../lib/providers/port";

const NUMBERS = ["+8613800000001", "+8613800000002"];

function batch(overrides: Partial<SendBatch> = {}): SendBatch {
  return {
    binding: { provider: "huawei", senders: { 华为云: "csms100000001" }, sender: "csms100000009" },
    numbers: NUMBERS,
    providerTemplateId: "8ff55eac1d0b478ab3c06c3c6a492300",
    region: "domestic",
    params: ["123456", "人民公园正门"],
    sign: "华为云",
    reference: "01JREQUEST0000000000000000",
    statusCallbackUrl: "https://smsgate.example/callbacks/huawei/status/tok",
    ...overrides,
  };
}

function smsId(originTo: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    originTo,
    createTime: "2018-08-06T11:59:50Z",
    from: "csms100000001",
    status,
    total: 1,
    ...extra,
  };
}

describe("request building", () => {
  it("writes the fields in the SDK's order and keeps a + in numbers as %2B", () => {
    const form = sendForm("csms100000001", batch());
    expect([...form.keys()]).toEqual([
      "from",
      "to",
      "templateId",
      "templateParas",
      "statusCallback",
      "extend",
      "signature",
    ]);
    const body = form.toString();
    expect(body).toContain("to=%2B8613800000001%2C%2B8613800000002");
    expect(body).not.toMatch(/to=\+/);
    const decoded = new URLSearchParams(body);
    expect(decoded.get("to")).toBe("+8613800000001,+8613800000002");
    expect(decoded.get("templateParas")).toBe('["123456","人民公园正门"]');
    expect(decoded.get("statusCallback")).toBe(
      "https://smsgate.example/callbacks/huawei/status/tok",
    );
    expect(decoded.get("extend")).toBe("01JREQUEST0000000000000000");
    expect(decoded.get("signature")).toBe("华为云");
  });

  it("leaves out templateParas, statusCallback, signature and an invalid extend", () => {
    const form = sendForm(
      "csms100000001",
      batch({ params: [], statusCallbackUrl: undefined, sign: undefined, reference: "{bad}" }),
    );
    expect([...form.keys()]).toEqual(["from", "to", "templateId"]);
  });

  it("picks the channel per signature, then the binding's, then the deployment's", () => {
    expect(channelFor(batch())).toBe("csms100000001");
    expect(channelFor(batch({ sign: "其他" }))).toBe("csms100000009");
    expect(channelFor(batch({ binding: { provider: "huawei" } }), "csms-default")).toBe(
      "csms-default",
    );
    expect(channelFor(batch({ binding: { provider: "huawei" } }))).toBeUndefined();
  });

  it("signs X-WSSE with base64 of the hex digest (docs/providers/huawei.md §3.3 vector)", () => {
    const headers = wsseAuthHeaders(
      "app-key",
      "q4Ii87BhST9vcs8wvrzN80SfD7Al",
      "ac1c911c4792492687f8f6b2264a491e",
      "2018-05-26T00:35:30Z",
    );
    expect(headers.Authorization).toBe('WSSE realm="SDP",profile="UsernameToken",type="Appkey"');
    expect(headers["X-WSSE"]).toBe(
      'UsernameToken Username="app-key",PasswordDigest="NTA0ZWE4Y2Q0ZGMyYWEwZDk0MWZmNjE4NGQxYjc1Y2YzNWYwNzgwZTdjMGU4ZDgzNmZmMGE3MWJlODA0MjBmZg==",Nonce="ac1c911c4792492687f8f6b2264a491e",Created="2018-05-26T00:35:30Z"',
    );
    // Independent check of the same formula.
    const hex = createHash("sha256")
      .update("ac1c911c4792492687f8f6b2264a491e2018-05-26T00:35:30Zq4Ii87BhST9vcs8wvrzN80SfD7Al")
      .digest("hex");
    expect(headers["X-WSSE"]).toContain(Buffer.from(hex).toString("base64"));
  });
});

describe("batchSendDiffSms bodies (docs/providers/huawei.md §2.2)", () => {
  const three = ["+8613800000001", "+8613800000002", "+8613800000003"];

  it("one content per set of params, numbers in first-seen order, arrays not strings", () => {
    const b = batch({
      numbers: three,
      paramsByNumber: new Map([
        ["+8613800000002", ["1", "B"]],
        ["+8613800000003", ["123456", "人民公园正门"]],
      ]),
    });
    expect(diffContents(b)).toEqual([
      {
        to: ["+8613800000001", "+8613800000003"],
        templateId: "8ff55eac1d0b478ab3c06c3c6a492300",
        templateParas: ["123456", "人民公园正门"],
        signature: "华为云",
      },
      {
        to: ["+8613800000002"],
        templateId: "8ff55eac1d0b478ab3c06c3c6a492300",
        templateParas: ["1", "B"],
        signature: "华为云",
      },
    ]);
    const [one] = diffBodies("csms100000001", b);
    expect(JSON.parse(one?.body ?? "")).toMatchObject({
      from: "csms100000001",
      statusCallback: "https://smsgate.example/callbacks/huawei/status/tok",
      extend: "01JREQUEST0000000000000000",
      smsContent: [{ to: ["+8613800000001", "+8613800000003"] }, { to: ["+8613800000002"] }],
    });
    expect(one?.numbers).toEqual(["+8613800000001", "+8613800000003", "+8613800000002"]);
  });

  it("leaves templateParas out for a template without variables, and splits past 64 KB", () => {
    expect(diffContents(batch({ numbers: three.slice(0, 1), params: [] }))[0]).not.toHaveProperty(
      "templateParas",
    );
    const numbers = Array.from({ length: 500 }, (_, i) => `+86139${String(i).padStart(8, "0")}`);
    const big = batch({
      numbers,
      paramsByNumber: new Map(numbers.map((n, i) => [n, ["x".repeat(120), String(i)]])),
    });
    const bodies = diffBodies("csms100000001", big);
    expect(bodies.length).toBeGreaterThan(1);
    for (const b of bodies)
      expect(Buffer.byteLength(JSON.stringify(JSON.parse(b.body).smsContent))).toBeLessThan(
        64 * 1024,
      );
    expect(bodies.flatMap((b) => b.numbers)).toEqual(numbers);
  });
});

describe("outcomeOfResponse", () => {
  it("000000 per number → accepted with smsMsgId, total and countryId", () => {
    const body = JSON.stringify({
      code: "000000",
      description: "Success",
      result: [
        smsId("+8613800000001", "000000", {
          smsMsgId: "4b4b34e7-1a9e-42ac-b309-d10997148905_85496076",
          countryId: "CN",
          total: 2,
        }),
        smsId("+8613800000002", "000000", { smsMsgId: "id_2" }),
      ],
    });
    expect(outcomeOfResponse(200, body, NUMBERS)).toEqual([
      {
        status: "accepted",
        to: "+8613800000001",
        serial: "4b4b34e7-1a9e-42ac-b309-d10997148905_85496076",
        segments: 2,
        country: "CN",
      },
      { status: "accepted", to: "+8613800000002", serial: "id_2", segments: 1, country: "DEF" },
    ]);
  });

  it("maps per-number statuses onto the catalogue, keeping Huawei's code", () => {
    const cases: [string, string][] = [
      ["E200015", "LimitExceeded.DeliveryFrequencyLimit"],
      ["E200028", "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"],
      ["E200029", "FailedOperation.SignatureIncorrectOrUnapproved"],
      ["E200030", "FailedOperation.TemplateUnapprovedOrNotExist"],
      ["E000503", "InvalidParameterValue.IncorrectPhoneNumber"],
      ["MBBLACK", "FailedOperation.PhoneNumberInBlacklist"],
      ["MILIMIT", "LimitExceeded.DeliveryFrequencyLimit"],
      ["E200041", "FailedOperation.ProviderRejected"],
      ["E299999", "FailedOperation.ProviderRejected"],
    ];
    for (const [status, code] of cases) {
      const body = JSON.stringify({
        code: "E000510",
        description: "see status",
        result: [smsId("+8613800000001", status, { total: 0 })],
      });
      expect(outcomeOfResponse(400, body, ["+8613800000001"])[0], status).toMatchObject({
        status: "refused",
        code,
        vendorCode: status,
        failover: false,
      });
    }
  });

  it("a mixed result maps each number on its own; a missing number is unknown", () => {
    const body = JSON.stringify({
      code: "000000",
      description: "Success",
      result: [smsId("+8613800000002", "E200015", { total: 0 })],
    });
    const [first, second] = outcomeOfResponse(200, body, NUMBERS);
    expect(first).toMatchObject({
      status: "unknown",
      to: "+8613800000001",
      code: "InternalError.ProviderBadResponse",
    });
    expect(second).toMatchObject({ status: "refused", to: "+8613800000002" });
  });

  it("auth failures (401 group, E000001–E000024, E000620) → ProviderAuthFailure, no failover", () => {
    for (const [http, code] of [
      [401, "E000101"],
      [401, "E000111"],
      [400, "E000001"],
      [400, "E000024"],
      [403, "E000620"],
    ] as const) {
      const body = JSON.stringify({ code, description: "nope" });
      expect(outcomeOfResponse(http, body, NUMBERS), code).toEqual(
        NUMBERS.map((to) => ({
          status: "refused",
          to,
          code: "FailedOperation.ProviderAuthFailure",
          vendorCode: code,
          message: "nope",
          failover: false,
        })),
      );
    }
    expect(outcomeOfResponse(401, "", NUMBERS)[0]).toMatchObject({
      code: "FailedOperation.ProviderAuthFailure",
      vendorCode: "HTTP 401",
    });
  });

  it("E000623 (flow threshold reached, sending paused) → refused, failover", () => {
    const body = JSON.stringify({ code: "E000623", description: "limit reached" });
    expect(outcomeOfResponse(403, body, NUMBERS)[0]).toMatchObject({
      status: "refused",
      code: "FailedOperation.ProviderRejected",
      vendorCode: "E000623",
      failover: true,
    });
  });

  it("400 parameter errors (E000503, E000000, E000040) and bare 404 → ProviderRejected", () => {
    for (const code of ["E000503", "E000000", "E000040"]) {
      const body = JSON.stringify({ code, description: "bad" });
      expect(outcomeOfResponse(400, body, NUMBERS)[1], code).toMatchObject({
        status: "refused",
        code: "FailedOperation.ProviderRejected",
        vendorCode: code,
        failover: false,
      });
    }
    expect(outcomeOfResponse(404, "Not Found", NUMBERS)[0]).toMatchObject({
      status: "refused",
      code: "FailedOperation.ProviderRejected",
      vendorCode: "HTTP 404",
      failover: false,
    });
  });

  it("5xx → ProviderUnavailable with failover, whatever the body", () => {
    for (const body of ["Internal Server Error", '{"code":"E000000"}']) {
      expect(outcomeOfResponse(502, body, NUMBERS)[0]).toMatchObject({
        status: "refused",
        code: "InternalError.ProviderUnavailable",
        vendorCode: "HTTP 502",
        failover: true,
      });
    }
  });

  it("200 that is not the JSON envelope, or success without result → unknown", () => {
    for (const body of ["<html>oops", "{}", '{"code":0}', '{"code":"000000","result":[{}]}']) {
      expect(outcomeOfResponse(200, body, NUMBERS)[0], body).toMatchObject({
        status: "unknown",
        code: "InternalError.ProviderBadResponse",
      });
    }
    expect(outcomeOfResponse(200, '{"code":"000000"}', NUMBERS)[0]).toMatchObject({
      status: "unknown",
      vendorCode: "000000",
    });
    const noId = JSON.stringify({ code: "000000", result: [smsId("+8613800000001", "000000")] });
    expect(outcomeOfResponse(200, noId, ["+8613800000001"])[0]).toMatchObject({
      status: "unknown",
    });
  });
});

describe("outcomeOfFailure", () => {
  it("timeout (TimeoutError / AbortError) → unknown ProviderTimeout", () => {
    for (const name of ["TimeoutError", "AbortError"]) {
      const error = new DOMException("The operation was aborted due to timeout", name);
      expect(outcomeOfFailure(error, NUMBERS)).toEqual(
        NUMBERS.map((to) => ({
          status: "unknown",
          to,
          code: "InternalError.ProviderTimeout",
          vendorCode: "Timeout",
          message: "The operation was aborted due to timeout",
        })),
      );
    }
  });

  it("connection refused → refused ProviderUnavailable with failover", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), {
      code: "ECONNREFUSED",
    });
    const error = new TypeError("fetch failed", { cause });
    expect(outcomeOfFailure(error, NUMBERS)[0]).toMatchObject({
      status: "refused",
      code: "InternalError.ProviderUnavailable",
      vendorCode: "ECONNREFUSED",
      failover: true,
    });
    // Happy-eyeballs failures arrive as an AggregateError cause.
    const aggregate = new TypeError("fetch failed", {
      cause: Object.assign(new AggregateError([cause]), { errors: [cause] }),
    });
    expect(outcomeOfFailure(aggregate, NUMBERS)[0]).toMatchObject({ failover: true });
  });

  it("a reset mid-request → unknown (it may have been sent)", () => {
    const cause = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    expect(outcomeOfFailure(new TypeError("fetch failed", { cause }), NUMBERS)[0]).toMatchObject({
      status: "unknown",
      code: "InternalError.ProviderBadResponse",
      vendorCode: "UND_ERR_SOCKET",
    });
  });
});

describe("huaweiWebhooks.parseStatusReports", () => {
  const FORM = "application/x-www-form-urlencoded";
  // docs/providers/huawei.md §4.1 doc example body.
  const DOC_EXAMPLE =
    "sequence=1&total=1&orgCode=000&updateTime=2018-04-13T06%3A31%3A46Z&source=2&smsMsgId=b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6&status=DELIVRD";

  it("parses the doc example", () => {
    expect(huaweiWebhooks.parseStatusReports(DOC_EXAMPLE, FORM)).toEqual({
      ok: true,
      items: [
        {
          provider: "huawei",
          serial: "b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6",
          phone: "",
          delivered: true,
          carrierCode: "DELIVRD",
          description: undefined,
          receivedAt: "2018-04-13T06:31:46.000Z",
        },
      ],
    });
  });

  it("takes the phone from `to` (sent with `extend`) and marks anything but DELIVRD undelivered", () => {
    const body =
      "smsMsgId=id_1&status=UNDELIV&statusDesc=failed&extend=01JREQ&to=%2B8613800000004&updateTime=2018-04-13T06%3A31%3A46Z";
    const parsed = huaweiWebhooks.parseStatusReports(body, FORM);
    expect(parsed).toMatchObject({
      ok: true,
      items: [
        {
          serial: "id_1",
          phone: "+8613800000004",
          delivered: false,
          carrierCode: "UNDELIV",
          description: "failed",
        },
      ],
    });
  });

  it("a platform-built EXPIRED report has no updateTime", () => {
    const parsed = huaweiWebhooks.parseStatusReports("smsMsgId=id_1&status=EXPIRED&source=1", FORM);
    expect(parsed).toMatchObject({
      ok: true,
      items: [{ delivered: false, carrierCode: "EXPIRED", receivedAt: undefined }],
    });
  });

  it("ignores fields it does not know (docs/providers/huawei.md §4.1 lists grew over time)", () => {
    const parsed = huaweiWebhooks.parseStatusReports(`${DOC_EXAMPLE}&newField=x`, FORM);
    expect(parsed.ok).toBe(true);
    // Supplier codes (docs/providers/huawei.md §4.3) can be longer than the documented 7 characters.
    const supplier = huaweiWebhooks.parseStatusReports("smsMsgId=id_1&status=CL26%3A-99", FORM);
    expect(supplier).toMatchObject({ ok: true, items: [{ carrierCode: "CL26:-99" }] });
  });

  it("refuses bodies without smsMsgId or status, empty ones and repeated fields", () => {
    for (const body of [
      "status=DELIVRD",
      "smsMsgId=id_1",
      "",
      "smsMsgId=a&smsMsgId=b&status=DELIVRD",
      `smsMsgId=${"x".repeat(51)}&status=DELIVRD`,
    ]) {
      expect(huaweiWebhooks.parseStatusReports(body, FORM).ok, body).toBe(false);
    }
  });

  it("parses the batch JSON push (docs/providers/huawei.md §4.2)", () => {
    const body = JSON.stringify({
      statusReportList: [
        { smsMsgId: "id_1", status: "DELIVRD", total: 1, updateTime: "2018-04-13T06:31:46Z" },
        { smsMsgId: "id_2", status: "UNDELIV", total: "1" },
      ],
    });
    const parsed = huaweiWebhooks.parseStatusReports(body, "application/json");
    expect(parsed).toMatchObject({
      ok: true,
      items: [
        { serial: "id_1", delivered: true },
        { serial: "id_2", delivered: false },
      ],
    });
    expect(
      huaweiWebhooks.parseStatusReports('{"statusReportList":[]}', "application/json").ok,
    ).toBe(false);
    expect(huaweiWebhooks.parseStatusReports("{not json", "application/json").ok).toBe(false);
  });
});

describe("huaweiWebhooks.parseReplies", () => {
  // docs/providers/huawei.md §5 doc example.
  const DOC_EXAMPLE =
    "from=%2B86155****5172&to=201804131431201234&body=********&smsMsgId=9692b5be-c427-4525-8e73-cf4a6ac5b3f7";

  it("parses the doc example; without createTime, receivedAt is now", () => {
    const parsed = huaweiWebhooks.parseReplies(DOC_EXAMPLE, "application/x-www-form-urlencoded");
    expect(parsed).toMatchObject({
      ok: true,
      items: [
        {
          provider: "huawei",
          phone: "+86155****5172",
          text: "********",
          extend: "201804131431201234",
        },
      ],
    });
    const receivedAt = parsed.ok ? (parsed.items[0]?.receivedAt ?? "") : "";
    expect(Math.abs(Date.parse(receivedAt) - Date.now())).toBeLessThan(5000);
  });

  it("uses createTime when the app enables it; ignores unknown fields", () => {
    const body = `${DOC_EXAMPLE}&createTime=2024-01-02T03%3A04%3A05Z&other=1`;
    expect(huaweiWebhooks.parseReplies(body, undefined)).toMatchObject({
      ok: true,
      items: [{ receivedAt: "2024-01-02T03:04:05.000Z" }],
    });
  });

  it("refuses a reply without from, body or smsMsgId", () => {
    for (const body of [
      "to=1&body=x&smsMsgId=1",
      "from=%2B8613800000001&smsMsgId=1",
      "from=%2B8613800000001&body=x",
      "",
    ]) {
      expect(huaweiWebhooks.parseReplies(body, undefined).ok, body).toBe(false);
    }
  });
});

describe("huaweiWebhooks.ack", () => {
  it("answers 200 with an empty body (docs/providers/huawei.md §4.4), 400 with an empty body when refused", () => {
    expect(huaweiWebhooks.ack(true)).toEqual({ statusCode: 200, headers: {}, body: "" });
    expect(huaweiWebhooks.ack(false, "bad")).toEqual({ statusCode: 400, headers: {}, body: "" });
  });
});
