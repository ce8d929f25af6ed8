/**
 * Size budgets of the function bundles (built exactly as `serverless package` builds them),
 * and proof that the bundled Tencent SDK, with node:http in place of node-fetch
 * (lib/shims/node-fetch.ts), still passes the emulator's TC3 check and maps faults the same way.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle, FUNCTIONS } from "../../bench/bundle";
import type { Provider } from "../../lib/providers/port";
import { readServerlessYml } from "../../local/serverless-config";
import { startTencentEmulator, type TencentEmulator } from "../../local/tencent-emulator/index";

const KB = 1024;
// No AWS SDK in any function: DynamoDB, SQS, Secrets Manager and SES go through smsgate's own
// signed JSON client (lib/aws/client.ts, about 4 KB), because the SDK's 200 KB and its
// per-call middleware cost more on the first request and on every one after than everything
// else in send (docs/performance.md, levers; the bench holds the ratios).
// admin carries the one phone normaliser (libphonenumber-js, 38 KB of metadata), the OpenAPI
// document (~13 KB) and the console (lib/console/assets.json, ~92 KB held as two strings,
// docs/console.md: strings cost next to nothing to parse). send carries the hold-per-number
// policy, the Tencent-compatible ingress and the Logto route; reply the account-level
// routing and opt-outs by type. campaigns alone carries the upload parsers (csv-parse 31 KB,
// read-excel-file 62 KB, docs/performance.md "Recipient files").
const BUDGET: Record<string, number> = {
  send: 255 * KB,
  "status-callback": 120 * KB,
  reply: 195 * KB,
  "threshold-check": 170 * KB,
  admin: 400 * KB,
  campaigns: 335 * KB,
  "campaign-worker": 245 * KB,
  "webhook-worker": 120 * KB,
};
const FORBIDDEN = [
  "tr46",
  "mime-db",
  "whatwg-url",
  "tencentcloud-sdk-nodejs",
  "node-fetch",
  "form-data",
];

describe("bundle budgets", () => {
  it.each(FUNCTIONS)(
    "%s stays within its budget and carries none of the heavy packages",
    async (name) => {
      const b = await bundle(name);
      expect(b.bytes).toBeLessThanOrEqual(BUDGET[name] as number);
      for (const pkg of FORBIDDEN) expect(Object.keys(b.packages), pkg).not.toContain(pkg);
      // No AWS SDK at all: lib/aws/client.ts makes every AWS call.
      expect(Object.keys(b.packages).filter((p) => /^@(aws-sdk|smithy|aws)\//.test(p))).toEqual([]);
      if (name !== "campaigns")
        for (const pkg of ["csv-parse", "read-excel-file"])
          expect(Object.keys(b.packages), pkg).not.toContain(pkg);
    },
  );
});

describe("the bundled Tencent adapter", () => {
  const dir = mkdtempSync(join(tmpdir(), "smsgate-bundle-"));
  let emulator: TencentEmulator;
  let createTencentProvider: (s: object) => Provider;

  beforeAll(async () => {
    const doc = readServerlessYml() as unknown as { custom: { esbuild: Record<string, unknown> } };
    const { bundle: _b, exclude, packager: _p, sourcemap: _s, ...options } = doc.custom.esbuild;
    const out = await build({
      ...options,
      external: exclude as string[],
      entryPoints: [join(import.meta.dirname, "../../lib/providers/tencent.ts")],
      bundle: true,
      write: false,
      logLevel: "silent",
      outfile: "tencent.cjs",
    });
    writeFileSync(join(dir, "tencent.cjs"), out.outputFiles[0]?.text ?? "");
    ({ createTencentProvider } = createRequire(join(dir, "x.js"))("./tencent.cjs"));
    emulator = await startTencentEmulator({
      credentials: [{ secretId: "AKIDbundle", secretKey: "bundle-secret" }],
      apps: [{ sdkAppId: "1400000009" }],
      templates: [{ id: "77", body: "code {1}", international: false }],
      timeoutHoldMs: 3000,
    });
  });
  afterAll(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const provider = (secretKey = "bundle-secret", endpoint = emulator.url) =>
    createTencentProvider({
      secretId: "AKIDbundle",
      secretKey,
      endpoint,
      region: "ap-guangzhou",
      timeoutSeconds: 1,
      defaultSdkAppId: "1400000009",
    });
  const batch = {
    binding: { provider: "tencent" as const },
    numbers: ["+8613800138000"],
    providerTemplateId: "77",
    region: "domestic" as const,
    params: ["1234"],
    sign: "smsgate",
    reference: "R1",
  };

  it("sends: the signature made by the bundled SDK passes TC3 verification", async () => {
    expect(await provider().send(batch)).toEqual([
      expect.objectContaining({ status: "accepted", to: "+8613800138000", segments: 1 }),
    ]);
  });

  it("a wrong secret is refused by the emulator, as before", async () => {
    expect((await provider("wrong").send(batch))[0]).toMatchObject({
      status: "refused",
      code: "FailedOperation.ProviderAuthFailure",
      vendorCode: "AuthFailure.SignatureFailure",
    });
  });

  it("a timeout is still unknown, a refused connection still certain", async () => {
    emulator.setFault("timeout");
    expect((await provider().send(batch))[0]).toMatchObject({
      status: "unknown",
      code: "InternalError.ProviderTimeout",
    });
    emulator.setFault("none");
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    expect(
      (await provider("bundle-secret", `http://127.0.0.1:${port}`).send(batch))[0],
    ).toMatchObject({ status: "refused", failover: true });
  });

  it("an unreadable answer and a 500 map as with the real node-fetch", async () => {
    emulator.setFault("badjson");
    const bad = (await provider().send(batch))[0];
    emulator.setFault("http500");
    const fault = (await provider().send(batch))[0];
    emulator.setFault("none");
    // node-fetch's invalid-json FetchError: the vendor may have sent.
    expect(bad).toMatchObject({
      status: "unknown",
      code: "InternalError.ProviderBadResponse",
      vendorCode: "FetchError",
      message: expect.stringMatching(/^invalid json response body at http:\/\/127\.0\.0\.1:\d+\//),
    });
    // A 500 with no Tencent error code: nothing was processed (the emulator's contract).
    expect(fault).toMatchObject({
      status: "refused",
      code: "InternalError.ProviderUnavailable",
      failover: true,
    });
  });
});
