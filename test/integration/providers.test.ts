/**
 * The same behavioural suite for both providers through the local stack, and failover
 * between them that never double-sends.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DemoProvider } from "../../local/seed";
import { newApp, routeTo, startTestStack, type TestStack, waitFor } from "../helpers/stack";

let s: TestStack;
let n = 0;
const fresh = (): string => {
  const c = `+86133${String(++n).padStart(8, "0")}`;
  return c.endsWith("4") ? fresh() : c;
};
const code = (to: string[]) => ({ to, template: "login-code", params: ["482913", "5"] });

beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s?.close());
beforeEach(() => {
  s.tencent.reset();
  s.huawei.reset();
});

const emulator = (p: DemoProvider) => (p === "tencent" ? s.tencent : s.huawei);

async function finalStatus(key: string, id: string): Promise<Record<string, unknown>> {
  return waitFor(
    async () => {
      const r = await s.api("GET", `/v1/messages/${id}`, { key });
      return r.body.status !== "submitted" && r.body;
    },
    5000,
    `a report for ${id}`,
  );
}

describe.each(["tencent", "huawei"] as const)("through %s", (provider) => {
  it("a message ends delivered, reported in the vendor's own format", async () => {
    const app = await newApp(s, {}, [provider]);
    const res = await app.send(code([fresh()]));
    expect(res.body.messages[0]).toMatchObject({
      status: "submitted",
      code: "Ok",
      segments: 1,
      country: "CN",
    });
    const record = await finalStatus(app.apiKey, res.body.messages[0].id);
    expect(record).toMatchObject({ status: "delivered", carrierCode: "DELIVRD", provider });
    expect(emulator(provider).messages()).toHaveLength(1);
  });

  it("a number ending in 4 ends undelivered", async () => {
    const app = await newApp(s, {}, [provider]);
    const res = await app.send(code(["+8613300000004"]));
    expect((await finalStatus(app.apiKey, res.body.messages[0].id)).status).toBe("undelivered");
  });

  it("a number ending in 44 is refused by the vendor, with its code kept", async () => {
    const app = await newApp(s, {}, [provider]);
    const res = await app.send(code(["+8613300000044"]));
    expect(res.body.messages[0].status).toBe("failed");
    const record = (
      await s.api("GET", `/v1/messages/${res.body.messages[0].id}`, { key: app.apiKey })
    ).body;
    expect(record).toMatchObject({ status: "failed", provider });
    expect(record.code).toBe(
      provider === "tencent"
        ? "FailedOperation.PhoneNumberInBlacklist"
        : "LimitExceeded.DeliveryFrequencyLimit",
    );
  });

  it("a number ending in 444 is accepted and never reported", async () => {
    const app = await newApp(s, {}, [provider]);
    const res = await app.send(code(["+8613300000444"]));
    expect(res.body.messages[0].status).toBe("submitted");
    await new Promise((r) => setTimeout(r, 300));
    expect(
      (await s.api("GET", `/v1/messages/${res.body.messages[0].id}`, { key: app.apiKey })).body
        .status,
    ).toBe("submitted");
  });

  it("a reply of R opts the number out", async () => {
    const app = await newApp(s, {}, [provider]);
    await routeTo(s, app, provider);
    const to = fresh();
    // The reply answers the latest message under the signature: its type is what opts out.
    await app.send(code([to]));
    await emulator(provider).reply({ phone: to, text: "R", sign: "smsgate" });
    const res = await app.send(code([to]));
    expect(res.body.messages[0]).toMatchObject({
      status: "rejected",
      code: "FailedOperation.PhoneNumberInBlacklist",
    });
  });

  it("a vendor timeout leaves the number unknown", async () => {
    const app = await newApp(s, {}, [provider]);
    emulator(provider).setFault("timeout");
    const res = await app.send(code([fresh()]));
    emulator(provider).setFault("none");
    expect(res.body.messages[0]).toMatchObject({
      status: "unknown",
      code: "InternalError.ProviderTimeout",
    });
  }, 20_000);
});

describe("failover from Huawei to Tencent", () => {
  it("goes to the next provider when the first answers 500, and records which one sent", async () => {
    const app = await newApp(s, {}, ["huawei", "tencent"]);
    s.huawei.setFault("http500");
    const res = await app.send(code([fresh()]));
    s.huawei.setFault("none");
    expect(res.body.messages[0]).toMatchObject({ status: "submitted", code: "Ok" });
    expect(s.tencent.messages()).toHaveLength(1);
    const record = (
      await s.api("GET", `/v1/messages/${res.body.messages[0].id}`, { key: app.apiKey })
    ).body;
    expect(record.provider).toBe("tencent");
  });

  it("does not fail over on a timeout: the first may have sent", async () => {
    const app = await newApp(s, {}, ["huawei", "tencent"]);
    s.huawei.setFault("timeout");
    const res = await app.send(code([fresh()]));
    s.huawei.setFault("none");
    expect(res.body.messages[0]).toMatchObject({
      status: "unknown",
      code: "InternalError.ProviderTimeout",
    });
    expect(s.tencent.messages()).toEqual([]);
    const record = (
      await s.api("GET", `/v1/messages/${res.body.messages[0].id}`, { key: app.apiKey })
    ).body;
    expect(record.provider).toBe("huawei");
  }, 20_000);

  it("does not fail over on a per-number refusal", async () => {
    const app = await newApp(s, {}, ["huawei", "tencent"]);
    const res = await app.send(code(["+8613300000044"]));
    expect(res.body.messages[0].status).toBe("failed");
    expect(s.tencent.messages()).toEqual([]);
  });
});

describe("wrong vendor credentials", () => {
  let bad: TestStack;
  beforeAll(async () => {
    bad = await startTestStack({
      tencentSecretKeyOverride: "not-the-secret",
      huaweiAppSecretOverride: "not-the-secret",
    });
  });
  afterAll(() => bad?.close());

  it.each(["tencent", "huawei"] as const)(
    "%s refuses smsgate's signature; the number fails, nothing is sent",
    async (provider) => {
      const app = await newApp(bad, {}, [provider]);
      const res = await app.send(code([fresh()]));
      expect(res.status).toBe(200);
      expect(res.body.messages[0]).toMatchObject({
        status: "failed",
        code: "FailedOperation.ProviderAuthFailure",
      });
      expect((provider === "tencent" ? bad.tencent : bad.huawei).messages()).toEqual([]);
    },
  );
});
