/**
 * Trust boundaries through the public API and the vendors' documented payloads: reports bound
 * to their binding, the operator-only settings tier, callback URLs hidden from read keys.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageIdForSerial } from "../../lib/core/ids";
import { callbackUrls } from "../../lib/core/secrets";
import { newApp, startTestStack, type TestApp, type TestStack } from "../helpers/stack";

let s: TestStack;
let n = 0;
// Numbers ending in 444 are accepted and never reported by the emulators: only forged
// reports can change them.
const silent = () => `+86137${String(++n).padStart(5, "0")}444`;

beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s?.close());

const tencentUrls = (appId: string) => callbackUrls(s.deps.config, s.apiUrl, appId).tencent;
const post = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: await r.text() }));
const report = (phone: string, sid: string) => ({
  user_receive_time: "2026-11-22 10:00:01",
  nationcode: "86",
  mobile: phone.slice(3),
  report_status: "SUCCESS",
  errmsg: "DELIVRD",
  description: "用户短信送达成功",
  sid,
});

async function sendOne(app: TestApp, to: string) {
  const res = await app.send({ to: [to], template: "login-code", params: ["482913", "5"] });
  const id = res.body.messages[0].id as string;
  const record = (await s.api("GET", `/v1/messages/${id}`, { key: app.apiKey })).body;
  return { id, serial: record.providerMessageId as string };
}

// Days are the app's (Asia/Shanghai): a range around today covers it whatever the UTC hour.
const day = (offset: number) =>
  new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10);
const delivered = async (app: TestApp) =>
  (
    await s.api("GET", `/v1/stats?from=${day(-1)}&to=${day(1)}`, {
      key: app.apiKey,
    })
  ).body.total.delivered;

describe("status reports are bound to their binding and number", () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await newApp(s);
    // B sends through another SdkAppId of the same deployment.
    s.tencent.addApp({ sdkAppId: "1400000777" });
    b = await newApp(s, { providers: [{ provider: "tencent", sdkAppId: "1400000777" }] });
  });

  it("a report carrying B's serial, posted to A's URL, leaves B's message and statistics untouched", async () => {
    const msgs = [];
    for (let i = 0; i < 6; i++) msgs.push(await sendOne(b, silent()));
    const forged = await post(
      tencentUrls(a.appId).status,
      msgs.map((m, i) => report(`+8613700000${i}`, m.serial)),
    );
    // Acknowledged in Tencent's format, so Tencent would not retry it for ever.
    expect(forged).toEqual({ status: 200, body: '{"result":0,"errmsg":"OK"}' });
    const forgedSameNumbers = await post(
      tencentUrls(a.appId).status,
      await Promise.all(
        msgs.map(async (m) => {
          const r = (await s.api("GET", `/v1/messages/${m.id}`, { key: b.apiKey })).body;
          return report(r.to, m.serial);
        }),
      ),
    );
    expect(forgedSameNumbers.status).toBe(200);
    for (const m of msgs)
      expect((await s.api("GET", `/v1/messages/${m.id}`, { key: b.apiKey })).body.status).toBe(
        "submitted",
      );
    expect(await delivered(b)).toBe(0);
  });

  it("B's own URL applies B's report, but not one naming another number", async () => {
    const to = silent();
    const m = await sendOne(b, to);
    await post(tencentUrls(b.appId).status, [report("+8613700009999", m.serial)]);
    expect((await s.api("GET", `/v1/messages/${m.id}`, { key: b.apiKey })).body.status).toBe(
      "submitted",
    );
    await post(tencentUrls(b.appId).status, [report(to, m.serial)]);
    expect((await s.api("GET", `/v1/messages/${m.id}`, { key: b.apiKey })).body.status).toBe(
      "delivered",
    );
    expect(await delivered(b)).toBe(1);
  });

  it("apps sharing one SdkAppId share its status URL, as Tencent's console has one per SdkAppId", async () => {
    const c = await newApp(s); // same SdkAppId as A
    const to = silent();
    const m = await sendOne(c, to);
    await post(tencentUrls(a.appId).status, [report(to, m.serial)]);
    expect((await s.api("GET", `/v1/messages/${m.id}`, { key: c.apiKey })).body.status).toBe(
      "delivered",
    );
  });

  it("a forged report that beats its record never blocks the real one", async () => {
    const to = silent();
    const serial = `2028:${Date.now()}${n}`;
    // The forger reports a serial whose record does not exist yet (an orphan of A's binding)…
    await post(tencentUrls(a.appId).status, [
      { ...report(to, serial), report_status: "FAIL", errmsg: "MK:0001" },
    ]);
    // …then B's send commits its record for that serial, as the send pipeline writes it.
    const now = new Date().toISOString();
    const id = messageIdForSerial("tencent", serial);
    await s.deps.store.putMessages([
      {
        id,
        appId: b.appId,
        requestId: "req",
        to,
        country: "CN",
        template: "login-code",
        templateKind: "verification",
        params: ["******", "5"],
        sign: "smsgate",
        status: "submitted",
        code: "Ok",
        segments: 1,
        provider: "tencent",
        binding: "tencent:1400000777",
        providerMessageId: serial,
        createdAt: now,
        submittedAt: now,
        day: now.slice(0, 10),
        hour: now.slice(0, 13),
        history: [{ status: "submitted", at: now }],
      },
    ]);
    await s.runChecker(); // the orphan sweep must not adopt A's report for B's message
    expect((await s.api("GET", `/v1/messages/${id}`, { key: b.apiKey })).body.status).toBe(
      "submitted",
    );
    await post(tencentUrls(b.appId).status, [report(to, serial)]);
    expect((await s.api("GET", `/v1/messages/${id}`, { key: b.apiKey })).body).toMatchObject({
      status: "delivered",
      carrierCode: "DELIVRD",
    });
  });
});

describe("the operator-only tier", () => {
  it("a disabled app cannot re-enable itself, approve a signature or lift its limits", async () => {
    const app = await newApp(s, { thresholds: { domestic: { alert: 50, limit: 100 } } });
    await app.operatorPatch({ enabled: false });
    const tries: [string, string, object][] = [
      ["PATCH", `/v1/apps/${app.appId}`, { enabled: true }],
      ["PATCH", `/v1/apps/${app.appId}`, { signatures: ["腾讯云"] }],
      ["PATCH", `/v1/apps/${app.appId}`, { name: "x", ceilings: { domestic: 100_000_000 } }],
      ["PATCH", `/v1/apps/${app.appId}`, { defaultSign: "腾讯云" }],
      ["PUT", `/v1/apps/${app.appId}/signatures/腾讯云`, {}],
      ["PUT", `/v1/apps/${app.appId}/package`, { domestic: { segments: 1_000_000 } }],
      ["POST", `/v1/apps/${app.appId}/package/top-ups`, { domestic: { segments: 1_000_000 } }],
    ];
    for (const [method, path, body] of tries) {
      const res = await s.api(method, path, { key: app.apiKey, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(403);
      expect(res.body.error.code).toBe("UnauthorizedOperation.OperatorOnlySetting");
    }
    const raise = await s.api("PATCH", `/v1/apps/${app.appId}`, {
      key: app.apiKey,
      body: { thresholds: { domestic: { limit: 100_000_000 } } },
    });
    expect(raise.status).toBe(403);
    expect(raise.body.error.code).toBe("UnauthorizedOperation.AboveOperatorCeiling");
    const after = (await s.api("GET", `/v1/apps/${app.appId}`, { key: app.apiKey })).body;
    expect(after).toMatchObject({
      enabled: false,
      name: expect.not.stringMatching(/^x$/),
      thresholds: { domestic: { limit: 100 } },
      ceilings: { domestic: 100 },
    });
    expect(after.signatures).not.toContain("腾讯云");
    const send = await app.send({ to: [silent()], template: "login-code", params: ["1", "5"] });
    expect(send.body.error.code).toBe("UnauthorizedOperation.SdkAppIdIsDisabled");
    expect(send.body.error.message).not.toContain("PATCH");
  });

  it("the app may lower its limits and set others within the ceilings", async () => {
    const app = await newApp(s, { thresholds: { domestic: { limit: 100 } } });
    await app.patch({ thresholds: { domestic: { alert: 10, limit: 20 } }, name: "lowered" });
    const res = await s.api("PATCH", `/v1/apps/${app.appId}`, {
      key: s.adminKey,
      body: { ceilings: { domestic: 500 } },
    });
    expect(res.status).toBe(200);
    await app.patch({ thresholds: { domestic: { limit: 500 } } });
  });

  it("the ceiling holds a send even when the app removes its own limit", async () => {
    const app = await newApp(s, { thresholds: { domestic: { limit: 5 } } });
    const removed = await s.api("PATCH", `/v1/apps/${app.appId}`, {
      key: app.apiKey,
      body: { thresholds: { domestic: { limit: null } } },
    });
    expect(removed.status).toBe(403);
    await s.api("PATCH", `/v1/apps/${app.appId}`, {
      key: s.adminKey,
      body: { thresholds: { domestic: { limit: null } } },
    });
    const res = await app.send({
      to: Array.from({ length: 7 }, silent),
      template: "login-code",
      params: ["1", "5"],
    });
    const statuses = res.body.messages.map((m: { status: string }) => m.status);
    expect(statuses.filter((x: string) => x === "submitted")).toHaveLength(5);
  });

  it("shows callback URLs to admin keys and the operator, never to read or send keys", async () => {
    const app = await newApp(s);
    const keyWith = async (scopes: string[]) =>
      (
        await s.api("POST", `/v1/apps/${app.appId}/keys`, {
          key: app.apiKey,
          body: { scopes },
        })
      ).body.key as string;
    for (const scopes of [["read"], ["send", "read"]]) {
      const key = await keyWith(scopes);
      const got = await s.api("GET", `/v1/apps/${app.appId}`, { key });
      expect(got.status).toBe(200);
      expect(JSON.stringify(got.body)).not.toContain("/callbacks/");
      const list = await s.api("GET", "/v1/apps", { key });
      expect(JSON.stringify(list.body)).not.toContain("/callbacks/");
    }
    for (const key of [app.apiKey, s.adminKey])
      expect(
        (await s.api("GET", `/v1/apps/${app.appId}`, { key })).body.callbackUrls.tencent.status,
      ).toContain("/callbacks/tencent/status/");
  });
});

describe("one phone normaliser", () => {
  it("an opt-out entered in any spelling blocks the number a send names", async () => {
    const app = await newApp(s);
    for (const [i, spelling] of [
      "+86 0139111100%d",
      "139-1111-00%d",
      "+86 (139) 1111 00%d",
    ].entries()) {
      const written = spelling.replace("%d", String(70 + i));
      const added = await s.api("POST", `/v1/apps/${app.appId}/opt-outs`, {
        key: app.apiKey,
        body: { phone: written, consent: true },
      });
      expect(added.status, written).toBe(201);
      const res = await app.send({
        to: [`+86139111100${70 + i}`],
        template: "login-code",
        params: ["1", "5"],
      });
      expect(res.body.messages[0].code, written).toBe("FailedOperation.PhoneNumberInBlacklist");
    }
  });

  it("refuses numbers no carrier issues, wherever a number is keyed", async () => {
    const app = await newApp(s);
    for (const [method, path, body] of [
      ["POST", `/v1/apps/${app.appId}/opt-outs`, { phone: "+8612345678901", consent: true }],
      ["PUT", `/v1/apps/${app.appId}/whitelist/${encodeURIComponent("+8612345678901")}`, {}],
      ["GET", `/v1/messages?phone=${encodeURIComponent("+8612345678901")}`, undefined],
    ] as const) {
      const res = await s.api(method, path, { key: app.apiKey, body });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe("InvalidParameterValue.IncorrectPhoneNumber");
    }
  });
});

describe("callback-token rotation", () => {
  it("gives new URLs at once; the previous token works 7 days, then answers 404 with nothing written", async () => {
    const app = await newApp(s);
    const old = (await s.api("GET", `/v1/apps/${app.appId}`, { key: app.apiKey })).body.callbackUrls
      .tencent;
    const rotated = await s.api("POST", `/v1/apps/${app.appId}/callback-tokens`, {
      key: app.apiKey,
    });
    expect(rotated.status).toBe(201);
    const fresh = rotated.body.callbackUrls.tencent;
    expect(fresh.status).not.toBe(old.status);
    expect(
      (await s.api("GET", `/v1/apps/${app.appId}`, { key: app.apiKey })).body.callbackUrls.tencent
        .status,
    ).toBe(fresh.status);
    const to = silent();
    const m = await sendOne(app, to);
    // Both tokens work during the 7 days.
    await post(old.status, [report(to, m.serial)]);
    expect((await s.api("GET", `/v1/messages/${m.id}`, { key: app.apiKey })).body.status).toBe(
      "delivered",
    );
    const reply = {
      extend: "",
      mobile: to.slice(3),
      nationcode: "86",
      sign: "smsgate",
      time: 1764590400,
    };
    expect((await post(fresh.reply, { ...reply, text: "hello" })).status).toBe(200);
    // Rotating again retires the first token at once (only one previous generation is kept).
    await s.api("POST", `/v1/apps/${app.appId}/callback-tokens`, { key: app.apiKey });
    const before = await s.itemCount();
    const refused = await post(old.reply, { ...reply, text: "TD" });
    expect(refused.status).toBe(404);
    expect(await s.itemCount()).toBe(before);
    expect((await post(fresh.reply, { ...reply, text: "still fine" })).status).toBe(200);
  });

  it("a read key cannot rotate, another app cannot either", async () => {
    const app = await newApp(s);
    const other = await newApp(s);
    const read = (
      await s.api("POST", `/v1/apps/${app.appId}/keys`, {
        key: app.apiKey,
        body: { scopes: ["read"] },
      })
    ).body.key;
    expect(
      (await s.api("POST", `/v1/apps/${app.appId}/callback-tokens`, { key: read })).status,
    ).toBe(403);
    expect(
      (await s.api("POST", `/v1/apps/${app.appId}/callback-tokens`, { key: other.apiKey })).status,
    ).toBe(404);
  });
});

describe("the master secret is versioned and separate from the operator key", () => {
  it("tokens and sealed webhook secrets made with the previous master keep working", async () => {
    const { callbackToken, claimOfCallbackToken, seal, unseal } = await import(
      "../../lib/core/secrets"
    );
    const oldMaster = ["old-master-secret-0001"];
    const rotated = ["new-master-secret-0002", "old-master-secret-0001"];
    const token = callbackToken(oldMaster, "01JD0000000000000000000000");
    expect(claimOfCallbackToken(rotated, token)).toEqual({
      appId: "01JD0000000000000000000000",
      generation: 0,
    });
    expect(claimOfCallbackToken(["new-master-secret-0002"], token)).toBeUndefined();
    expect(unseal(rotated, seal(oldMaster, "whsec_secret"))).toBe("whsec_secret");
    // New tokens use the current master.
    expect(callbackToken(rotated, "01JD0000000000000000000000")).not.toBe(token);
  });
});
