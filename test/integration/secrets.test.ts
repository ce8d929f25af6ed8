/**
 * Secrets at cold start (lib/config/secrets.ts): the real @aws-sdk/client-secrets-manager
 * against the local Secrets Manager (local/secrets-manager), which verifies SigV4 and answers
 * AWS's JSON 1.1 shapes. The packaged bundles reading their secrets this way are exercised
 * in package.test.ts, which has them unzipped.
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../../lib/config";
import { resolveSecrets, secretsAtColdStart } from "../../lib/config/secrets";
import { type SecretsManager, startSecretsManager } from "../../local/secrets-manager/index";

const KEY = { accessKeyId: "AKIDSECRETSTEST", secretAccessKey: "test-secret-access-key" };
const MASTER_ONLY = { accessKeyId: "AKIDMASTERONLY", secretAccessKey: "another-secret-key" };
const VALUES = {
  operator: { adminKey: "operator-key-0123456789" },
  master: { secrets: ["master-new-0123456789", "master-old-0123456789"] },
  tencent: { secretId: "AKIDtencent0001", secretKey: "tencent-secret-key" },
  huawei: { appKey: "hw-app-key-0001", appSecret: "hw-app-secret-0001" },
};

let sm: SecretsManager;
let prefix: string;
let n = 0;
beforeAll(async () => {
  sm = await startSecretsManager({
    credentials: [KEY, { ...MASTER_ONLY, allow: [] }],
    region: "ap-southeast-1",
  });
  expect(new URL(sm.url).hostname).toBe("127.0.0.1");
});
afterAll(() => sm?.close());
beforeEach(() => {
  // A fresh prefix per test: its own four secrets, none shared.
  prefix = `smsgate/t${++n}/`;
  for (const [name, value] of Object.entries(VALUES)) sm.put(`${prefix}${name}`, value);
  for (const k of Object.keys(sm.calls)) delete sm.calls[k];
});

const config = (secrets: string, extra: Record<string, string> = {}): Config =>
  loadConfig({
    SMSGATE_TABLE: "smsgate-test",
    AWS_REGION: "ap-southeast-1",
    SMSGATE_SECRETS_PREFIX: prefix,
    SMSGATE_SECRETS: secrets,
    SECRETS_MANAGER_ENDPOINT: sm.url,
    ...extra,
  });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: Error) => e.message,
  );
/** No secret value appears in a message. */
const leaksNothing = (message: string) => {
  for (const v of Object.values(VALUES).flatMap((o) => Object.values(o).flat()))
    expect(message).not.toContain(v);
};

