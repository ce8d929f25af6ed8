/**
 * Logto, unmodified: the HTTP SMS connector against POST /v1/compat/logto, and the Tencent
 * SMS connector — whose host is hard-coded to sms.tencentcloudapi.com over https — against
 * the Tencent-compatible ingress behind a test-only TLS endpoint on 127.0.0.1, with a
 * certificate made for that name at test time and the name resolved to it in this process
 * only (the operator's equivalent, a private DNS zone, is in README.md).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import createHttpSmsConnector from "@logto/connector-http-sms";
import createTencentSmsConnector from "@logto/connector-tencent-sms";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { newApp, startTestStack, type TestApp, type TestStack } from "../helpers/stack";

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s?.close());

/** A one-variable verification template, registered in the emulated console. */
const OTP = { id: "otp", tencentId: "1000100", body: "您的验证码是{1}，请勿告诉他人。" };
beforeEach(() => {
  s.tencent.reset();
  s.tencent.addTemplate({
    id: OTP.tencentId,
    body: OTP.body,
    international: false,
    verification: true,
  });
});

async function logtoApp(settings: object = {}): Promise<TestApp> {
  const app = await newApp(s, settings);
  const put = await s.api("PUT", `/v1/apps/${app.appId}/templates/${OTP.id}`, {
    key: app.apiKey,
    body: {
      kind: "verification",
      region: "domestic",
      body: OTP.body,
      providerTemplateIds: { tencent: OTP.tencentId },
    },
  });
  expect(put.status).toBe(200);
  await app.patch({
    usageTemplates: { SignIn: OTP.id, Register: OTP.id, ForgotPassword: OTP.id, Generic: OTP.id },
  });
  return app;
}

const noConfig = async () => {
  throw new Error("config is passed per call");
};

async function httpConnector(app: TestApp) {
  const connector = await createHttpSmsConnector({ getConfig: noConfig });
  const config = { endpoint: `${s.apiUrl}/v1/compat/logto`, authorization: `Bearer ${app.apiKey}` };
  return (to: string, ip?: string, type = "SignIn"): Promise<string> =>
    connector
      .sendMessage(
        { to, type, payload: { code: "123456" }, ...(ip ? { ip } : {}) } as never,
        config,
      )
      .then(
        () => "ok",
        // What Logto shows: the answer's body, kept as the ConnectorError's data.
        (e: { data?: { message?: string } }) => e.data?.message ?? String(e),
      );
}

describe("Logto HTTP SMS connector", () => {
  it("sends a SignIn code with the app's template; the code is {1}", async () => {
    const app = await logtoApp();
    const send = await httpConnector(app);
    expect(await send("8613800138200")).toBe("ok");
    expect(s.tencent.messages()).toEqual([
      expect.objectContaining({
        phone: "+8613800138200",
        templateId: OTP.tencentId,
        params: ["123456"],
      }),
    ]);
  });

  it("is refused for an opted-out number, with smsgate's code in the body Logto shows", async () => {
    const app = await logtoApp();
    await s.api("POST", `/v1/apps/${app.appId}/opt-outs`, {
      key: app.apiKey,
      body: { phone: "+8613800138201", consent: true },
    });
    const send = await httpConnector(app);
    const out = await send("8613800138201");
    expect(JSON.parse(out)).toEqual({
      error: {
        code: "FailedOperation.PhoneNumberInBlacklist",
        message: expect.any(String),
        requestId: expect.any(String),
      },
    });
    expect(JSON.parse(await send("8613800138202", undefined, "MfaVerification")).error.code).toBe(
      "InvalidParameterValue.UsageType",
    );
    expect(s.tencent.messages()).toEqual([]);
  });

  it("holds a client IP to frequency.perIp oneHour, other IPs unaffected", async () => {
    const app = await logtoApp({ frequency: { perIp: { oneHour: 2 } } });
    const send = await httpConnector(app);
    expect(await send("8613800138210", "203.0.113.9")).toBe("ok");
    expect(await send("8613800138211", "203.0.113.9")).toBe("ok");
    expect(JSON.parse(await send("8613800138212", "203.0.113.9")).error.code).toBe(
      "LimitExceeded.ClientIpOneHourLimit",
    );
    expect(await send("8613800138212", "2001:db8::1")).toBe("ok");
    expect(s.tencent.messages()).toHaveLength(3);
  });

  it("keeps oneDay exact under concurrency: 12 at once from one IP, exactly 5 sent", async () => {
    const app = await logtoApp({ frequency: { perIp: { oneDay: 5 } } });
    const send = await httpConnector(app);
    const out = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        send(`86138001383${String(i).padStart(2, "0")}`, "198.51.100.7"),
      ),
    );
    expect(out.filter((o) => o === "ok")).toHaveLength(5);
    for (const o of out.filter((x) => x !== "ok"))
      expect(JSON.parse(o).error.code).toBe("LimitExceeded.ClientIpDailyLimit");
    expect(s.tencent.messages()).toHaveLength(5);
  });
});

