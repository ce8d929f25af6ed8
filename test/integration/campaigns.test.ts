/**
 * Campaigns and groups through the real stack: the campaigns handler behind the router,
 * the worker fed by the SQS emulator through the official SQS client, every row through the
 * send pipeline to the Tencent emulator (docs/api.md "Campaigns and customer groups").
 */
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/core/clock";
import { keys } from "../../lib/store/keys";
import { localClient } from "../../local/dynamo";
import { LOCAL_TABLE } from "../../local/stack";
import {
  newApp,
  startTestStack,
  TEST_STORES,
  type TestApp,
  type TestStack,
  waitFor,
} from "../helpers/stack";

let s: TestStack;
// 10:00 in Shanghai: inside the default marketing window.
const clock = fixedClock("2026-11-22T02:00:00Z");

describe.each(TEST_STORES)("on %s", (store) => {
  beforeAll(async () => {
    s = await startTestStack({
      store,
      clock,
      campaignVisibilityTimeout: 2,
      campaignRecheckSeconds: 1,
      campaignLanes: 3,
      campaignChunkRows: 10,
    });
  });
  afterAll(() => s?.close());

  let n = 0;
  /** A fresh mainland number that the emulator delivers (no 4 at the end). */
  const fresh = () =>
    `+86139${String(10_000_000 + n++ * 7)
      .slice(-8)
      .replace(/4$/, "5")}`;

  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  type Body = any;

  async function upload(app: TestApp, id: string, body: string | Buffer, type = "text/csv") {
    const res = await fetch(`${s.apiUrl}/v1/campaigns/${id}/recipients`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.apiKey}`, "content-type": type },
      body,
    });
    return { status: res.status, body: (await res.json()) as Body };
  }

  const create = (app: TestApp, body: object) =>
    s.api("POST", "/v1/campaigns", {
      key: app.apiKey,
      body: { name: "c", template: "order-shipped", ...body },
    });
  const act = (app: TestApp, id: string, what: string, body: object = {}) =>
    s.api("POST", `/v1/campaigns/${id}/${what}`, { key: app.apiKey, body });
  const show = async (app: TestApp, id: string): Promise<Body> =>
    (await s.api("GET", `/v1/campaigns/${id}`, { key: app.apiKey })).body;
  const finished = (app: TestApp, id: string, ms = 15_000) =>
    waitFor(
      async () => {
        const c = await show(app, id);
        return c.status === "completed" ? c : undefined;
      },
      ms,
      `campaign ${id} to complete`,
    );
  const sentTo = (phones: string[]) => {
    const want = new Set(phones);
    return s.tencent.messages().filter((m: { phone: string }) => want.has(m.phone));
  };
  async function results(app: TestApp, id: string): Promise<Body[]> {
    const out: Body[] = [];
    let cursor: string | undefined;
    do {
      const r = await s.api(
        "GET",
        `/v1/campaigns/${id}/recipients?limit=500${cursor ? `&cursor=${cursor}` : ""}`,
        { key: app.apiKey },
      );
      out.push(...r.body.recipients);
      cursor = r.body.cursor;
    } while (cursor);
    return out;
  }

  describe("a campaign from a CSV", () => {
    it("validates each row, estimates, sends every accepted row's own variables once, and adds up", async () => {
      const app = await newApp(s);
      const c = await create(app, {});
      expect(c.status).toBe(201);
      expect(c.body.status).toBe("draft");
      const [a, b, d, e] = [fresh(), fresh(), fresh(), fresh()];
      const csv = [
        "\ufeffphone,order,when", // BOM and a header row
        `${a},"A-1,2",明天`, // a quoted comma
        "",
        `${b.slice(3)},B-2,后天`, // an 11-digit mainland number
        `${d},D-3,明天`,
        `${e},E-4,明天`,
        `${a},A-1,again`, // duplicate
        "12345,X,Y", // not a number
        `${fresh()},only-one`, // wrong column count
        `${fresh()},see example.com,明天`, // a URL in a variable
        "",
      ].join("\r\n");
      const up = await upload(app, c.body.id, csv);
      expect(up.status).toBe(200);
      expect(up.body.accepted).toBe(4);
      expect(up.body.total).toBe(4);
      expect(up.body.rejected).toEqual([
        { row: 7, code: "InvalidParameterValue.DuplicatePhoneNumber", message: expect.any(String) },
        { row: 8, code: "InvalidParameterValue.IncorrectPhoneNumber", message: expect.any(String) },
        {
          row: 9,
          code: "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
          message: expect.stringContaining("needs 2"),
        },
        {
          row: 10,
          code: "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
          message: expect.stringContaining("Column 2"),
        },
      ]);
      // 【smsgate】您的订单A-1,2已发货，预计明天送达。 is one segment each.
      expect(up.body.estimate).toEqual({ segments: 4 });

      const started = await act(app, c.body.id, "start");
      expect(started.status).toBe(200);
      expect(started.body.status).toBe("running");
      const done = await finished(app, c.body.id);
      expect(done.counts).toMatchObject({ pending: 0, submitted: 4, rejected: 0, failed: 0 });

      const got = sentTo([a, b, d, e]);
      expect(got.map((m: Body) => [m.phone, m.params]).sort()).toEqual(
        [
          [a, ["A-1,2", "明天"]],
          [b, ["B-2", "后天"]],
          [d, ["D-3", "明天"]],
          [e, ["E-4", "明天"]],
        ].sort(),
      );
      const rows = await results(app, c.body.id);
      expect(rows).toHaveLength(4);
      expect(rows.every((r) => r.status === "submitted" && r.messageId)).toBe(true);
      const record = await s.api("GET", `/v1/messages/${rows[0].messageId}`, { key: app.apiKey });
      expect(record.body.context).toBe(`campaign:${c.body.id}`);

      const csvOut = await fetch(`${s.apiUrl}/v1/campaigns/${c.body.id}/recipients`, {
        headers: { authorization: `Bearer ${app.apiKey}`, accept: "text/csv" },
      });
      const bytes = Buffer.from(await csvOut.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString("utf8");
      expect(text.slice(1).startsWith("row,to,status,code,messageId,params")).toBe(true);
      expect(text).toContain('"A-1,2|明天"');
    });

    it("appends across calls, refuses duplicates across them, and refuses a CSV in neither UTF-8 nor GBK", async () => {
      const app = await newApp(s);
      const c = await create(app, {});
      const x = fresh();
      expect((await upload(app, c.body.id, `${x},1,2\n`)).body.accepted).toBe(1);
      const second = await upload(app, c.body.id, `${fresh()},1,2\n${x},3,4\n`);
      expect(second.body).toMatchObject({ accepted: 1, total: 2 });
      expect(second.body.rejected[0]).toMatchObject({
        row: 2,
        code: "InvalidParameterValue.DuplicatePhoneNumber",
      });
      // GBK as Excel writes it on Chinese Windows: 明天 is C3 F7 CC EC.
      const gbk = Buffer.concat([
        Buffer.from(`${fresh()},G-1,`),
        Buffer.from([0xc3, 0xf7, 0xcc, 0xec]),
        Buffer.from("\r\n"),
      ]);
      const g = await upload(app, c.body.id, gbk);
      expect(g.body.accepted).toBe(1);
      const rows = await results(app, c.body.id);
      expect(rows[2].params).toEqual(["G-1", "明天"]);
      const bad = await upload(app, c.body.id, Buffer.from([0x31, 0x33, 0xff, 0xfe, 0xff, 0x0a]));
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("InvalidParameterValue.RecipientFile");
      expect(bad.body.error.message).toContain("UTF-8");
      expect((await show(app, c.body.id)).total).toBe(3);
    });

    it("reads XLSX, numbers stored as numbers included", async () => {
      const app = await newApp(s);
      const c = await create(app, {});
      const [a, b] = [fresh(), fresh()];
      const up = await upload(
        app,
        c.body.id,
        await xlsx([
          ["手机号", "订单", "时间"],
          [a.slice(1), "X-1", "今天"], // 86139… as a number cell
          [b, "X-2", "明天"],
        ]),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      );
      expect(up.status).toBe(200);
      expect(up.body).toMatchObject({ accepted: 2, rejected: [] });
      const rows = await results(app, c.body.id);
      expect(rows.map((r) => [r.to, r.params])).toEqual([
        [a, ["X-1", "今天"]],
        [b, ["X-2", "明天"]],
      ]);
    });

    it("refuses an upload that would pass the recipient limit, and keeps nothing of it", async () => {
      const app = await newApp(s);
      await app.operatorPatch({ ceilings: { campaignRecipients: 300 } });
      const c = await create(app, {});
      expect((await show(app, c.body.id)).maxRecipients).toBe(300);
      const lines = Array.from(
        { length: 301 },
        (_, i) => `+86137${String(i).padStart(8, "0")},a,b`,
      );
      const up = await upload(app, c.body.id, lines.join("\n"));
      expect(up.status).toBe(400);
      expect(up.body.error.code).toBe("LimitExceeded.CampaignRecipientLimit");
      expect(up.body.error.message).toContain("300 recipients");
      const after = await show(app, c.body.id);
      expect(after).toMatchObject({ total: 0, chunks: 0, status: "draft" });
      expect(await chunkItems(app.appId, c.body.id)).toBe(0);
      // The lease was given back: a smaller upload goes through.
      expect((await upload(app, c.body.id, lines.slice(0, 300).join("\n"))).body.accepted).toBe(
        300,
      );
    });
  });

  /** The chunk items stored for a campaign, read straight from the table. */
  async function chunkItems(appId: string, id: string): Promise<number> {
    const out = await localClient(process.env.DYNAMODB_ENDPOINT ?? "").send(
      new QueryCommand({
        TableName: LOCAL_TABLE,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: keys.campaignChunks(appId, id) } },
        Select: "COUNT",
      }),
    );
    return out.Count ?? 0;
  }

  describe("the per-app recipient ceiling", () => {
    it("is 100,000 by default; only the operator may raise it, to at most 1,000,000", async () => {
      const app = await newApp(s);
      const c = await create(app, {});
      expect((await show(app, c.body.id)).maxRecipients).toBe(100_000);
      const byAdmin = await s.api("PATCH", `/v1/apps/${app.appId}`, {
        key: app.apiKey,
        body: { ceilings: { campaignRecipients: 200_000 } },
      });
      expect(byAdmin.status).toBe(403);
      expect(byAdmin.body.error.code).toBe("UnauthorizedOperation.OperatorOnlySetting");
      const tooHigh = await s.api("PATCH", `/v1/apps/${app.appId}`, {
        key: s.adminKey,
        body: { ceilings: { campaignRecipients: 1_000_001 } },
      });
      expect(tooHigh.status).toBe(400);
      await app.operatorPatch({ ceilings: { campaignRecipients: 1_000_000 } });
      expect((await show(app, c.body.id)).maxRecipients).toBe(1_000_000);
      const got = await s.api("GET", `/v1/apps/${app.appId}`, { key: s.adminKey });
      expect(got.body.ceilings).toMatchObject({ campaignRecipients: 1_000_000 });
    });

    it("holds exactly across appends: the append that would pass it stores nothing", async () => {
      const app = await newApp(s);
      await app.operatorPatch({ ceilings: { campaignRecipients: 5 } });
      const c = await create(app, {});
      const phones = Array.from({ length: 8 }, fresh);
      const csv = (ps: string[]) => ps.map((p) => `${p},a,b`).join("\n");
      expect((await upload(app, c.body.id, csv(phones.slice(0, 3)))).body).toMatchObject({
        accepted: 3,
        total: 3,
      });
      const chunksBefore = await chunkItems(app.appId, c.body.id);
      // 3 + 3 > 5: refused whole, 4xx with its catalogue code, nothing written.
      const over = await upload(app, c.body.id, csv(phones.slice(3, 6)));
      expect(over.status).toBe(400);
      expect(over.body.error.code).toBe("LimitExceeded.CampaignRecipientLimit");
      expect(await chunkItems(app.appId, c.body.id)).toBe(chunksBefore);
      expect(await show(app, c.body.id)).toMatchObject({ total: 3 });
      // Rows refused for their own reasons do not count: 2 new + 1 duplicate fits exactly.
      const fits = await upload(app, c.body.id, csv([phones[6], phones[7], phones[0]] as string[]));
      expect(fits.body).toMatchObject({ accepted: 2, rejectedCount: 1, total: 5 });
      const full = await upload(app, c.body.id, csv([phones[3] as string]));
      expect(full.body.error.code).toBe("LimitExceeded.CampaignRecipientLimit");
      expect((await results(app, c.body.id)).map((r) => r.to)).toEqual([
        ...phones.slice(0, 3),
        phones[6],
        phones[7],
      ]);
    });
  });

  describe("a campaign on Huawei", () => {
    it("rows with their own variables go out in one batchSendDiffSms call per chunk", async () => {
      const app = await newApp(s, {}, ["huawei"]);
      const c = await create(app, {});
      const phones = Array.from({ length: 25 }, fresh);
      // Every row its own variables, but two rows share theirs (one content, two numbers).
      const params = phones.map((_, i) => (i === 1 ? ["H-0", "d0"] : [`H-${i}`, `d${i}`]));
      const up = await upload(
        app,
        c.body.id,
        phones.map((p, i) => `${p},${params[i]?.join(",")}`).join("\n"),
      );
      expect(up.body).toMatchObject({ accepted: 25, total: 25 });
      // Chunks of 10 rows whatever their params (Tencent's would hold ≤ 20 sets of params each).
      expect((await show(app, c.body.id)).chunks).toBe(3);
      expect((await act(app, c.body.id, "start")).status).toBe(200);
      const done = await finished(app, c.body.id);
      expect(done.counts).toMatchObject({ submitted: 25, pending: 0 });
      const want = new Set(phones);
      const got = s.huawei.messages().filter((m: { phone: string }) => want.has(m.phone)) as {
        phone: string;
        params: string[];
        extend: string;
        code: string;
      }[];
      // Each number once, with its own row's variables, accepted.
      expect(got).toHaveLength(25);
      for (const [i, p] of phones.entries())
        expect(got.find((m) => m.phone === p)?.params).toEqual(params[i]);
      expect(got.every((m) => m.code === "000000")).toBe(true);
      // One vendor call per chunk: each call carries its own request id (`extend`).
      expect(new Set(got.map((m) => m.extend)).size).toBe(3);
      // Per-row results and records carry each row's own text.
      const rows = await results(app, c.body.id);
      expect(rows.every((r) => r.status === "submitted" && r.messageId)).toBe(true);
      const record = (await s.api("GET", `/v1/messages/${rows[7]?.messageId}`, { key: app.apiKey }))
        .body;
      expect(record).toMatchObject({ to: phones[7], provider: "huawei", params: params[7] });
      expect(record.text).toContain("H-7");
    });
  });

  describe("a campaign on Huawei: every row held to its own text", () => {
    it("the prepaid balance pays each row's own segments, and a Huawei outage fails over to Tencent one call per set of params", async () => {
      const app = await newApp(s, {}, ["huawei", "tencent"]);
      await s.api("PUT", `/v1/apps/${app.appId}/package`, {
        key: s.adminKey,
        body: { domestic: { segments: 100 } },
      });
      const c = await create(app, {});
      const phones = Array.from({ length: 6 }, fresh);
      // Rows 0–2 one segment each; rows 3–5 two (a long variable); rows 4 and 5 share theirs.
      const long = "长".repeat(60);
      const params = [
        ["A", "x"],
        ["B", "x"],
        ["C", "x"],
        [long, "x"],
        [long, "y"],
        [long, "y"],
      ];
      await upload(app, c.body.id, phones.map((p, i) => `${p},${params[i]?.join(",")}`).join("\n"));
      expect((await show(app, c.body.id)).estimate.segments).toBe(9);
      s.huawei.setFault("http500");
      try {
        await act(app, c.body.id, "start");
        const done = await finished(app, c.body.id);
        expect(done.counts).toMatchObject({ submitted: 6, pending: 0 });
      } finally {
        s.huawei.setFault("none");
      }
      // Huawei answered 500 (nothing sent); Tencent took each set of params in its own call.
      const got = sentTo(phones) as { phone: string; params: string[]; sessionContext: string }[];
      expect(got.map((m) => [m.phone, m.params])).toEqual(
        expect.arrayContaining(phones.map((p, i) => [p, params[i]])),
      );
      expect(got).toHaveLength(6);
      const calls = new Map<string, Set<string>>();
      for (const m of got) {
        const k = JSON.stringify(m.params);
        calls.set(k, (calls.get(k) ?? new Set()).add(m.sessionContext));
      }
      expect(calls.size).toBe(5);
      // The balance paid exactly what was sent: 3 × 1 + 3 × 2 segments.
      const pkg = await s.api("GET", `/v1/apps/${app.appId}/package`, { key: app.apiKey });
      expect(pkg.body.remaining.domestic).toBe(100 - 9);
      const rows = await results(app, c.body.id);
      const rec = (await s.api("GET", `/v1/messages/${rows[3]?.messageId}`, { key: app.apiKey }))
        .body;
      expect(rec).toMatchObject({ provider: "tencent", segments: 2, campaign: c.body.id });
    });
  });

  describe("a campaign on Huawei: rules per row", () => {
    it("a row whose variables no longer pass the template's rules is rejected alone, the chunk's others sent in the one call", async () => {
      const app = await newApp(s, {}, ["huawei"]);
      const c = await create(app, {});
      const phones = Array.from({ length: 4 }, fresh);
      const params = [
        ["abc", "x"],
        ["abcdefgh", "x"],
        ["ab", "y"],
        ["abcd", "z"],
      ];
      await upload(app, c.body.id, phones.map((p, i) => `${p},${params[i]?.join(",")}`).join("\n"));
      // The template changes after the upload: variables of at most 3 characters.
      const list = await s.api("GET", `/v1/apps/${app.appId}/templates`, { key: app.apiKey });
      const t = list.body.templates.find((x: Body) => x.id === "order-shipped");
      const put = await s.api("PUT", `/v1/apps/${app.appId}/templates/order-shipped`, {
        key: app.apiKey,
        body: {
          kind: t.kind,
          region: t.region,
          body: t.body,
          providerTemplateIds: t.providerTemplateIds,
          maxParamLength: 3,
        },
      });
      expect(put.status).toBe(200);
      await act(app, c.body.id, "start");
      const done = await finished(app, c.body.id);
      expect(done.counts).toMatchObject({ submitted: 2, rejected: 2 });
      const rows = await results(app, c.body.id);
      expect(rows.map((r) => [r.to, r.status])).toEqual([
        [phones[0], "submitted"],
        [phones[1], "rejected"],
        [phones[2], "submitted"],
        [phones[3], "rejected"],
      ]);
      expect(rows[1]?.code).toBe("InvalidParameterValue.TemplateParameterLengthLimit");
      const got = s.huawei.messages().filter((m: { phone: string }) => phones.includes(m.phone));
      expect(got.map((m: { phone: string }) => m.phone).sort()).toEqual(
        [phones[0], phones[2]].sort(),
      );
      expect(new Set(got.map((m: { extend: string }) => m.extend)).size).toBe(1);
    });
  });

  describe("a campaign's records", () => {
    it("GET /v1/messages?campaign=: only its records, every one carrying the id, filters and cursor, JSON and CSV", async () => {
      const app = await newApp(s);
      const phones = Array.from({ length: 12 }, fresh);
      // Two numbers the vendor refuses (…44): `failed` records.
      const refused = ["+8613912300044", "+8613912300144"];
      const c = await create(app, {});
      const other = await create(app, {});
      await upload(app, c.body.id, [...phones, ...refused].map((p) => `${p},R,x`).join("\n"));
      await upload(app, other.body.id, `${fresh()},O,y`);
      // A plain send of the same app: not the campaign's.
      const direct = await app.send({
        to: [fresh()],
        template: "order-shipped",
        params: ["D", "z"],
      });
      expect(direct.status).toBe(200);
      for (const id of [c.body.id, other.body.id]) await act(app, id, "start");
      await finished(app, c.body.id);
      await finished(app, other.body.id);

      const page = (q: string) =>
        s.api("GET", `/v1/messages?campaign=${c.body.id}${q}`, { key: app.apiKey });
      const seen: Body[] = [];
      let cursor = "";
      do {
        const r = await page(`&limit=5${cursor ? `&cursor=${cursor}` : ""}`);
        expect(r.status).toBe(200);
        expect(r.body.messages.length).toBeLessThanOrEqual(5);
        seen.push(...r.body.messages);
        cursor = r.body.cursor ?? "";
      } while (cursor);
      expect(seen.map((m) => m.to).sort()).toEqual([...phones, ...refused].sort());
      expect(seen.every((m) => m.campaign === c.body.id)).toBe(true);
      // Newest first.
      const times = seen.map((m) => m.createdAt as string);
      expect([...times].sort().reverse()).toEqual(times);

      const failed = await page("&status=failed");
      expect(failed.body.messages.map((m: Body) => m.to).sort()).toEqual([...refused].sort());
      const other1 = await s.api("GET", `/v1/messages?campaign=${other.body.id}`, {
        key: app.apiKey,
      });
      expect(other1.body.messages).toHaveLength(1);
      const byPhone = await page(`&phone=${encodeURIComponent(phones[3] as string)}`);
      expect(byPhone.body.messages.map((m: Body) => m.to)).toEqual([phones[3]]);
      const none = await s.api("GET", "/v1/messages?campaign=01NOSUCHCAMPAIGN", {
        key: app.apiKey,
      });
      expect(none.body.messages).toEqual([]);
      // Another app's campaign id shows nothing of this one.
      const stranger = await newApp(s);
      expect(
        (await s.api("GET", `/v1/messages?campaign=${c.body.id}`, { key: stranger.apiKey })).body
          .messages,
      ).toEqual([]);

      const csv = await fetch(`${s.apiUrl}/v1/messages?campaign=${c.body.id}&limit=10`, {
        headers: { authorization: `Bearer ${app.apiKey}`, accept: "text/csv" },
      });
      expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
      const lines = (await csv.text())
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n");
      expect(lines[0]?.split(",")).toContain("campaign");
      expect(lines).toHaveLength(11);
      expect(lines.slice(1).every((l) => l.includes(c.body.id))).toBe(true);
      const next = csv.headers.get("link")?.match(/<([^>]+)>; rel="next"/)?.[1] ?? "";
      expect(next).toContain(`campaign=${c.body.id}`);
      const rest = await fetch(next, {
        headers: { authorization: `Bearer ${app.apiKey}`, accept: "text/csv" },
      });
      expect((await rest.text()).trim().split("\r\n")).toHaveLength(1 + 4);
    });
  });

  describe("campaign states", () => {
    it("refuses to start when the estimate exceeds the prepaid balance (409)", async () => {
      const app = await newApp(s);
      await s.api("PUT", `/v1/apps/${app.appId}/package`, {
        key: s.adminKey,
        body: { domestic: { segments: 2 } },
      });
      const c = await create(app, {});
      await upload(app, c.body.id, [fresh(), fresh(), fresh()].map((p) => `${p},a,b`).join("\n"));
      const r = await act(app, c.body.id, "start");
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe("FailedOperation.InsufficientBalanceInSmsPackage");
      expect(r.body.error.message).toContain("3 segments");
      expect((await show(app, c.body.id)).status).toBe("draft");
    });

    it("starts at sendAt, pauses, resumes and cancels", async () => {
      const app = await newApp(s);
      const c = await create(app, {});
      const phones = Array.from({ length: 45 }, fresh);
      await upload(app, c.body.id, phones.map((p, i) => `${p},P${i % 3},x`).join("\n"));
      expect((await act(app, c.body.id, "pause")).status).toBe(409); // a draft
      const sendAt = new Date(clock.now() + 60_000).toISOString();
      const st = await act(app, c.body.id, "start", { sendAt });
      expect(st.body).toMatchObject({ status: "scheduled", sendAt });
      expect((await act(app, c.body.id, "start")).status).toBe(409);
      await new Promise((r) => setTimeout(r, 1500)); // the lanes look, and wait
      expect(sentTo(phones)).toHaveLength(0);
      expect((await show(app, c.body.id)).status).toBe("scheduled");

      expect((await act(app, c.body.id, "pause")).body.status).toBe("paused");
      clock.advance(61_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(sentTo(phones)).toHaveLength(0);
      expect((await act(app, c.body.id, "resume")).body.status).toBe("running");
      const done = await finished(app, c.body.id);
      expect(done).toMatchObject({ chunks: 5, chunksDone: 5 });
      expect(done.counts).toMatchObject({ pending: 0, submitted: 45 });
      expect(sentTo(phones)).toHaveLength(45);
      expect(new Set(sentTo(phones).map((m: Body) => m.phone)).size).toBe(45);
      expect((await act(app, c.body.id, "cancel")).status).toBe(409); // completed
      clock.advance(-61_000);

      const c2 = await create(app, {});
      await upload(app, c2.body.id, `${fresh()},a,b\n`);
      expect((await act(app, c2.body.id, "cancel")).body.status).toBe("cancelled");
      expect((await act(app, c2.body.id, "start")).status).toBe(409);
      expect((await act(app, c2.body.id, "resume")).status).toBe(409);
    });
  });

  describe("every row through the send policy", () => {
    it("opt-outs and frequency refuse rows with the codes of POST /v1/messages", async () => {
      const app = await newApp(s, { frequency: { oneDay: 1 } });
      const [opted, a, b] = [fresh(), fresh(), fresh()];
      await s.api("POST", `/v1/apps/${app.appId}/opt-outs`, {
        key: app.apiKey,
        body: { phone: opted, consent: true },
      });
      // a had its one message of the day already.
      const single = await app.send({ to: [a], template: "order-shipped", params: ["1", "2"] });
      expect(single.body.messages[0].status).toBe("submitted");
      const c = await create(app, {});
      await upload(app, c.body.id, [opted, a, b].map((p) => `${p},Z,z`).join("\n"));
      await act(app, c.body.id, "start");
      const done = await finished(app, c.body.id);
      const by = Object.fromEntries(
        (await results(app, c.body.id)).map((r) => [r.to, `${r.status}:${r.code}`]),
      );
      expect(by).toEqual({
        [opted]: "rejected:FailedOperation.PhoneNumberInBlacklist",
        [a]: "rejected:LimitExceeded.PhoneNumberDailyLimit",
        [b]: "submitted:Ok",
      });
      expect(done.counts).toMatchObject({ submitted: 1, rejected: 2, pending: 0 });
      expect(sentTo([opted, b]).map((m: Body) => m.phone)).toEqual([b]);
    });

    it("the app's daily limit holds across the campaign's chunks", async () => {
      const app = await newApp(s, { thresholds: { domestic: { alert: 2, limit: 13 } } });
      const phones = Array.from({ length: 25 }, fresh); // three chunks of ≤ 10
      const c = await create(app, {});
      await upload(app, c.body.id, phones.map((p, i) => `${p},R${i},r`).join("\n"));
      await act(app, c.body.id, "start");
      const done = await finished(app, c.body.id);
      expect(done.counts).toMatchObject({ submitted: 13, rejected: 12, pending: 0 });
      const rows = await results(app, c.body.id);
      expect(
        rows.filter((r) => r.code === "LimitExceeded.AppMainlandChinaDailyLimit"),
      ).toHaveLength(12);
      expect(sentTo(phones)).toHaveLength(13);
    });

    it("a marketing campaign pauses itself outside the window and resumes inside it", async () => {
      const app = await newApp(s);
      await s.api("PUT", `/v1/apps/${app.appId}/templates/promo`, {
        key: app.apiKey,
        body: {
          kind: "marketing",
          region: "domestic",
          body: "您的订单{1}已发货，预计{2}送达。拒收请回复R",
          providerTemplateIds: { tencent: "1000002" },
        },
      });
      const c = await create(app, { template: "promo" });
      const phones = [fresh(), fresh()];
      await upload(app, c.body.id, phones.map((p) => `${p},M,m`).join("\n"));
      clock.set("2026-11-22T14:30:00Z"); // 22:30 in Shanghai
      try {
        await act(app, c.body.id, "start");
        await waitFor(
          async () => (await show(app, c.body.id)).pauseReason === "marketingWindow",
          5000,
          "the window pause",
        );
        expect((await show(app, c.body.id)).status).toBe("paused");
        expect(sentTo(phones)).toHaveLength(0);
        expect((await act(app, c.body.id, "resume")).status).toBe(409); // it resumes by itself
        clock.set("2026-11-23T00:30:00Z"); // 08:30
        const done = await finished(app, c.body.id);
        expect(done.counts.submitted).toBe(2);
        expect(done.pauseReason).toBeUndefined();
      } finally {
        clock.set("2026-11-22T02:00:00Z");
      }
    });
  });

  describe("groups", () => {
    it("imports members, lists them with counts, removes one, and texts the group in one call", async () => {
      const app = await newApp(s);
      const g = await s.api("POST", "/v1/groups", { key: app.apiKey, body: { name: "vip" } });
      expect(g.status).toBe(201);
      const [a, b, c3] = [fresh(), fresh(), fresh()];
      const json = await s.api("POST", `/v1/groups/${g.body.id}/members`, {
        key: app.apiKey,
        body: { phones: [a, b, "nope"] },
      });
      expect(json.body).toMatchObject({ accepted: 2, members: 2 });
      expect(json.body.rejected[0]).toMatchObject({
        row: 3,
        code: "InvalidParameterValue.IncorrectPhoneNumber",
      });
      const tooMany = await s.api("POST", `/v1/groups/${g.body.id}/members`, {
        key: app.apiKey,
        body: { phones: Array.from({ length: 101 }, fresh) },
      });
      expect(tooMany.body.error.code).toBe("LimitExceeded.GroupMemberLimit");
      const file = await fetch(`${s.apiUrl}/v1/groups/${g.body.id}/members`, {
        method: "POST",
        headers: { authorization: `Bearer ${app.apiKey}`, "content-type": "text/csv" },
        body: `phone\n${c3}\n${a}\n`,
      });
      const fb = (await file.json()) as Body;
      expect(fb).toMatchObject({ accepted: 1, members: 3 });
      expect(fb.rejected[0]).toMatchObject({
        row: 3,
        code: "InvalidParameterValue.DuplicatePhoneNumber",
      });
      const listed = await s.api("GET", "/v1/groups", { key: app.apiKey });
      expect(listed.body.groups).toEqual([expect.objectContaining({ id: g.body.id, members: 3 })]);
      const del = await s.api(
        "DELETE",
        `/v1/groups/${g.body.id}/members/${encodeURIComponent(b)}`,
        {
          key: app.apiKey,
        },
      );
      expect(del.status).toBe(204);
      const members = await s.api("GET", `/v1/groups/${g.body.id}/members`, { key: app.apiKey });
      expect(members.body.members.sort()).toEqual([a, c3].sort());

      const c = await create(app, { group: g.body.id, params: ["G", "g"] });
      expect(c.body).toMatchObject({ status: "draft", total: 2, estimate: { segments: 2 } });
      await act(app, c.body.id, "start");
      await finished(app, c.body.id);
      expect(
        sentTo([a, b, c3])
          .map((m: Body) => m.phone)
          .sort(),
      ).toEqual([a, c3].sort());

      expect((await s.api("DELETE", `/v1/groups/${g.body.id}`, { key: app.apiKey })).status).toBe(
        204,
      );
      expect(
        (await s.api("GET", `/v1/groups/${g.body.id}/members`, { key: app.apiKey })).status,
      ).toBe(404);
    });

    it("keeps apps apart and needs the right scope", async () => {
      const app = await newApp(s);
      const other = await newApp(s);
      const c = await create(app, {});
      expect((await s.api("GET", `/v1/campaigns/${c.body.id}`, { key: other.apiKey })).status).toBe(
        404,
      );
      const read = await s.api("POST", `/v1/apps/${app.appId}/keys`, {
        key: app.apiKey,
        body: { scopes: ["read"] },
      });
      const r = await s.api("POST", `/v1/campaigns/${c.body.id}/start`, {
        key: read.body.key,
        body: {},
      });
      expect(r.status).toBe(403);
      expect(
        (await s.api("GET", `/v1/campaigns/${c.body.id}`, { key: read.body.key })).status,
      ).toBe(200);
      expect(
        (
          await s.api("POST", "/v1/campaigns", {
            key: s.adminKey,
            body: { name: "x", template: "order-shipped" },
          })
        ).status,
      ).toBe(403);
    });
  });

  /** A minimal XLSX (one sheet; numbers as number cells, the rest as inline strings). */
  async function xlsx(rows: string[][]): Promise<Buffer> {
    const zip = new JSZip();
    const col = (i: number) => String.fromCharCode(65 + i);
    const cells = rows
      .map(
        (r, y) =>
          `<row r="${y + 1}">${r
            .map((v, x) =>
              /^\d+$/.test(v)
                ? `<c r="${col(x)}${y + 1}"><v>${v}</v></c>`
                : `<c r="${col(x)}${y + 1}" t="inlineStr"><is><t>${v}</t></is></c>`,
            )
            .join("")}</row>`,
      )
      .join("");
    zip.file(
      "[Content_Types].xml",
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    );
    zip.file(
      "_rels/.rels",
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    );
    zip.file(
      "xl/workbook.xml",
      '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    );
    zip.file(
      "xl/_rels/workbook.xml.rels",
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    );
    zip.file(
      "xl/worksheets/sheet1.xml",
      `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${cells}</sheetData></worksheet>`,
    );
    return zip.generateAsync({ type: "nodebuffer" });
  }
});