describe("resolveSecrets", () => {
  it("fills every listed secret from one BatchGetSecretValue call", async () => {
    const c = await resolveSecrets(config("operator,master,tencent,huawei"), { credentials: KEY });
    expect(c.SMSGATE_ADMIN_KEY).toBe(VALUES.operator.adminKey);
    // The master list keeps its order: current first, then the previous ones still accepted.
    expect(c.SMSGATE_SECRET).toEqual(VALUES.master.secrets);
    expect([c.TENCENT_SECRET_ID, c.TENCENT_SECRET_KEY]).toEqual([
      "AKIDtencent0001",
      "tencent-secret-key",
    ]);
    expect([c.HUAWEI_APP_KEY, c.HUAWEI_APP_SECRET]).toEqual([
      "hw-app-key-0001",
      "hw-app-secret-0001",
    ]);
    expect(sm.calls).toEqual({ BatchGetSecretValue: 1 });
  });

  it("reads only what is listed: a callback function gets the master secret and nothing else", async () => {
    const c = await resolveSecrets(config("master"), { credentials: KEY });
    expect(c.SMSGATE_SECRET).toEqual(VALUES.master.secrets);
    expect(c.SMSGATE_ADMIN_KEY).toBeUndefined();
    expect(c.TENCENT_SECRET_KEY).toBeUndefined();
    expect(c.HUAWEI_APP_SECRET).toBeUndefined();
  });

  it("without a prefix returns the environment's configuration and calls nothing", async () => {
    const env = loadConfig({ SMSGATE_TABLE: "smsgate-test", SMSGATE_SECRET: "m".repeat(16) });
    expect(await resolveSecrets(env, { credentials: KEY })).toBe(env);
    expect(sm.calls).toEqual({});
  });

  it("fails naming a missing secret, and an unknown name before any call", async () => {
    const missing = await failure(
      resolveSecrets(config("master,tencent", { SMSGATE_SECRETS_PREFIX: `${prefix}gone/` }), {
        credentials: KEY,
      }),
    );
    expect(missing).toContain(`secret ${prefix}gone/master: ResourceNotFoundException`);
    expect(missing).toContain(`secret ${prefix}gone/tencent: ResourceNotFoundException`);
    expect(sm.calls).toEqual({ BatchGetSecretValue: 1 });
    const unknown = await failure(resolveSecrets(config("master,nothere"), { credentials: KEY }));
    expect(unknown).toMatch(/SMSGATE_SECRETS: unknown nothere/);
    expect(sm.calls).toEqual({ BatchGetSecretValue: 1 });
  });

  it("fails naming the secret and the field of a malformed value, never the value", async () => {
    sm.put(`${prefix}tencent`, '{"secretId": "AKIDtencent0001", "secretKey": tencent-secret-key}');
    sm.put(`${prefix}operator`, { adminKey: "short" });
    sm.put(`${prefix}huawei`, { appKey: "hw-app-key-0001" });
    const message = await failure(
      resolveSecrets(config("operator,master,tencent,huawei"), { credentials: KEY }),
    );
    expect(message).toContain(`secret ${prefix}tencent: SecretString is not JSON`);
    expect(message).toMatch(new RegExp(`secret ${prefix}operator: adminKey: .*16`));
    expect(message).toContain(`secret ${prefix}huawei: appSecret:`);
    expect(message).not.toContain(`${prefix}master`);
    expect(message).not.toContain("short");
    leaksNothing(message);
  });

  it("fails on a master secret list that is empty or too short", async () => {
    sm.put(`${prefix}master`, { secrets: [] });
    expect(await failure(resolveSecrets(config("master"), { credentials: KEY }))).toContain(
      `secret ${prefix}master: secrets:`,
    );
    sm.put(`${prefix}master`, { secrets: ["master-new-0123456789", "tooshort"] });
    expect(await failure(resolveSecrets(config("master"), { credentials: KEY }))).toContain(
      `secret ${prefix}master: secrets.1:`,
    );
  });

  it("is refused with a wrong signature or an unknown key", async () => {
    const bad = await failure(
      resolveSecrets(config("master"), {
        credentials: { ...KEY, secretAccessKey: "not-the-secret-access-key" },
      }),
    );
    expect(bad).toMatch(/InvalidSignatureException/);
    const unknown = await failure(
      resolveSecrets(config("master"), { credentials: { ...KEY, accessKeyId: "AKIDUNKNOWN" } }),
    );
    expect(unknown).toMatch(/UnrecognizedClientException/);
    leaksNothing(bad + unknown);
    expect(sm.calls.BatchGetSecretValue).toBeGreaterThanOrEqual(2);
  });

  it("names each secret the role may not read", async () => {
    const message = await failure(resolveSecrets(config("master"), { credentials: MASTER_ONLY }));
    expect(message).toContain(`secret ${prefix}master: AccessDeniedException`);
  });
});

describe("secretsAtColdStart", () => {
  it("fetches at once, keeps a success, and fetches again after a failure", async () => {
    sm.put(`${prefix}master`, "not json");
    const secrets = secretsAtColdStart(config("master"), (c) =>
      resolveSecrets(c, { credentials: KEY }),
    );
    // Started before anyone asked (a function's INIT).
    await new Promise((r) => setTimeout(r, 200));
    expect(sm.calls.BatchGetSecretValue).toBe(1);
    // The INIT fetch failed: the first event fetches again (and fails again, unfixed).
    expect(await failure(secrets())).toContain("SecretString is not JSON");
    expect(sm.calls.BatchGetSecretValue).toBe(2);
    // The operator fixes the secret; the next event reads it, and later ones reuse it.
    sm.put(`${prefix}master`, VALUES.master);
    expect((await secrets()).SMSGATE_SECRET).toEqual(VALUES.master.secrets);
    expect(sm.calls.BatchGetSecretValue).toBe(3);
    await secrets();
    expect(sm.calls.BatchGetSecretValue).toBe(3);
  });

  it("a failure nobody awaits yet is not an unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      secretsAtColdStart(config("master"), () => Promise.reject(new Error("no network")));
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

describe("the local Secrets Manager", () => {
  it("keeps the previous version on PutSecretValue, as rotation needs", async () => {
    const client = new SecretsManagerClient({
      region: "ap-southeast-1",
      endpoint: sm.url,
      credentials: KEY,
    });
    const id = `${prefix}operator`;
    await client.send(
      new PutSecretValueCommand({
        SecretId: id,
        SecretString: '{"adminKey":"rotated-key-0123456789"}',
      }),
    );
    const current = await client.send(new GetSecretValueCommand({ SecretId: id }));
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: current.ARN, VersionStage: "AWSPREVIOUS" }),
    );
    expect(JSON.parse(current.SecretString ?? "")).toEqual({ adminKey: "rotated-key-0123456789" });
    expect(current.VersionStages).toEqual(["AWSCURRENT"]);
    expect(JSON.parse(previous.SecretString ?? "")).toEqual(VALUES.operator);
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: `${prefix}nothere` })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    client.destroy();
  });
});
