/**
 * `serverless package` (osls, offline) bundles each function on its own with esbuild, and each
 * bundle starts in a fresh Node process with only the environment Lambda would give it.
 */
import { execFile } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import JSZip from "jszip";
import { afterAll, describe, expect, it } from "vitest";
import { ensureTable, localClient, startDynalite } from "../../local/dynamo";
import { startSecretsManager } from "../../local/secrets-manager/index";
import { demoBinding } from "../../local/seed";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const out = mkdtempSync(join(tmpdir(), "smsgate-package-"));
const FUNCTIONS = [
  "admin",
  "campaign-worker",
  "campaigns",
  "reply",
  "send",
  "status-callback",
  "threshold-check",
  "webhook-worker",
];
// What the nodejs22.x runtime provides beside a bundle: the AWS SDK v3, and nothing else.
const runtime = join(out, "runtime", "node_modules");
mkdirSync(runtime, { recursive: true });
symlinkSync(join(root, "node_modules/@aws-sdk"), join(runtime, "@aws-sdk"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("serverless package", () => {
  it("produces one artifact per function, each loading on its own", async () => {
    await run(join(root, "node_modules/.bin/serverless"), ["package", "--package", out], {
      cwd: root,
      timeout: 120_000,
    });
    expect(
      readdirSync(out)
        .filter((f) => f.endsWith(".zip"))
        .sort(),
    ).toEqual(FUNCTIONS.map((f) => `${f}.zip`));
    mkdirSync(runtime, { recursive: true });
    symlinkSync(join(root, "node_modules/@aws-sdk"), join(runtime, "@aws-sdk"));

    for (const name of FUNCTIONS) {
      const dir = join(out, `unzipped-${name}`);
      const zip = await JSZip.loadAsync(readFileSync(join(out, `${name}.zip`)));
      for (const file of Object.values(zip.files).filter((f) => !f.dir)) {
        mkdirSync(join(dir, file.name, ".."), { recursive: true });
        writeFileSync(join(dir, file.name), await file.async("nodebuffer"));
      }
      expect(readdirSync(join(dir, "functions"))).toEqual([`${name}.js`]);
      // A cold start with a valid environment exports a handler, and nothing else is needed.
      const { stdout } = await run(
        process.execPath,
        [
          "-e",
          `console.log(typeof require(${JSON.stringify(join(dir, "functions", `${name}.js`))}).handler)`,
        ],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH,
            NODE_PATH: runtime,
            SMSGATE_TABLE: "smsgate-test",
            AWS_REGION: "ap-southeast-1",
            SMSGATE_ADMIN_KEY: "operator-key-for-package-test",
            SMSGATE_SECRET: "master-secret-for-operator-key-for-pac",
            TENCENT_SECRET_ID: "id",
            TENCENT_SECRET_KEY: "key",
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          },
        },
      );
      expect(stdout.trim()).toBe("function");
    }
  }, 120_000);

  it("refuses to start with a bad environment, naming the variable", async () => {
    const dir = join(out, "unzipped-send");
    const failure = await run(
      process.execPath,
      ["-e", `require(${JSON.stringify(join(dir, "functions/send.js"))})`],
      {
        env: {
          PATH: process.env.PATH,
          NODE_PATH: runtime,
          SMSGATE_TABLE: "t",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        },
      },
    ).catch((e: { stderr: string }) => e);
    // The thrown error's own line (the minified source Node prints holds every name too).
    expect((failure as { stderr: string }).stderr).toMatch(
      /^Error: smsgate configuration invalid — SMSGATE_TABLE: /m,
    );
  });

  it("each bundle reads its secrets from Secrets Manager at cold start and serves a first request", async () => {
    // The deployed environment of each function, from the packaged template, pointed at a
    // local DynamoDB and a local Secrets Manager (which checks the SigV4 signature).
    const template = JSON.parse(
      readFileSync(join(out, "cloudformation-template-update-stack.json"), "utf8"),
    );
    const deployed = (name: string): Record<string, string> => {
      const fn = Object.values(
        template.Resources as Record<
          string,
          {
            Properties?: {
              FunctionName?: string;
              Environment: { Variables: Record<string, string> };
            };
          }
        >,
      ).find((r) => r.Properties?.FunctionName === `smsgate-dev-${name}`);
      const { NODE_OPTIONS: _, ...raw } = fn?.Properties?.Environment.Variables ?? {};
      // The campaign queue's URL is a CloudFormation Ref, resolved at deploy time.
      const vars = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [
          k,
          typeof v === "string" ? v : "http://127.0.0.1:9/000000000000/smsgate-dev-campaigns",
        ]),
      );
      return vars;
    };
    const dynamo = await startDynalite({});
    const table = "smsgate-dev";
    await ensureTable(localClient(dynamo.endpoint), table);
    const aws = { accessKeyId: "AKIDPACKAGETEST", secretAccessKey: "package-test-secret-key" };
    const sm = await startSecretsManager({ credentials: [aws], region: "ap-southeast-1" });
    const adminKey = "operator-key-from-secrets-manager";
    sm.put("smsgate/dev/operator", { adminKey });
    sm.put("smsgate/dev/master", { secrets: ["master-secret-from-secrets-manager"] });
    sm.put("smsgate/dev/tencent", { secretId: "AKIDtencent", secretKey: "tencent-secret" });

    /** Runs one bundle in a fresh process (one cold start) over these events, in order. */
    const invoke = async (name: string, events: unknown[], env: Record<string, string> = {}) => {
      const file = join(out, `unzipped-${name}`, "functions", `${name}.js`);
      const script = `const { handler } = require(${JSON.stringify(file)});
        (async () => { const out = [];
          for (const e of JSON.parse(process.argv[1])) {
            try { out.push(await handler(e)); } catch (err) { out.push({ error: err.message }); }
          }
          console.log(JSON.stringify(out)); })();`;
      const { stdout } = await run(process.execPath, ["-e", script, JSON.stringify(events)], {
        env: {
          PATH: process.env.PATH ?? "",
          NODE_PATH: runtime,
          AWS_REGION: "ap-southeast-1",
          AWS_ACCESS_KEY_ID: aws.accessKeyId,
          AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          ...deployed(name),
          SMSGATE_TABLE: table,
          SMSGATE_LOG_LEVEL: "silent",
          DYNAMODB_ENDPOINT: dynamo.endpoint,
          SECRETS_MANAGER_ENDPOINT: sm.url,
          ...env,
        },
      });
      return JSON.parse(stdout) as { statusCode?: number; body?: string; error?: string }[];
    };
    const http = (
      method: string,
      route: string,
      path: string,
      o: { key?: string; body?: unknown; params?: Record<string, string> } = {},
    ) => ({
      version: "2.0",
      routeKey: `${method} ${route}`,
      rawPath: path,
      rawQueryString: "",
      headers: {
        host: "api.example.com",
        "x-forwarded-proto": "https",
        "content-type": "application/json",
        ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
      },
      pathParameters: o.params,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      isBase64Encoded: false,
      requestContext: {
        accountId: "000000000000",
        apiId: "test",
        domainName: "api.example.com",
        domainPrefix: "api",
        http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" },
        requestId: "package-test",
        routeKey: `${method} ${route}`,
        stage: "$default",
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
      },
    });
    try {
      // admin: the operator key (from the operator secret) creates an app; its callback URLs
      // carry tokens derived from the master secret.
      const [created] = await invoke("admin", [
        http("POST", "/v1/apps", "/v1/apps", {
          key: adminKey,
          body: { name: "package", providers: [demoBinding("tencent")], defaultSign: "smsgate" },
        }),
      ]);
      expect(created?.statusCode, JSON.stringify(created)).toBe(201);
      const urls = JSON.parse(created?.body ?? "{}").callbackUrls.tencent;
      const token = (url: string) => url.split("/").pop() as string;

      // status-callback and reply: only the master secret, and it accepts those tokens.
      const forged = `${token(urls.status).split("_")[0]}_${"x".repeat(32)}`;
      const callback = (kind: string, t: string, body: unknown) =>
        http("POST", `/callbacks/{provider}/${kind}/{token}`, `/callbacks/tencent/${kind}/${t}`, {
          params: { provider: "tencent", token: t },
          body,
        });
      const status = await invoke("status-callback", [
        callback("status", token(urls.status), []),
        callback("status", forged, []),
      ]);
      expect(status.map((r) => r.statusCode)).toEqual([200, 404]);
      const reply = {
        mobile: "13800138000",
        nationcode: "86",
        sign: "smsgate",
        text: "hi",
        time: 1_700_000_000,
      };
      const replies = await invoke("reply", [
        callback("reply", token(urls.reply), reply),
        callback("reply", forged, reply),
      ]);
      expect(replies.map((r) => r.statusCode)).toEqual([200, 404]);

      // send: knows the operator key (and refuses it: it cannot send), not a made-up one.
      const sent = await invoke("send", [
        http("POST", "/v1/messages", "/v1/messages", {
          key: adminKey,
          body: { to: ["+8613800138000"], template: "login-code", params: ["1", "2"] },
        }),
        http("POST", "/v1/messages", "/v1/messages", {
          key: "not-the-operator-key-at-all",
          body: { to: ["+8613800138000"], template: "login-code", params: ["1", "2"] },
        }),
      ]);
      expect(sent.map((r) => r.statusCode)).toEqual([403, 401]);

      // threshold-check: a scheduled run over the table.
      const [checked] = await invoke("threshold-check", [{ source: "aws.events" }]);
      expect(checked?.error).toBeUndefined();

      // Each cold start made exactly one call, BatchGetSecretValue.
      expect(sm.calls).toEqual({ BatchGetSecretValue: 5 });

      // A secret missing at cold start fails the event, naming it; the next event tries again.
      const missing = await invoke(
        "status-callback",
        [callback("status", token(urls.status), []), callback("status", token(urls.status), [])],
        { SMSGATE_SECRETS_PREFIX: "smsgate/nothere/" },
      );
      expect(missing.map((r) => r.error)).toEqual([
        expect.stringContaining("secret smsgate/nothere/master: ResourceNotFoundException"),
        expect.stringContaining("secret smsgate/nothere/master: ResourceNotFoundException"),
      ]);
      // The first event awaited the INIT fetch; the second fetched again.
      expect(sm.calls.BatchGetSecretValue).toBe(5 + 2);
    } finally {
      await sm.close();
      await dynamo.close();
    }
  }, 60_000);
});
