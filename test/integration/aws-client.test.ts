/**
 * lib/aws/client.ts on the wire, against a loopback server answering as AWS does (JSON
 * errors named by `__type` or x-amzn-ErrorType): what it retries, what it does not, how a
 * refusal reaches the caller, and that a call is observed once however many attempts it took.
 * The happy paths run in every other suite, against dynalite, DynamoDB Local and the SQS,
 * Secrets Manager and SES emulators.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AwsError, awsJsonClient } from "../../lib/aws/client";
import { awsCredentials } from "../../lib/config";

type Answer = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: Server;
let url = "";
let script: Answer[] = [];
let seen: { target: string; auth: string; token: string; body: string }[] = [];

const json = (status: number, body: object, headers: Record<string, string> = {}) =>
  ((_req, _body, res) => {
    res.writeHead(status, { "content-type": "application/x-amz-json-1.0", ...headers });
    res.end(JSON.stringify(body));
  }) as Answer;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      seen.push({
        target: String(req.headers["x-amz-target"] ?? req.url),
        auth: String(req.headers.authorization ?? ""),
        token: String(req.headers["x-amz-security-token"] ?? ""),
        body,
      });
      (script.shift() ?? json(200, {}))(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  script = [];
  seen = [];
});

const client = (extra: object = {}) =>
  awsJsonClient({
    service: "dynamodb",
    target: "DynamoDB_20120810",
    protocol: "1.0",
    region: "ap-guangzhou",
    endpoint: url,
    credentials: { accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: "tok" },
    ...extra,
  });

describe("the AWS JSON client", () => {
  it("signs each call, names its operation, and returns the parsed answer", async () => {
    script = [json(200, { Item: { pk: { S: "a" } } })];
    const out = await client().call("GetItem", { TableName: "t" });
    expect(out).toEqual({ Item: { pk: { S: "a" } } });
    expect(seen[0]).toMatchObject({
      target: "DynamoDB_20120810.GetItem",
      token: "tok",
      body: '{"TableName":"t"}',
    });
    expect(seen[0]?.auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/ap-guangzhou\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
  });

  it("does not retry a refusal, and names it as the SDK would", async () => {
    script = [
      json(400, {
        __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
        message: "The conditional request failed",
      }),
    ];
    const err = await client()
      .call("UpdateItem", {})
      .catch((e) => e);
    expect(err).toBeInstanceOf(AwsError);
    expect(err).toMatchObject({
      name: "ConditionalCheckFailedException",
      message: "The conditional request failed",
      status: 400,
    });
    expect(seen).toHaveLength(1);
  });

  it("retries throttling and server faults, up to three attempts in all", async () => {
    script = [
      json(400, {
        __type: "com.amazonaws.dynamodb.v20120810#ThrottlingException",
        message: "slow",
      }),
      json(500, { __type: "InternalServerError", message: "boom" }),
      json(200, { ok: 1 }),
    ];
    expect(await client().call("PutItem", {})).toEqual({ ok: 1 });
    expect(seen).toHaveLength(3);

    script = [json(503, {}), json(503, {}), json(503, {}), json(200, {})];
    seen = [];
    const err = await client()
      .call("PutItem", {})
      .catch((e) => e);
    expect(err).toMatchObject({ status: 503 });
    expect(seen).toHaveLength(3);
  });

  it("takes the error's name from x-amzn-ErrorType when the body has none (SES)", async () => {
    script = [
      json(
        400,
        { message: "Email address is not verified." },
        {
          "x-amzn-errortype": "MessageRejected:http://internal.amazon.com/coral/com.amazon.ses/",
        },
      ),
    ];
    const ses = awsJsonClient({
      service: "ses",
      target: "",
      protocol: "rest-json",
      region: "ap-guangzhou",
      endpoint: url,
      credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
    });
    const err = await ses.post("SendEmail", "/v2/email/outbound-emails", {}).catch((e) => e);
    expect(err).toMatchObject({ name: "MessageRejected", status: 400 });
    expect(seen[0]?.target).toBe("/v2/email/outbound-emails");
    expect(seen[0]?.auth).toContain(
      "/ses/aws4_request, SignedHeaders=content-type;host;x-amz-date,",
    );
  });

  it("retries a connection the server dropped, and gives up on one that never answers", async () => {
    script = [(req) => req.socket.destroy(), json(200, { ok: 2 })];
    expect(await client().call("Query", {})).toEqual({ ok: 2 });

    script = [() => {}, () => {}];
    const started = Date.now();
    const err = await client({ timeoutMs: 150, maxAttempts: 2 })
      .call("Query", {})
      .catch((e) => e);
    expect(err).toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("tells an observer of each call once, with its outcome, however many attempts it took", async () => {
    const c = client();
    const calls: string[] = [];
    c.observe((operation, input) => {
      input.ReturnConsumedCapacity = "TOTAL";
      return (ok, out) => calls.push(`${operation} ${ok} ${JSON.stringify(out ?? null)}`);
    });
    script = [json(500, {}), json(200, { n: 1 }), json(400, { __type: "ValidationException" })];
    await c.call("UpdateItem", {});
    await c.call("UpdateItem", {}).catch(() => {});
    expect(calls).toEqual(['UpdateItem true {"n":1}', "UpdateItem false null"]);
    expect(seen.map((s) => JSON.parse(s.body).ReturnConsumedCapacity)).toEqual([
      "TOTAL",
      "TOTAL",
      "TOTAL",
    ]);
  });

  it("takes the role's credentials from the environment (lib/config), and says which are missing", async () => {
    const saved = { ...process.env };
    try {
      delete process.env.AWS_ACCESS_KEY_ID;
      const err = await client({ credentials: () => awsCredentials() })
        .call("GetItem", {})
        .catch((e) => e);
      expect(err).toMatchObject({ name: "CredentialsProviderError" });
      expect(err.message).toContain("AWS_ACCESS_KEY_ID");
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: "ENVKEY", AWS_SECRET_ACCESS_KEY: "x" });
      delete process.env.AWS_SESSION_TOKEN;
      await client({ credentials: () => awsCredentials() }).call("GetItem", {});
      expect(seen.at(-1)?.auth).toContain("Credential=ENVKEY/");
      expect(seen.at(-1)?.token).toBe("");
    } finally {
      process.env = saved;
    }
  });
});
