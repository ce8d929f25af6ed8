/**
 * Real answers of the local stack, checked against the success schemas the OpenAPI document
 * declares for their routes (lib/http/responses.ts): a sample over every resource.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { newApp, startTestStack, type TestStack, waitFor } from "../helpers/stack";

let s: TestStack;
const clock = fixedClock("2026-11-22T02:00:00Z");
beforeAll(async () => {
  s = await startTestStack({ clock });
});
afterAll(() => s?.close());

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components: { schemas: Record<string, object> };
};

function checker(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: "doc", components: doc.components });
  return (method: string, path: string, status: number, body: unknown) => {
    const schema =
      doc.paths[path]?.[method]?.responses[String(status)]?.content?.["application/json"]?.schema;
    expect(schema, `${method} ${path} ${status} declared`).toBeDefined();
    // The document's $refs point into its components: resolve them against "doc".
    const rewritten = JSON.parse(
      JSON.stringify(schema).replaceAll("#/components/", "doc#/components/"),
    );
    const v = ajv.compile(rewritten);
    const ok = v(body);
    return ok ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

describe("real answers match their declared schemas", () => {
  it("across messages, apps, templates, keys, lists, contacts, alerts, package, replies and stats", async () => {
    const doc = (await s.api("GET", "/openapi.json", { key: null })).body as Doc;
    const check = checker(doc);
    const app = await newApp(s, { thresholds: { domestic: { alert: 1 } } });
    const k = { key: app.apiKey };
    const A = `/v1/apps/${app.appId}`;
    const samples: [string, string, string, { status: number; body: unknown }][] = [];
    const call = async (method: string, route: string, path: string, opts: object = k) => {
      const r = await s.api(method.toUpperCase(), path, opts);
      samples.push([method, route, path, r]);
      return r;
    };
    const to = "+8613912340001";
    const sent = await call("post", "/v1/messages", "/v1/messages", {
      ...k,
      body: { to: [to, "+8613912340044"], template: "login-code", params: ["482913", "5"] },
    });
    const id = sent.body.messages[0].id;
    await waitFor(
      async () => (await s.api("GET", `/v1/messages/${id}`, k)).body.status === "delivered",
    );
    await call("get", "/v1/messages/{id}", `/v1/messages/${id}`);
    await call("get", "/v1/messages", `/v1/messages?phone=${encodeURIComponent(to)}`);
    await call("get", "/v1/apps", "/v1/apps", { key: s.adminKey });
    await call("get", "/v1/apps/{appId}", A);
    await call("patch", "/v1/apps/{appId}", A, { ...k, body: { name: "renamed" } });
    await call("get", "/v1/apps/{appId}/templates", `${A}/templates`);
    await call("put", "/v1/apps/{appId}/templates/{id}", `${A}/templates/t1`, {
      ...k,
      body: {
        kind: "notification",
        region: "domestic",
        body: "订单{1}已发货",
        providerTemplateIds: { tencent: "1" },
      },
    });
    await call("get", "/v1/apps/{appId}/keys", `${A}/keys`);
    await call("post", "/v1/apps/{appId}/keys", `${A}/keys`, { ...k, body: { scopes: ["read"] } });
    await call(
      "put",
      "/v1/apps/{appId}/whitelist/{phone}",
      `${A}/whitelist/${encodeURIComponent(to)}`,
    );
    await call("get", "/v1/apps/{appId}/whitelist", `${A}/whitelist`);
    await call("post", "/v1/apps/{appId}/opt-outs", `${A}/opt-outs`, {
      ...k,
      body: { phone: "+8613912340002", consent: true },
    });
    await call("get", "/v1/apps/{appId}/opt-outs", `${A}/opt-outs`);
    await call(
      "get",
      "/v1/apps/{appId}/opt-outs/{phone}",
      `${A}/opt-outs/${encodeURIComponent("+8613912340002")}`,
    );
    await call("put", "/v1/apps/{appId}/contacts/{id}", `${A}/contacts/ops`, {
      ...k,
      body: {
        name: "Ops",
        phone: "+8613912340003",
        email: "ops@example.com",
        events: ["overVolume"],
      },
    });
    await call("get", "/v1/apps/{appId}/contacts", `${A}/contacts`);
    await s.runChecker();
    const alerts = await call("get", "/v1/apps/{appId}/alerts", `${A}/alerts`);
    expect(alerts.body.alerts).toHaveLength(1);
    await call("put", "/v1/apps/{appId}/package", `${A}/package`, {
      key: s.adminKey,
      body: { domestic: { segments: 100, alertBelow: 10 } },
    });
    await call("put", "/v1/apps/{appId}/package", `${A}/package`, {
      key: s.adminKey,
      body: {
        domestic: { segments: 100, alertBelow: 10, onExhausted: "continue" },
        international: { amount: 12.5, prices: { US: 0.05 }, defaultPrice: 0.0625 },
      },
    });
    await call("post", "/v1/apps/{appId}/package/top-ups", `${A}/package/top-ups`, {
      key: s.adminKey,
      body: { domestic: { segments: 5 }, international: { amount: 0.25 } },
    });
    await call("get", "/v1/apps/{appId}/package/top-ups", `${A}/package/top-ups?limit=1`, {
      key: s.adminKey,
    });
    await call("get", "/v1/apps/{appId}/package", `${A}/package`);
    await call("get", "/v1/replies", `/v1/replies?phone=${encodeURIComponent(to)}`);
    await call("get", "/v1/stats", "/v1/stats?from=2026-11-22&to=2026-11-22&groupBy=template");
    await call("get", "/openapi.json", "/openapi.json", { key: null });

    const problems: string[] = [];
    for (const [method, route, path, r] of samples) {
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
      for (const p of check(method, route, r.status, r.body))
        problems.push(`${method} ${route}: ${p}`);
    }
    expect(problems).toEqual([]);
    // And a schema can fail: a record with a string count is refused.
    expect(
      check("get", "/v1/messages/{id}", 200, {
        id: "x",
        to,
        template: "t",
        status: "sent",
        createdAt: "x",
      }),
    ).not.toEqual([]);
  });
});
