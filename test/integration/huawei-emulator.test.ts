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

beforeEach(() => {
  emulator.reset();
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
    const [report] = await waitFor(() => {
      const list = pushes("/status");
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