describe("Logto Tencent SMS connector (host hard-coded to sms.tencentcloudapi.com)", () => {
  const HOST = "sms.tencentcloudapi.com";
  let proxy: https.Server;
  let previousAgent: https.Agent;

  beforeAll(async () => {
    // A self-signed certificate for the vendor's name, made now and trusted by this process only.
    const dir = mkdtempSync(join(tmpdir(), "smsgate-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        `/CN=${HOST}`,
        "-addext",
        `subjectAltName=DNS:${HOST}`,
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    const cert = readFileSync(join(dir, "cert.pem"));
    const key = readFileSync(join(dir, "key.pem"));
    // The TLS endpoint an operator would put in front of smsgate: terminate, forward as is.
    const upstream = new URL(s.apiUrl);
    proxy = https.createServer({ cert, key }, (req, res) => {
      const fwd = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      fwd.on("error", () => res.destroy());
      req.pipe(fwd);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const port = (proxy.address() as { port: number }).port;
    // DNS for this process only: HOST:443 is reached at the loopback endpoint, and its
    // certificate is the one trusted (the connector's own code is untouched).
    const agent = new https.Agent({ keepAlive: false });
    (
      agent as unknown as { createConnection: (o: tls.ConnectionOptions) => tls.TLSSocket }
    ).createConnection = (options) =>
      tls.connect({ ...options, host: "127.0.0.1", port, servername: HOST, ca: cert });
    previousAgent = https.globalAgent;
    https.globalAgent = agent;
  });
  afterAll(async () => {
    https.globalAgent = previousAgent;
    await new Promise((r) => proxy?.close(r));
  });

  async function tencentConnector(app: TestApp) {
    const cred = await s.api("POST", `/v1/apps/${app.appId}/keys`, {
      key: app.apiKey,
      body: { scopes: ["send"], format: "tencent" },
    });
    const connector = await createTencentSmsConnector({ getConfig: noConfig });
    const config = {
      accessKeyId: cred.body.secretId,
      accessKeySecret: cred.body.secretKey,
      signName: "smsgate",
      sdkAppId: app.appId,
      region: "ap-guangzhou",
      templates: ["SignIn", "Register", "ForgotPassword", "Generic"].map((usageType) => ({
        usageType,
        templateCode: OTP.tencentId,
      })),
    };
    return (to: string): Promise<string> =>
      connector
        .sendMessage({ to, type: "SignIn", payload: { code: "654321" } } as never, config)
        .then(
          () => "ok",
          // What Logto shows: the answer's body, kept as the ConnectorError's data.
          (e: { data?: { message?: string } }) => e.data?.message ?? String(e),
        );
  }

  it("sends a SignIn code through smsgate, and is refused for an opted-out number", async () => {
    const app = await logtoApp();
    const send = await tencentConnector(app);
    expect(await send("+8613800138400")).toBe("ok");
    expect(s.tencent.messages()).toEqual([
      expect.objectContaining({
        phone: "+8613800138400",
        templateId: OTP.tencentId,
        params: ["654321"],
      }),
    ]);
    await s.api("POST", `/v1/apps/${app.appId}/opt-outs`, {
      key: app.apiKey,
      body: { phone: "+8613800138401", consent: true },
    });
    expect(await send("+8613800138401")).toMatch(/^FailedOperation\.PhoneNumberInBlacklist: /);
    expect(s.tencent.messages()).toHaveLength(1);
  });
});
