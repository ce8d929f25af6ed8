/**
 * Least privilege that still works: every DynamoDB call each function makes in a tour of the
 * product is allowed by that function's IAM role in serverless.yml.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { readServerlessYml } from "../../local/serverless-config";
import { newApp, startTestStack, type TestStack, waitFor } from "../helpers/stack";

const ROLE_OF: Record<string, string> = {
  send: "SendRole",
  "status-callback": "StatusCallbackRole",
  reply: "ReplyRole",
  "threshold-check": "ThresholdCheckRole",
  admin: "AdminRole",
  campaigns: "CampaignsRole",
  "campaign-worker": "CampaignWorkerRole",
  "webhook-worker": "WebhookWorkerRole",
};

function allowed(role: string): Set<string> {
  const doc = readServerlessYml() as unknown as {
    resources: {
      Resources: Record<
        string,
        { Properties: { Policies: { PolicyDocument: { Statement: { Action: string[] }[] } }[] } }
      >;
    };
  };
  const actions =
    doc.resources.Resources[role]?.Properties.Policies.flatMap((p) =>
      p.PolicyDocument.Statement.flatMap((st) => st.Action),
    ) ?? [];
  return new Set(actions.map((a) => a.replace("dynamodb:", "")));
}

let s: TestStack;
const clock = fixedClock("2026-11-22T02:00:00Z");
beforeAll(async () => {
  s = await startTestStack({ clock });
});
afterAll(() => s?.close());

describe("IAM roles", () => {
  it("allow every DynamoDB call each function makes", async () => {
    s.meter.reset();
    // A tour of the product: configure, send (every outcome), report, reply, check, read.
    const app = await newApp(s, {
      thresholds: { domestic: { alert: 1, limit: 100 } },
      replyWebhook: { url: "http://127.0.0.1:9/hook", secret: "0123456789abcdef" },
    });
    const key = { key: app.apiKey };
    await s.api("PUT", `/v1/apps/${app.appId}/package`, {
      key: s.adminKey,
      body: { domestic: { segments: 100, alertBelow: 99 } },
    });
    expect(
      (
        await s.api("POST", `/v1/apps/${app.appId}/package/top-ups`, {
          key: s.adminKey,
          body: { domestic: { segments: 1 } },
        })
      ).status,
    ).toBe(201);
    await s.api("GET", `/v1/apps/${app.appId}/package/top-ups`, { key: s.adminKey });
    await s.api("PUT", `/v1/apps/${app.appId}/contacts/ops`, {
      ...key,
      body: { name: "ops", phone: "+8613100000001", events: ["overVolume", "packageBalance"] },
    });
    await s.api(
      "PUT",
      `/v1/apps/${app.appId}/whitelist/${encodeURIComponent("+8613100000002")}`,
      key,
    );
    await s.api("POST", `/v1/apps/${app.appId}/opt-outs`, {
      ...key,
      body: { phone: "+8613100000003", consent: true },
    });
    const k = await s.api("POST", `/v1/apps/${app.appId}/keys`, {
      ...key,
      body: { scopes: ["read"] },
    });
    await s.api("DELETE", `/v1/apps/${app.appId}/keys/${k.body.id}`, key);
    const sent = await app.send(
      {
        to: ["+8613100000005", "+8613100000044", "+8613100000003"],
        template: "login-code",
        params: ["1", "2"],
      },
      { "idempotency-key": "tour" },
    );
    await app.send(
      { to: ["+8613100000005"], template: "login-code", params: ["1", "2"] },
      { "idempotency-key": "tour" },
    );
    await app.send({
      to: ["+8613100000006"],
      template: "login-code",
      params: ["1", "2"],
      dryRun: true,
    });
    s.tencent.setFault("timeout");
    await app.send({ to: ["+8613100000007"], template: "login-code", params: ["1", "2"] });
    s.tencent.setFault("none");
    await waitFor(
      async () =>
        (await s.api("GET", `/v1/messages/${sent.body.messages[0].id}`, key)).body.status ===
        "delivered",
    );
    s.tencent.addApp({
      sdkAppId: "1400000001",
      replyCallbackUrl: (await s.api("GET", `/v1/apps/${app.appId}`, key)).body.callbackUrls.tencent
        .reply,
    });
    await s.tencent.reply({ phone: "+8613100000008", text: "TD", sign: "smsgate" });
    await new Promise((r) => setTimeout(r, 100));
    clock.advance(120_000);
    await s.runChecker();
    await s.api(
      "DELETE",
      `/v1/apps/${app.appId}/opt-outs/${encodeURIComponent("+8613100000003")}`,
      key,
    );
    await s.api("GET", `/v1/messages?phone=${encodeURIComponent("+8613100000005")}`, key);
    await s.api("GET", "/v1/stats?from=2026-11-01&to=2026-11-30", key);
    await s.api("GET", `/v1/apps/${app.appId}/alerts`, key);
    // Campaigns and groups: a group, a campaign to it, one from a CSV, run to the end.
    const g = await s.api("POST", "/v1/groups", { ...key, body: { name: "tour" } });
    await s.api("POST", `/v1/groups/${g.body.id}/members`, {
      ...key,
      body: { phones: ["+8613100000011", "+8613100000012"] },
    });
    await s.api("GET", "/v1/groups", key);
    await s.api("GET", `/v1/groups/${g.body.id}/members`, key);
    await s.api(
      "DELETE",
      `/v1/groups/${g.body.id}/members/${encodeURIComponent("+8613100000012")}`,
      key,
    );
    const byGroup = await s.api("POST", "/v1/campaigns", {
      ...key,
      body: { name: "g", template: "order-shipped", group: g.body.id, params: ["1", "2"] },
    });
    const fromCsv = await s.api("POST", "/v1/campaigns", {
      ...key,
      body: { name: "c", template: "order-shipped" },
    });
    await fetch(`${s.apiUrl}/v1/campaigns/${fromCsv.body.id}/recipients`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.apiKey}`, "content-type": "text/csv" },
      body: "+8613100000013,a,b\n",
    });
    for (const c of [byGroup.body.id, fromCsv.body.id]) {
      await s.api("POST", `/v1/campaigns/${c}/start`, { ...key, body: {} });
      await waitFor(
        async () => (await s.api("GET", `/v1/campaigns/${c}`, key)).body.status === "completed",
        15_000,
      );
      await s.api("GET", `/v1/campaigns/${c}/recipients`, key);
    }
    await s.api("GET", "/v1/campaigns", key);
    await s.api("DELETE", `/v1/groups/${g.body.id}`, key);

    for (const [fn, role] of Object.entries(ROLE_OF)) {
      const used = Object.keys(s.meter.read(fn).byCommand).map((c) => c.replace(/Command$/, ""));
      expect(used.length, `${fn} made no calls: the tour misses it`).toBeGreaterThan(0);
      for (const action of used) expect(allowed(role), `${fn} calls ${action}`).toContain(action);
      if (process.env.IAM_REPORT)
        console.log(
          fn,
          "uses",
          used.sort().join(" "),
          "| allowed",
          [...allowed(role)].sort().join(" "),
        );
    }
  }, 60_000);
});
