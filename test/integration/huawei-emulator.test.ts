import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHuaweiProvider } from "../../lib/providers/huawei";
import { huaweiWebhooks } from "../../lib/providers/huawei-webhooks";
import type { NumberOutcome, SendBatch } from "../../lib/providers/port";
import {
  type HuaweiEmulator,
  type HuaweiEmulatorOptions,
  startHuaweiEmulator,
} from "../../local/huawei-emulator/index";
import { wsseHeaders } from "../../local/huawei-emulator/wsse";
import {
  type CallbackReceiver as Receiver,
  startReceiver as startReceiverWith,
} from "../helpers/receiver";

const APP_KEY = "c8RWg3ggEcyd4D3p94bf3Y7x1Ile";
const APP_SECRET = "q4Ii87BhST9vcs8wvrzN80SfD7Al";
const OTHER_APP = "app-without-reply-url";
const CN_SENDER = "csms100000001";
const INTL_SENDER = "isms100000001";
const SIGN = "华为云";
const REPORT_DELAY_MS = 100;

const TEMPLATES = {
  code: { id: "tpl-code", body: "您的验证码是{1}，请勿泄露。", verification: true },
  notice: { id: "tpl-notice", body: "通知{1}" },
  global: { id: "tpl-global", body: "Your code is {1}", sender: INTL_SENDER },
  universal: { id: "tpl-universal", body: "您的订单{1}已发货", universal: true },
};

// ---------------------------------------------------------------------------------------------
// A little callback receiver standing in for smsgate's ingest endpoints (form bodies kept as
// text; Huawei expects HTTP 200 with an empty body — docs/providers/huawei.md §4.4).
type CallbackReceiver = Receiver<string>;
const startReceiver = (): Promise<CallbackReceiver> =>
  startReceiverWith({ status: 200, body: "" }, (text) => text);

// ---------------------------------------------------------------------------------------------
// Helpers

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

let emulator: HuaweiEmulator;
let receiver: CallbackReceiver;

function provider(
  overrides: { appSecret?: string; endpoint?: string; timeoutSeconds?: number } = {},
) {
  return createHuaweiProvider({
    appKey: APP_KEY,
    appSecret: overrides.appSecret ?? APP_SECRET,
    endpoint: overrides.endpoint ?? emulator.url,
    timeoutSeconds: overrides.timeoutSeconds ?? 5,
  });
}

function batch(overrides: Partial<SendBatch> & { numbers: string[] }): SendBatch {
  return {
    binding: { provider: "huawei", senders: { [SIGN]: CN_SENDER } },
    providerTemplateId: TEMPLATES.code.id,
    region: "domestic",
    params: ["123456"],
    sign: SIGN,
    reference: "01JREF0000000000000000000A",
    statusCallbackUrl: `${receiver.url}/status`,
    ...overrides,
  };
}

function send(overrides: Partial<SendBatch> & { numbers: string[] }, p = provider()) {
  return p.send(batch(overrides));
}

function pushes(path: string): URLSearchParams[] {
  return receiver.received.filter((r) => r.path === path).map((r) => new URLSearchParams(r.body));
}

function serialOf(outcome: NumberOutcome | undefined): string {
  return outcome?.status === "accepted" ? outcome.serial : "";
}

