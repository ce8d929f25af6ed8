/**
 * Settings that merge and never lose (docs/api.md "Configuration"): PATCH is a JSON Merge
 * Patch, GET answers an ETag, a stale If-Match is 412 and changes nothing, concurrent PATCHes
 * never overwrite each other, and the countries model is international only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newApp, startTestStack, type TestStack } from "../helpers/stack";

describe("settings", () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startTestStack();
  }, 60_000);
  afterAll(() => s?.close());

  const get = (appId: string, key: string) => s.api("GET", `/v1/apps/${appId}`, { key });
  const patch = (appId: string, key: string, body: object, headers: Record<string, string> = {}) =>
    s.api("PATCH", `/v1/apps/${appId}`, { key, body, headers });

  it("keeps the domestic and international limits when only the countries change", async () => {
    const app = await newApp(s, {
      thresholds: {
        domestic: { alert: 100, limit: 200 },
        international: { alert: 10, limit: 20 },
      },
    });
    const res = await patch(app.appId, app.apiKey, {
      thresholds: { countries: { US: { limit: 5 } } },
    });
    expect(res.status).toBe(200);
    expect((await get(app.appId, app.apiKey)).body.thresholds).toEqual({
      domestic: { alert: 100, limit: 200 },
      international: { alert: 10, limit: 20 },
      countries: { US: { limit: 5 } },
    });
    // null removes a member, and only it.
    await patch(app.appId, app.apiKey, {
      thresholds: { domestic: { alert: null }, countries: { US: null } },
    });
    expect((await get(app.appId, app.apiKey)).body.thresholds).toEqual({
      domestic: { limit: 200 },
      international: { alert: 10, limit: 20 },
      countries: {},
    });
  });

  it("keeps the other frequency rules when one changes", async () => {
    const app = await newApp(s, { frequency: { thirtySeconds: 1 } });
    await patch(app.appId, app.apiKey, { frequency: { oneHour: 4 } });
    expect((await get(app.appId, app.apiKey)).body.frequency).toMatchObject({
      thirtySeconds: 1,
      oneHour: 4,
      oneDay: 2,
    });
  });

  it("answers an ETag, and refuses a stale If-Match with 412 and nothing changed", async () => {
    const app = await newApp(s);
    const first = await get(app.appId, app.apiKey);
    const etag = first.headers.get("etag") as string;
    expect(etag).toMatch(/^"\d+"$/);
    const ok = await patch(app.appId, app.apiKey, { name: "one" }, { "if-match": etag });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("etag")).not.toBe(etag);
    const stale = await patch(app.appId, app.apiKey, { name: "two" }, { "if-match": etag });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe("FailedOperation.PreconditionFailed");
    const now = await get(app.appId, app.apiKey);
    expect(now.body.name).toBe("one");
    expect(now.headers.get("etag")).toBe(ok.headers.get("etag"));
    // A whitelist change moves the ETag on too.
    await s.api("PUT", `/v1/apps/${app.appId}/whitelist/${encodeURIComponent("+8613812345678")}`, {
      key: app.apiKey,
    });
    const moved = await patch(
      app.appId,
      app.apiKey,
      { name: "three" },
      { "if-match": now.headers.get("etag") as string },
    );
    expect(moved.status).toBe(412);
  });

  it("loses no update when PATCHes race", async () => {
    const app = await newApp(s);
    const statuses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        patch(app.appId, app.apiKey, {
          thresholds: { countries: { [`U${String.fromCharCode(65 + i)}`]: { limit: i } } },
        }),
      ),
    );
    expect(statuses.map((r) => r.status)).toEqual(Array(8).fill(200));
    const countries = (await get(app.appId, app.apiKey)).body.thresholds.countries;
    expect(Object.keys(countries).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `U${String.fromCharCode(65 + i)}`),
    );
  });

  it("refuses a country limit above the international limit, naming the field", async () => {
    const app = await newApp(s, { thresholds: { international: { limit: 20 } } });
    const res = await patch(app.appId, app.apiKey, {
      thresholds: { countries: { US: { limit: 21 } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("thresholds.countries.US.limit");
    expect((await get(app.appId, app.apiKey)).body.thresholds.countries).toBeUndefined();
  });

  it("still refuses an operator-only setting inside a merge patch, and applies nothing", async () => {
    const app = await newApp(s);
    const res = await patch(app.appId, app.apiKey, { name: "x", ceilings: { domestic: 5 } });
    expect(res.status).toBe(403);
    expect((await get(app.appId, app.apiKey)).body.name).not.toBe("x");
  });
});
