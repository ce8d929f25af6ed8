/**
 * Opt-outs by SMS type (docs/providers/tencent.md §5.4): a reply keyword opts the number out of
 * the signature and the type of the message it answers; manual entries name a type or all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { callbackUrls } from "../../lib/core/secrets";
import { newApp, startTestStack, type TestApp, type TestStack } from "../helpers/stack";

let s: TestStack;
// 10:00 in Shanghai: inside the marketing window.
const clock = fixedClock("2026-11-22T02:00:00Z");
beforeAll(async () => {
  s = await startTestStack({ clock });
}, 60_000);
afterAll(() => s?.close());

let n = 0;
const fresh = () => `+86135${String(++n).padStart(7, "0")}1`;
const code = (to: string, otp = "482913") => ({
  to: [to],
  template: "login-code",
  params: [otp, "5"],
});
const status = async (app: TestApp, body: object) => {
  const m = (await app.send(body)).body.messages[0];
  return `${m.status}:${m.code}`;
};

async function marketingApp() {
  const app = await newApp(s, { frequency: { oneDay: 10 } });
  await s.api("PUT", `/v1/apps/${app.appId}/templates/promo`, {
    key: app.apiKey,
    body: {
      kind: "marketing",
      region: "domestic",
      body: "您的订单{1}已发货，预计{2}送达。拒收请回复R",
      providerTemplateIds: { tencent: "1000002" },
    },
  });
  s.tencent.addApp({
    sdkAppId: "1400000001",
    statusCallbackUrl: callbackUrls(s.deps.config, s.apiUrl, s.demo.appId).tencent.status,
    replyCallbackUrl: callbackUrls(s.deps.config, s.apiUrl, app.appId).tencent.reply,
  });
  return app;
}
const promo = (to: string, order = "A1") => ({
  to: [to],
  template: "promo",
  params: [order, "明天"],
});

describe("opt-outs by SMS type", () => {
  it("an R reply to a marketing message stops marketing and leaves login codes flowing", async () => {
    const app = await marketingApp();
    const to = fresh();
    expect(await status(app, code(to))).toBe("submitted:Ok");
    clock.advance(60_000);
    expect(await status(app, promo(to))).toBe("submitted:Ok");
    await s.tencent.reply({ phone: to, text: "R", sign: "smsgate" });
    expect(await status(app, promo(to, "A2"))).toBe(
      "rejected:FailedOperation.PhoneNumberInBlacklist",
    );
    expect(await status(app, code(to, "111111"))).toBe("submitted:Ok");
    const listed = await s.api("GET", `/v1/apps/${app.appId}/opt-outs/${encodeURIComponent(to)}`, {
      key: app.apiKey,
    });
    expect(listed.body.optOuts).toEqual([
      expect.objectContaining({ sign: "smsgate", kind: "marketing", reason: "reply-keyword" }),
    ]);
  });

  it("a manual entry names a type or every type, with consent; in bulk up to 1,000", async () => {
    const app = await marketingApp();
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const post = (body: object) =>
      s.api("POST", `/v1/apps/${app.appId}/opt-outs`, { key: app.apiKey, body });
    expect((await post({ phone: a, kind: "marketing", consent: true })).status).toBe(201);
    expect(await status(app, code(a))).toBe("submitted:Ok");
    expect(await status(app, promo(a))).toBe("rejected:FailedOperation.PhoneNumberInBlacklist");
    const bulk = await post({ phones: [b, c], consent: true });
    expect(bulk.status).toBe(201);
    expect(bulk.body.phones).toEqual([b, c]);
    expect(await status(app, code(b))).toBe("rejected:FailedOperation.PhoneNumberInBlacklist");
    expect(await status(app, promo(c))).toBe("rejected:FailedOperation.PhoneNumberInBlacklist");
    // A bad number in a bulk request: 400, nothing written.
    const d = fresh();
    const bad = await post({ phones: [d, "not a number"], consent: true });
    expect(bad.status).toBe(400);
    expect(await status(app, code(d))).toBe("submitted:Ok");
    expect((await post({ phones: [d], consent: false })).status).toBe(400);
    const tooMany = await post({
      phones: Array.from({ length: 1001 }, (_, i) => `+86134${String(i).padStart(8, "0")}`),
      consent: true,
    });
    expect(tooMany.status).toBe(400);
  });
});