async function control(path: string, body?: unknown) {
  const res = await fetch(`${emulator.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** A hand-built batchSendSms call, to test what the adapter would never send. */
async function rawSend(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${emulator.url}/sms/batchSendSms/v1`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...wsseHeaders({ appKey: APP_KEY, appSecret: APP_SECRET }),
      ...headers,
    },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  receiver = await startReceiver();
  const options: HuaweiEmulatorOptions = {
    credentials: [
      { appKey: APP_KEY, appSecret: APP_SECRET, replyCallbackUrl: `${receiver.url}/reply` },
      { appKey: OTHER_APP, appSecret: "other-secret" },
    ],
    senders: [
      { sender: CN_SENDER, signature: SIGN },
      { sender: INTL_SENDER, international: true },
    ],
    templates: Object.values(TEMPLATES),
    reportDelayMs: REPORT_DELAY_MS,
    timeoutHoldMs: 3000,
  };
  emulator = await startHuaweiEmulator(options);
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

describe("batchSendSms through the real adapter", () => {
  it("accepts a send and form-posts a DELIVRD report per number (docs/providers/huawei.md §4.1)", async () => {
    const outcomes = await send({ numbers: ["+8613800000001", "+8613800000002"] });
    expect(outcomes).toEqual([
      {
        status: "accepted",
        to: "+8613800000001",
        serial: expect.stringMatching(/^[0-9a-f-]{36}_\d+$/),
        segments: 1,
        country: "CN",
      },
      expect.objectContaining({ status: "accepted", to: "+8613800000002" }),
    ]);
    expect(serialOf(outcomes[0])).not.toBe(serialOf(outcomes[1]));
    expect(emulator.messages()[0]).toEqual({
      phone: "+8613800000001",
      serial: serialOf(outcomes[0]),
      templateId: TEMPLATES.code.id,
      params: ["123456"],
      sign: SIGN,
      code: "000000",
      at: expect.any(String),
      fee: 1,
      extend: "01JREF0000000000000000000A",
      sender: CN_SENDER,
    });

    await waitFor(() => (pushes("/status").length === 2 ? true : undefined));
    const push = receiver.received.find((r) => r.path === "/status");
    expect(push?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const first = pushes("/status").find((p) => p.get("smsMsgId") === serialOf(outcomes[0]));
    expect(Object.fromEntries(first ?? [])).toEqual({
      sequence: "1",
      total: "1",
      updateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      source: "2",
      smsMsgId: serialOf(outcomes[0]),
      status: "DELIVRD",
      extend: "01JREF0000000000000000000A",
      to: "+8613800000001",
    });
    const parsed = huaweiWebhooks.parseStatusReports(
      push?.body ?? "",
      push?.headers["content-type"],
    );
    expect(parsed).toMatchObject({
      ok: true,
      items: [{ provider: "huawei", delivered: true, carrierCode: "DELIVRD" }],
    });
    const receivedAt = parsed.ok ? (parsed.items[0]?.receivedAt ?? "") : "";
    expect(Math.abs(Date.parse(receivedAt) - Date.now())).toBeLessThan(5000);
  });

  it("bills total on 【signature】 + body for the mainland, GSM-7 for international", async () => {
    // 【华为云】 (5) + 通知 (2) + 63 = 70 → 1; + 64 = 71 → 2
    const segments = [];
    for (const length of [63, 64]) {
      const [outcome] = await send({
        numbers: ["+8613800000001"],
        providerTemplateId: TEMPLATES.notice.id,
        params: ["好".repeat(length)],
      });
      segments.push(outcome?.status === "accepted" ? outcome.segments : -1);
    }
    // "Your code is " (13) + 147 = 160 → 1; + 148 = 161 → 2 (153 per part); no signature.
    for (const length of [147, 148]) {
      const [outcome] = await send({
        numbers: ["+14155550100"],
        binding: { provider: "huawei", sender: INTL_SENDER },
        providerTemplateId: TEMPLATES.global.id,
        params: ["x".repeat(length)],
        sign: undefined,
        region: "international",
      });
      segments.push(outcome?.status === "accepted" ? outcome.segments : -1);
    }
    expect(segments).toEqual([1, 2, 1, 2]);
    expect(emulator.messages()[2]).toMatchObject({ phone: "+14155550100", sender: INTL_SENDER });
  });

  it("international reports carry orgCode; countryId comes from the number", async () => {
    const [outcome] = await send({
      numbers: ["+6591234567"],
      binding: { provider: "huawei", sender: INTL_SENDER },
      providerTemplateId: TEMPLATES.global.id,
      sign: undefined,
    });
    expect(outcome).toMatchObject({ status: "accepted", country: "SG" });
    // This number's report: an earlier test's may still be arriving.
    const [report] = await waitFor(() => {
      const list = pushes("/status").filter((p) => p.get("to") === "+6591234567");
      return list.length > 0 ? list : undefined;
    });
    expect(report?.get("orgCode")).toBe("000");
  });

  it("simulator numbers: 4 → UNDELIV, 44 → refused per number, 444 → never reported", async () => {
    const outcomes = await send({
      numbers: ["+8613800000001", "+8613800000004", "+8613800000044", "+8613800000444"],
    });
    expect(outcomes.map((o) => o.status)).toEqual(["accepted", "accepted", "refused", "accepted"]);
    expect(outcomes[2]).toEqual({
      status: "refused",
      to: "+8613800000044",
      code: "LimitExceeded.DeliveryFrequencyLimit",
      vendorCode: "E200015",
      message: "too many SMS to be sent",
      failover: false,
    });
    expect(emulator.messages()[2]).toMatchObject({ code: "E200015", serial: "", fee: 0 });

    await waitFor(() => (pushes("/status").length >= 2 ? true : undefined));
    await sleep(REPORT_DELAY_MS * 2);
    const reports = new Map(pushes("/status").map((p) => [p.get("to"), p.get("status")]));
    expect(Object.fromEntries(reports)).toEqual({
      "+8613800000001": "DELIVRD",
      "+8613800000004": "UNDELIV",
    });
  });

  it("retries a report that is not answered 200, 3 attempts in total (emulator's choice)", async () => {
    receiver.script.push({ status: 500, body: "" }, { status: 404, body: "" });
    const [outcome] = await send({ numbers: ["+8613800000001"] });
    await waitFor(() => (pushes("/status").length >= 3 ? true : undefined));
    expect(pushes("/status").map((p) => p.get("smsMsgId"))).toEqual(
      Array(3).fill(serialOf(outcome)),
    );
  });

  it("wrong secret → every number refused with ProviderAuthFailure (E000101)", async () => {
    const outcomes = await send(
      { numbers: ["+8613800000001", "+8613800000002"] },
      provider({ appSecret: "wrong" }),
    );
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({
        status: "refused",
        code: "FailedOperation.ProviderAuthFailure",
        vendorCode: "E000101",
        failover: false,
      });
    }
    expect(emulator.messages()).toHaveLength(0);
  });

  it("more than 500 numbers → nothing sent (E000503); 500 are fine", async () => {
    const numbers = Array.from({ length: 501 }, (_, i) => `+861390${String(i).padStart(6, "0")}1`);
    const tooMany = await send({ numbers, statusCallbackUrl: undefined });
    expect(tooMany).toHaveLength(501);
    expect(tooMany[0]).toMatchObject({
      status: "refused",
      code: "FailedOperation.ProviderRejected",
      vendorCode: "E000503",
      failover: false,
    });
    expect(emulator.messages()).toHaveLength(0);

    const fine = await send({ numbers: numbers.slice(0, 500), statusCallbackUrl: undefined });
    expect(fine.every((o) => o.status === "accepted")).toBe(true);
  });

  it("unknown template → E200030 per number (TemplateUnapprovedOrNotExist)", async () => {
    const [outcome] = await send({ numbers: ["+8613800000001"], providerTemplateId: "nope" });
    expect(outcome).toMatchObject({
      status: "refused",
      code: "FailedOperation.TemplateUnapprovedOrNotExist",
      vendorCode: "E200030",
    });
  });

  it("param count mismatch → E200028 per number; a malformed number fails alone", async () => {
    const [mismatch] = await send({ numbers: ["+8613800000001"], params: ["1", "2"] });
    expect(mismatch).toMatchObject({
      status: "refused",
      code: "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
      vendorCode: "E200028",
    });
    const tooLong = await send({ numbers: ["+8613800000001"], params: ["123456789"] });
    expect(tooLong[0]).toMatchObject({ vendorCode: "E200028" }); // verification: ≤ 8 chars

    const mixed = await send({ numbers: ["+86123", "+8613800000002"] });
    expect(mixed.map((o) => [o.status, o.status === "refused" ? o.code : ""])).toEqual([
      ["refused", "InvalidParameterValue.IncorrectPhoneNumber"],
      ["accepted", ""],
    ]);
  });

  it("universal templates need a signature (E200029); the given one is used", async () => {
    const binding = { provider: "huawei" as const, sender: CN_SENDER };
    const [missing] = await send({
      numbers: ["+8613800000001"],
      binding,
      providerTemplateId: TEMPLATES.universal.id,
      sign: undefined,
    });
    expect(missing).toMatchObject({ status: "refused", vendorCode: "E200029" });
    const [ok] = await send({
      numbers: ["+8613800000001"],
      binding,
      providerTemplateId: TEMPLATES.universal.id,
      sign: "某商城",
    });
    expect(ok?.status).toBe("accepted");
    expect(emulator.messages().at(-1)?.sign).toBe("某商城");
  });

  it("a template of another channel, or a number outside the channel's region, is refused", async () => {
    const [wrongChannel] = await send({
      numbers: ["+8613800000001"],
      providerTemplateId: TEMPLATES.global.id,
    });
    expect(wrongChannel).toMatchObject({ status: "refused", vendorCode: "E200029" });
    const [abroad] = await send({ numbers: ["+6591234567"] });
    expect(abroad).toMatchObject({ status: "refused", vendorCode: "E200022" });
    const [unknownSender] = await send({
      numbers: ["+8613800000001"],
      binding: { provider: "huawei", sender: "csms-unknown" },
    });
    expect(unknownSender).toMatchObject({ status: "refused", vendorCode: "E200018" });
  });
});

describe("batchSendDiffSms through the real adapter (docs/providers/huawei.md §2.2)", () => {
  /** A hand-built batchSendDiffSms call. */
  async function rawDiff(body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${emulator.url}/sms/batchSendDiffSms/v1`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...wsseHeaders({ appKey: APP_KEY, appSecret: APP_SECRET }),
        ...headers,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it("numbers with their own params: one call, a content per set of params, per-number results", async () => {
    const numbers = ["+8613800000001", "+8613800000002", "+8613800000003", "+8613800000044"];
    const outcomes = await send({
      numbers,
      providerTemplateId: TEMPLATES.notice.id,
      params: ["A"],
      paramsByNumber: new Map([
        ["+8613800000002", ["B"]],
        ["+8613800000003", ["A"]],
        ["+8613800000044", ["C"]],
      ]),
    });
    expect(outcomes.map((o) => [o.to, o.status])).toEqual([
      ["+8613800000001", "accepted"],
      ["+8613800000002", "accepted"],
      ["+8613800000003", "accepted"],
      ["+8613800000044", "refused"], // the simulator's per-number refusal, mapped as §2.1's
    ]);
    expect(outcomes[3]).toMatchObject({
      code: "LimitExceeded.DeliveryFrequencyLimit",
      vendorCode: "E200015",
      failover: false,
    });
    const got = emulator.messages();
    expect(got.map((m) => [m.phone, m.params])).toEqual([
      ["+8613800000001", ["A"]],
      ["+8613800000003", ["A"]],
      ["+8613800000002", ["B"]],
      ["+8613800000044", ["C"]],
    ]);
    // One request: one extend (our request id) for all of them; the same channel and sign.
    expect(new Set(got.map((m) => m.extend))).toEqual(new Set(["01JREF0000000000000000000A"]));
    expect(got.every((m) => m.sender === CN_SENDER && m.sign === SIGN)).toBe(true);
    // Reports are pushed per number to statusCallback, exactly as for batchSendSms.
    await waitFor(() => (pushes("/status").length === 3 ? true : undefined));
    expect(pushes("/status").map((p) => p.get("smsMsgId"))).toEqual(
      expect.arrayContaining([serialOf(outcomes[0]), serialOf(outcomes[1])]),
    );
  });

  it("shared params still go through batchSendSms (form-encoded)", async () => {
    const outcomes = await send({
      numbers: ["+8613800000001", "+8613800000002"],
      params: ["123456"],
      paramsByNumber: new Map([["+8613800000002", ["123456"]]]),
    });
    expect(outcomes.every((o) => o.status === "accepted")).toBe(true);
    // Proven by the emulator: batchSendDiffSms is JSON-only, and this was one form call.
    expect(emulator.messages().map((m) => m.params)).toEqual([["123456"], ["123456"]]);
  });

  it("checks each content on its own: a bad content's numbers are refused, the others sent", async () => {
    const outcomes = await send({
      numbers: ["+8613800000001", "+8613800000002"],
      params: ["123456"],
      paramsByNumber: new Map([["+8613800000002", ["123456789"]]]), // > 8: E200028
    });
    expect(outcomes.map((o) => (o.status === "refused" ? o.vendorCode : o.status))).toEqual([
      "accepted",
      "E200028",
    ]);
  });

  it("the same X-WSSE: a wrong secret refuses every number (ProviderAuthFailure)", async () => {
    const outcomes = await send(
      {
        numbers: ["+8613800000001", "+8613800000002"],
        paramsByNumber: new Map([["+8613800000002", ["654321"]]]),
      },
      provider({ appSecret: "wrong" }),
    );
    expect(
      outcomes.every(
        (o) => o.status === "refused" && o.code === "FailedOperation.ProviderAuthFailure",
      ),
    ).toBe(true);
    expect(emulator.messages()).toHaveLength(0);
    const noAuth = await fetch(`${emulator.url}/sms/batchSendDiffSms/v1`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(noAuth.status).toBe(400);
  });

  it("JSON only; 500 numbers per content; smsContent within 64 KB; arrays, not strings", async () => {
    const form = await rawDiff("from=x", { "Content-Type": "application/x-www-form-urlencoded" });
    expect(form).toMatchObject({ status: 400, json: { code: "E000040" } });
    const content = (to: string[], templateParas = ["1"]) => ({
      from: CN_SENDER,
      smsContent: [{ to, templateId: TEMPLATES.notice.id, templateParas }],
    });
    const many = Array.from({ length: 501 }, (_, i) => `+861390${String(i).padStart(6, "0")}1`);
    expect(await rawDiff(content(many))).toMatchObject({ status: 400, json: { code: "E000503" } });
    const big = {
      from: CN_SENDER,
      smsContent: Array.from(
        { length: 400 },
        (_, i) =>
          content([`+86139000${String(i).padStart(5, "0")}`], ["x".repeat(200)]).smsContent[0],
      ),
    };
    expect(await rawDiff(big)).toMatchObject({ status: 400, json: { code: "E000503" } });
    expect(
      await rawDiff({ from: CN_SENDER, smsContent: [{ to: "+8613800000001", templateId: "t" }] }),
    ).toMatchObject({ status: 400, json: { code: "E000503" } });
    expect(await rawDiff({ from: CN_SENDER, smsContent: [] })).toMatchObject({
      status: 400,
      json: { code: "E000503" },
    });
    expect(emulator.messages()).toHaveLength(0);
    const ok = await rawDiff(content(many.slice(0, 500)));
    expect(ok.status).toBe(200);
    expect((ok.json.result as unknown[]).length).toBe(500);
  });

  it("a batch whose contents pass 64 KB is split over calls, each number answered once", async () => {
    const numbers = Array.from({ length: 500 }, (_, i) => `+861370${String(i).padStart(6, "0")}1`);
    const outcomes = await send({
      numbers,
      providerTemplateId: TEMPLATES.notice.id,
      params: ["0"],
      statusCallbackUrl: undefined,
      // 500 contents of ~150 bytes each: past 64 KB in one call.
      paramsByNumber: new Map(numbers.map((n, i) => [n, [`${"变".repeat(20)}${i}`]])),
    });
    expect(outcomes.map((o) => o.to)).toEqual(numbers);
    expect(outcomes.every((o) => o.status === "accepted")).toBe(true);
    expect(emulator.messages()).toHaveLength(500);
  });
});

describe("faults", () => {
  it("timeout → unknown ProviderTimeout after the adapter's 1 s, but the send WAS accepted", async () => {
    emulator.setFault("timeout");
    const started = Date.now();
    const [outcome] = await send({ numbers: ["+8613800000001"] }, provider({ timeoutSeconds: 1 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(outcome).toMatchObject({ status: "unknown", code: "InternalError.ProviderTimeout" });
    expect(emulator.messages().map((m) => m.code)).toEqual(["000000"]);
    const [report] = await waitFor(() => {
      const list = pushes("/status");
      return list.length > 0 ? list : undefined;
    });
    expect(report?.get("smsMsgId")).toBe(emulator.messages()[0]?.serial);
  });

  it("http500 → refused ProviderUnavailable with failover; nothing processed", async () => {
    await control("/_control/faults", { mode: "http500" });
    const [outcome] = await send({ numbers: ["+8613800000001"] });
    expect(outcome).toMatchObject({
      status: "refused",
      code: "InternalError.ProviderUnavailable",
      vendorCode: "HTTP 500",
      failover: true,
    });
    expect((await control("/_control/messages")).body).toEqual([]);
  });

  it("badjson → unknown ProviderBadResponse", async () => {
    emulator.setFault("badjson");
    const [outcome] = await send({ numbers: ["+8613800000001"] });
    expect(outcome).toMatchObject({ status: "unknown", code: "InternalError.ProviderBadResponse" });
  });

  it("connection refused → refused ProviderUnavailable with failover", async () => {
    const closed = await startHuaweiEmulator({ credentials: [] });
    const endpoint = closed.url;
    await closed.close();
    const [outcome] = await send({ numbers: ["+8613800000001"] }, provider({ endpoint }));
    expect(outcome).toMatchObject({
      status: "refused",
      code: "InternalError.ProviderUnavailable",
      vendorCode: "ECONNREFUSED",
      failover: true,
    });
  });
});

describe("upstream replies (docs/providers/huawei.md §5)", () => {
  it("pushes from/to/body/smsMsgId to the app's reply URL; parsed by huaweiWebhooks", async () => {
    await send({ numbers: ["+8613800000001"] });
    const answer = await control("/_control/reply", { phone: "+8613800000001", text: "TD 退订" });
    expect(answer).toEqual({ status: 200, body: { ok: true } });
    const push = receiver.received.find((r) => r.path === "/reply");
    expect(push?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const fields = Object.fromEntries(new URLSearchParams(push?.body ?? ""));
    expect(fields).toEqual({
      from: "+8613800000001",
      to: CN_SENDER,
      body: "TD 退订",
      smsMsgId: expect.stringMatching(/^[0-9a-f-]{36}_\d+$/),
      createTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(huaweiWebhooks.parseReplies(push?.body ?? "", push?.headers["content-type"])).toEqual({
      ok: true,
      items: [
        {
          provider: "huawei",
          phone: "+8613800000001",
          text: "TD 退订",
          extend: CN_SENDER,
          receivedAt: expect.any(String),
        },
      ],
    });
  });

  it("502 when never acknowledged, 409 without a reply URL, setReplyUrl fixes that", async () => {
    receiver.script.push(...Array(3).fill({ status: 500, body: "" }));
    const unanswered = await control("/_control/reply", { phone: "13800000009", text: "hi" });
    expect(unanswered.status).toBe(502);
    expect(receiver.received.filter((r) => r.path === "/reply")).toHaveLength(3);

    const noUrl = await control("/_control/reply", {
      phone: "+8613800000009",
      text: "hi",
      appKey: OTHER_APP,
    });
    expect(noUrl.status).toBe(409);
    emulator.setReplyUrl(OTHER_APP, `${receiver.url}/other-reply`);
    await emulator.reply({ phone: "+8613800000009", text: "hi", appKey: OTHER_APP });
    expect(receiver.received.at(-1)?.path).toBe("/other-reply");
  });
});

describe("protocol details and control API", () => {
  it("wrong Content-Type → E000040; a + that was not encoded → E000503 for the whole request", async () => {
    const body =
      "from=csms100000001&to=%2B8613800000001&templateId=tpl-code&templateParas=%5B%221%22%5D";
    const json = await rawSend(body, { "Content-Type": "application/json" });
    expect(json).toEqual({
      status: 400,
      json: { code: "E000040", description: expect.any(String) },
    });
    const plus = await rawSend(body.replace("%2B", "+"));
    expect(plus).toMatchObject({ status: 400, json: { code: "E000503" } });
    expect(emulator.messages()).toHaveLength(0);
  });

  it("answers the doc's envelope; the raw-bytes digest is accepted too", async () => {
    const body =
      "from=csms100000001&to=%2B8613800000001&templateId=tpl-code&templateParas=%5B%22520520%22%5D";
    const raw = wsseHeaders({ appKey: APP_KEY, appSecret: APP_SECRET, encoding: "raw" });
    const answer = await rawSend(body, raw);
    expect(answer).toEqual({
      status: 200,
      json: {
        code: "000000",
        description: "Success",
        result: [
          {
            originTo: "+8613800000001",
            createTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
            from: CN_SENDER,
            smsMsgId: expect.any(String),
            status: "000000",
            countryId: "CN",
            total: 1,
          },
        ],
      },
    });
    const quoting = await rawSend(body.replace("%5B%22520520%22%5D", "520520"));
    expect(quoting).toMatchObject({ status: 400, json: { code: "E000000" } });
    const unsigned = await fetch(`${emulator.url}/sms/batchSendSms/v1`, { method: "POST" });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ code: "E000001" });
    expect((await fetch(`${emulator.url}/sms/nope`, { method: "POST" })).status).toBe(404);
  });

  it("control API: templates/senders upsert, bad fault mode, unknown route, reset", async () => {
    expect(
      (await control("/_control/senders", { sender: "csms2", signature: "Acme" })).status,
    ).toBe(200);
    expect(
      (await control("/_control/templates", { id: "tpl-new", body: "Hi {1}{2}" })).status,
    ).toBe(200);
    const [outcome] = await send({
      numbers: ["+8613800000001"],
      binding: { provider: "huawei", senders: { Acme: "csms2" } },
      sign: "Acme",
      providerTemplateId: "tpl-new",
      params: ["a", "b"],
    });
    expect(outcome?.status).toBe("accepted");
    expect(emulator.messages()[0]).toMatchObject({ sender: "csms2", sign: "Acme" });

    expect((await control("/_control/faults", { mode: "explode" })).status).toBe(400);
    expect((await control("/_control/nope")).status).toBe(404);
    expect((await control("/_control/reset", {})).status).toBe(200);
    expect((await control("/_control/messages")).body).toEqual([]);
  });

  it("refuses to listen on a non-loopback host", async () => {
    await expect(startHuaweiEmulator({ host: "0.0.0.0", credentials: [] })).rejects.toThrow(
      /loopback/,
    );
  });
});
