/**
 * A worker killed mid-campaign (SIGKILL, in its own process) and another started: the
 * campaign completes, every row has a result, and no number reaches the vendor twice
 * (docs/architecture.md "Campaigns", idempotent chunks).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { newApp, startTestStack, type TestStack, waitFor } from "../helpers/stack";

let s: TestStack;
let child: ChildProcess | undefined;
beforeAll(async () => {
  s = await startTestStack({
    campaignWorker: false,
    campaignVisibilityTimeout: 2,
    campaignChunkRows: 10,
    campaignLanes: 3,
  });
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await s?.close();
});

it("finishes after a worker is killed mid-chunk, with no number sent twice and no row lost", async () => {
  const app = await newApp(s);
  // Each row has its own params: one vendor call per row, so the kill lands between calls
  // or inside one.
  const phones = Array.from(
    { length: 60 },
    (_, i) => `+86135${String(20_000_000 + i * 3).slice(-8)}`,
  ).map((p) => p.replace(/4$/, "5"));
  const csv = phones.map((p, i) => `${p},K${i},k`).join("\n");
  const c = await s.api("POST", "/v1/campaigns", {
    key: app.apiKey,
    body: { name: "crash", template: "order-shipped" },
  });
  const up = await fetch(`${s.apiUrl}/v1/campaigns/${c.body.id}/recipients`, {
    method: "POST",
    headers: { authorization: `Bearer ${app.apiKey}`, "content-type": "text/csv" },
    body: csv,
  });
  expect(((await up.json()) as { accepted: number }).accepted).toBe(60);
  expect(
    (await s.api("POST", `/v1/campaigns/${c.body.id}/start`, { key: app.apiKey, body: {} })).status,
  ).toBe(200);

  const ours = new Set(phones);
  const received = () => s.tencent.messages().filter((m: { phone: string }) => ours.has(m.phone));
  child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "../../local/campaign-worker-main.ts")],
    {
      env: { ...process.env, SMSGATE_LOG_LEVEL: "silent", CAMPAIGN_VISIBILITY_TIMEOUT: "2" },
      stdio: "ignore",
    },
  );
  await waitFor(async () => received().length >= 12, 90_000, "the first worker to send some rows");
  child.kill("SIGKILL");
  const atKill = received().length;
  expect(atKill).toBeLessThan(60);

  s.startCampaignWorker();
  const done = await waitFor(
    async () => {
      const r = await s.api("GET", `/v1/campaigns/${c.body.id}`, { key: app.apiKey });
      return r.body.status === "completed" ? r.body : undefined;
    },
    120_000,
    "the campaign to complete",
  );
  const got = received();
  const perPhone = new Map<string, number>();
  for (const m of got) perPhone.set(m.phone, (perPhone.get(m.phone) ?? 0) + 1);
  // Never twice.
  expect([...perPhone.values()].every((n) => n === 1)).toBe(true);
  // No gap: every row has a result; the counters add up to the total.
  const rows = (
    await s.api("GET", `/v1/campaigns/${c.body.id}/recipients?limit=100`, { key: app.apiKey })
  ).body.recipients as { to: string; status: string; code: string; params: string[] }[];
  expect(rows).toHaveLength(60);
  expect(rows.filter((r) => r.status === "pending")).toHaveLength(0);
  const { counts } = done;
  expect(counts.pending).toBe(0);
  expect(counts.submitted + counts.unknown).toBe(60);
  // Every row the vendor got was sent with its own params, and every submitted row was got.
  for (const r of rows) {
    if (r.status === "submitted") expect(perPhone.get(r.to)).toBe(1);
    else
      expect(r).toMatchObject({ status: "unknown", code: "InternalError.CampaignSendInterrupted" });
  }
  for (const m of got) {
    const i = phones.indexOf(m.phone);
    expect(m.params).toEqual([`K${i}`, "k"]);
  }
  // Only calls in flight at the kill can be unknown: 3 lanes × 8 parallel calls at most.
  expect(counts.unknown).toBeLessThanOrEqual(24);
  expect(counts.submitted).toBeGreaterThanOrEqual(60 - 24);
}, 240_000);
