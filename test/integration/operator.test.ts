/**
 * The operator surface through the HTTP API: every route's access control, records with
 * pagination, statistics against what was really sent and reported, the OpenAPI document,
 * and the CLI driven end to end.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_ROUTES as ROUTES } from "../../lib/api";
import { DEFAULT_ROUTE, httpRoutes } from "../../local/serverless-config";
import { newApp, startTestStack, type TestApp, type TestStack, waitFor } from "../helpers/stack";

const run = promisify(execFile);
let s: TestStack;
let mine: TestApp;
let other: TestApp;
let readKey: string;
let n = 0;
const fresh = (): string => {
  const c = `+86132${String(++n).padStart(8, "0")}`;
  return c.endsWith("4") ? fresh() : c;
};

beforeAll(async () => {
  s = await startTestStack();
  mine = await newApp(s, { frequency: { sameContentThirtySeconds: null, oneDay: null } });
  other = await newApp(s);
  readKey = (
    await s.api("POST", `/v1/apps/${mine.appId}/keys`, {
      key: mine.apiKey,
      body: { scopes: ["read"] },
    })
  ).body.key;
});
afterAll(() => s?.close());

describe("OpenAPI", () => {
  it("is served without a key, valid in shape, and covers every route in serverless.yml", async () => {
    const res = await s.api("GET", "/openapi.json", { key: null });
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe("3.1.0");
    const documented = Object.entries(
      doc.paths as Record<string, Record<string, { responses: object }>>,
    ).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => {
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        return `${method.toUpperCase()} ${path}`;
      }),
    );
    const deployed = httpRoutes()
      .filter((r) => r.path !== DEFAULT_ROUTE)
      .map((r) => `${r.method} ${r.path}`);
    expect(new Set(documented)).toEqual(new Set(deployed));
    // Bodies come from the validating schemas: the send body names its fields.
    expect(
      doc.paths["/v1/messages"].post.requestBody.content["application/json"].schema.properties,
    ).toHaveProperty("to");
  });
});

describe("access control on every app route", () => {
  const appRoutes = ROUTES.filter((r) => r.path.startsWith("/v1/apps/{appId}"));
  const fill = (path: string, appId: string) =>
    path
      .replace("{appId}", appId)
      .replace("{id}", "x1")
      .replace("{phone}", encodeURIComponent("+8613200000001"))
      .replace("{name}", "签名二");

  it.each(appRoutes.map((r) => [r.method.toUpperCase(), r.path, r.access] as const))(
    "%s %s: another app's key gets the same 404 as a missing app",
    async (method, path) => {
      const foreign = await s.api(method, fill(path, mine.appId), {
        key: other.apiKey,
        body: method === "GET" || method === "DELETE" ? undefined : {},
      });
      const missing = await s.api(method, fill(path, "01ZZZZZZZZZZZZZZZZZZZZZZZZ"), {
        key: other.apiKey,
        body: method === "GET" || method === "DELETE" ? undefined : {},
      });
      expect(foreign.status).toBe(404);
      expect(missing.status).toBe(404);
      expect({ ...foreign.body.error, requestId: "", message: "" }).toEqual({
        ...missing.body.error,
        requestId: "",
        message: "",
      });
    },
  );

  it.each(
    appRoutes
      .filter((r) => r.access === "admin")
      .map((r) => [r.method.toUpperCase(), r.path] as const),
  )("%s %s: a read key is refused", async (method, path) => {
    const res = await s.api(method, fill(path, mine.appId), {
      key: readKey,
      body: method === "DELETE" || method === "GET" ? undefined : {},
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("AuthFailure.UnauthorizedOperation");
  });

  it.each(
    appRoutes
      .filter((r) => r.access === "read" && r.method === "get")
      .map((r) => [r.path] as const),
  )("GET %s: a read key may read", async (path) => {
    const res = await s.api("GET", fill(path, mine.appId), { key: readKey });
    expect([200, 404]).toContain(res.status); // 404 only for a named thing that does not exist
    if (res.status === 404) expect(path).toMatch(/\{(phone|id)\}$/);
  });

  it("a read key cannot send; no key gets 401; the operator sees every app", async () => {
    expect(
      (
        await s.api("POST", "/v1/messages", {
          key: readKey,
          body: { to: [fresh()], template: "login-code", params: ["1", "2"] },
        })
      ).status,
    ).toBe(403);
    expect((await s.api("GET", `/v1/apps/${mine.appId}`, { key: null })).status).toBe(401);
    const all = await s.api("GET", "/v1/apps", { key: s.adminKey });
    expect(all.body.apps.map((a: { appId: string }) => a.appId)).toEqual(
      expect.arrayContaining([mine.appId, other.appId]),
    );
    const own = await s.api("GET", "/v1/apps", { key: mine.apiKey });
    expect(own.body.apps.map((a: { appId: string }) => a.appId)).toEqual([mine.appId]);
  });

  it("lists keys without secrets, and a revoked key stops working", async () => {
    const created = await s.api("POST", `/v1/apps/${mine.appId}/keys`, {
      key: mine.apiKey,
      body: { scopes: ["send"] },
    });
    const listed = await s.api("GET", `/v1/apps/${mine.appId}/keys`, { key: mine.apiKey });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect(listed.body.keys.map((k: { id: string }) => k.id)).toContain(created.body.id);
    expect(
      (
        await s.api("DELETE", `/v1/apps/${mine.appId}/keys/${created.body.id}`, {
          key: mine.apiKey,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await s.api("POST", "/v1/messages", {
          key: created.body.key,
          body: { to: [fresh()], template: "login-code", params: ["1", "2"] },
        })
      ).status,
    ).toBe(401);
  });
});

describe("records", () => {
  it("pages one number's records newest first, without gaps or repeats", async () => {
    const to = fresh();
    const sent: string[] = [];
    for (let i = 0; i < 25; i++)
      sent.push(
        (await mine.send({ to: [to], template: "order-shipped", params: [`SO-${i}`, "明天"] })).body
          .messages[0].id,
      );
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await s.api(
        "GET",
        `/v1/messages?phone=${encodeURIComponent(to)}&limit=10${cursor ? `&cursor=${cursor}` : ""}`,
        { key: readKey },
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.messages.map((m: { id: string }) => m.id));
      cursor = res.body.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...sent].reverse());
    expect(pages).toBe(3);
    const other = await s.api(
      "GET",
      `/v1/messages?phone=${encodeURIComponent(to)}&cursor=${Buffer.from('{"gsi1pk":"PHONE#X#+1"}').toString("base64url")}`,
      { key: readKey },
    );
    expect(other.body.error.code).toBe("InvalidParameter.Cursor");
  });

  it("masks verification codes in records", async () => {
    const to = fresh();
    await mine.send({ to: [to], template: "login-code", params: ["482913", "5"] });
    const res = await s.api("GET", `/v1/messages?phone=${encodeURIComponent(to)}`, {
      key: readKey,
    });
    expect(res.body.messages[0].params).toEqual(["******", "*"]);
  });
});

describe("statistics", () => {
  it("equal what was sent and what the emulator reported, by day, template and country", async () => {
    const app = await newApp(s, { allowedCountries: ["CN"] });
    const ok = [fresh(), fresh(), fresh()];
    await app.send({
      to: [...ok, "+8613200000004", "+8613200000044"],
      template: "login-code",
      params: ["1", "2"],
    });
    await app.send({ to: [fresh()], template: "order-shipped", params: ["A", "B"] });
    await app.send({ to: ["+12025550177"], template: "intl-code", params: ["1", "2"] }); // not an allowed country
    const reported = await waitFor(
      async () => {
        const r = await s.api("GET", `/v1/stats?from=2026-01-01&to=2030-12-31&groupBy=template`, {
          key: app.apiKey,
        });
        const login = r.body.groups.find((g: { template: string }) => g.template === "login-code");
        return login && login.delivered + login.undelivered === 4 && r.body;
      },
      5000,
      "reports counted",
    );
    const login = reported.groups.find((g: { template: string }) => g.template === "login-code");
    expect(login).toMatchObject({
      requests: 5,
      submitted: 4,
      failed: 1,
      rejected: 0,
      delivered: 3,
      undelivered: 1,
      reported: 4,
      unreported: 0,
    });
    expect(login.failures).toEqual({ "FailedOperation.PhoneNumberInBlacklist": 1 });
    expect(login.successRate).toBe(0.8);
    expect(login.deliveryRate).toBe(0.75);
    const byCountry = (
      await s.api("GET", `/v1/stats?from=2026-01-01&to=2030-12-31&groupBy=country`, {
        key: app.apiKey,
      })
    ).body.groups;
    expect(byCountry).toEqual([
      expect.objectContaining({ country: "CN", requests: 6, submitted: 5 }),
      expect.objectContaining({
        country: "US",
        requests: 1,
        rejected: 1,
        failures: { "LimitExceeded.AppCountryOrRegionInBlacklist": 1 },
      }),
    ]);
    const byDay = (
      await s.api("GET", `/v1/stats?from=2026-01-01&to=2030-12-31`, { key: app.apiKey })
    ).body;
    expect(byDay.total).toMatchObject({ requests: 7, submitted: 5, segments: 5 });
    expect(byDay.groups).toHaveLength(1);
    expect(
      (await s.api("GET", `/v1/stats?from=2026-02-01&to=2026-01-01`, { key: app.apiKey })).status,
    ).toBe(400);
  });
});

// Each step is a child process: on a loaded machine they take longer than the default 20 s.
describe("the smsgate CLI", { timeout: 60_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), "smsgate-cli-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const cli = (...args: string[]) =>
    run(process.execPath, [join(import.meta.dirname, "../../bin/smsgate.mjs"), ...args], {
      env: { PATH: process.env.PATH, SMSGATE_CONFIG: join(home, "config.json") },
    });

  it("sets up an app from nothing, sends, and reads its statistics", async () => {
    await cli("configure", "--url", s.apiUrl, "--key", s.adminKey);
    const created = (
      await cli(
        "apps",
        "create",
        "--name",
        "cli shop",
        "--sign",
        "smsgate",
        "--sdk-app-id",
        "1400000001",
      )
    ).stdout;
    const appId = /app\s+(\S+)/.exec(created)?.[1] ?? "";
    const key = /api key (\S+)/.exec(created)?.[1] ?? "";
    expect(created).toContain("/callbacks/tencent/status/");
    await cli("configure", "--url", s.apiUrl, "--key", key, "--app", appId);
    expect(
      (
        await cli(
          "templates",
          "put",
          "login-code",
          "--kind",
          "verification",
          "--region",
          "domestic",
          "--body",
          "您的验证码是{1}，{2}分钟内有效。",
          "--tencent-id",
          "1000001",
        )
      ).stdout,
    ).toContain("2 variables");
    const to = fresh();
    expect(
      (await cli("send", "--to", to, "--template", "login-code", "--params", "482913,5")).stdout,
    ).toMatch(/submitted\s+Ok/);
    expect(
      (
        await cli(
          "contacts",
          "put",
          "ops",
          "--name",
          "Ops",
          "--phone",
          fresh(),
          "--events",
          "overVolume,limitReached",
        )
      ).stdout,
    ).toContain("saved");
    expect((await cli("contacts")).stdout).toContain("overVolume");
    await cli("optouts", "add", fresh(), "--consent");
    expect((await cli("optouts")).stdout).toContain("manual");
    expect((await cli("keys")).stdout).toMatch(/send.*read.*admin/);
    await waitFor(
      async () => (await cli("messages", "--phone", to)).stdout.includes("delivered"),
      5000,
      "delivered",
    );
    const stats = (await cli("stats", "--from", "2026-01-01", "--to", "2030-12-31")).stdout;
    expect(stats).toMatch(/total\s+1\s+1\s+0\s+0\s+1\s+100\.0%\s+1/);
  });

  it("exits non-zero with the API's message on failure", async () => {
    const failed = await cli("send", "--to", "12345", "--template", "login-code").catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toContain(
      "InvalidParameterValue.IncorrectPhoneNumber",
    );
  });
});
