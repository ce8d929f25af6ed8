/**
 * The console in a real browser (Debian's chromium driven by playwright-core) against the
 * local stack: sign in, the overview equal to GET /v1/stats with a chart drawn, failure
 * analysis naming the vendor codes, a record found by phone and by time, a CSV downloaded and
 * parsed, an opt-out added and removed, campaigns when the API has them, a campaign started,
 * paused and resumed from the view with its progress moving to completed. Screenshots of each
 * view go to test-artifacts/console/ (gitignored). Skipped, saying so, when no chromium.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_CSP } from "../../lib/console/routes";
import { newApp, startTestStack, type TestApp, type TestStack, waitFor } from "../helpers/stack";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(import.meta.dirname, "../../test-artifacts/console");
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) console.warn(`console.test: no browser at ${CHROMIUM}; .ci/run installs it`);

let s: TestStack;
let app: TestApp;
let browser: Browser;
let page: Page;
/** Script errors, CSP violations and failed API answers (the campaigns probe aside). */
const errors: string[] = [];
const delivered = "+8613600000001";
const undelivered = "+8613600000004";
const refused = "+8613600000044";
let beforeSend = "";

beforeAll(async () => {
  if (!haveBrowser) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  // One lane of small chunks: a campaign's progress moves chunk by chunk, slowly enough to see.
  s = await startTestStack({ campaignLanes: 1, campaignChunkRows: 10 });
  app = await newApp(s);
  beforeSend = new Date(Date.now() - 60_000).toISOString();
  await app.send({
    to: [delivered, undelivered, refused],
    template: "order-shipped",
    params: ["SO-9", "明天"],
  });
  await app.send({ to: ["+8613600000002"], template: "login-code", params: ["123456", "5"] });
  await waitFor(async () => {
    await s.runChecker(); // pulls a report whose push the loaded machine dropped
    const r = await s.api("GET", `/v1/stats?from=2026-01-01&to=2035-12-31`, { key: app.apiKey });
    return r.body.total.reported === 3;
  }, 30_000);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const context = await browser.newContext({ acceptDownloads: true, locale: "en-US" });
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    // A failed request is logged as "Failed to load resource"; responses are checked below.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
      errors.push(m.text());
  });
  page.on("response", (r) => {
    const expected = r.url().includes("/v1/campaigns") && r.status() === 404;
    if (r.status() >= 400 && !expected) errors.push(`${r.status()} ${r.url()}`);
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const shot = (name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
async function open(view: string) {
  await page.click(`nav a[data-view="${view}"]`);
  try {
    await page.waitForSelector(`#view-${view}[data-ready="true"]`, { timeout: 5000 });
  } catch (err) {
    await shot(`failed-${view}`);
    throw new Error(`${view} not ready: ${await page.textContent("body")}`, { cause: err });
  }
}

describe.skipIf(!haveBrowser)("the console in chromium", { timeout: 60_000 }, () => {
  it("serves the page from smsgate only, under a CSP without unsafe-inline", async () => {
    const res = await fetch(`${s.apiUrl}/console`, { headers: { "accept-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).not.toContain("unsafe-inline");
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>|style=/);
    const requested: string[] = [];
    page.on("request", (r) => requested.push(r.url()));
    await page.goto(`${s.apiUrl}/console`);
    await page.waitForSelector("#signin");
    expect(requested.every((u) => u.startsWith(s.apiUrl))).toBe(true);
  });

  it("signs in with the app key, kept in session storage only, and shows today's numbers as GET /v1/stats does", async () => {
    await page.fill("#f-key", app.apiKey);
    const started = Date.now();
    await page.click("#signin button[type=submit]");
    await page.waitForSelector("#view-overview[data-ready='true']");
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
    const stats = (await s.api("GET", `/v1/stats?from=${day}&to=${day}`, { key: app.apiKey })).body
      .total;
    const metric = (m: string) => page.textContent(`[data-metric="${m}"] b`);
    expect(await metric("requests")).toBe(String(stats.requests));
    expect(await metric("submitted")).toBe(String(stats.submitted));
    expect(await metric("segments")).toBe(String(stats.segments));
    expect(stats.requests).toBe(4);
    // A chart drawn: uPlot's canvas with 24 hourly points.
    await page.waitForSelector("#trend canvas");
    writeFileSync(
      join(ARTIFACTS, "timing.json"),
      JSON.stringify({ signInToChartMs: Date.now() - started }),
    );
    expect(await page.getAttribute("#trend", "data-drawn")).toBe("24");
    const storage = (await page.evaluate(
      "({ session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage), url: location.href })",
    )) as { session: string; local: string; url: string };
    expect(storage.session).toContain(app.apiKey);
    expect(storage.local).not.toContain(app.apiKey);
    expect(storage.url).not.toContain(app.apiKey);
    await shot("overview");
  });

  it("lists the failure codes with their reasons, and the carriers' receipt codes", async () => {
    await open("failures");
    const failures = await page.textContent("[data-table=failures]");
    expect(failures).toContain("FailedOperation.PhoneNumberInBlacklist");
    expect(failures).toContain("100.00%");
    expect(await page.textContent("[data-table=carriers]")).toContain("UNDELIV");
    await shot("failures");
    await open("receipts");
    expect(await page.textContent("[data-metric=reported] b")).toBe("3");
    await shot("receipts");
    await open("countries");
    expect(await page.textContent("[data-table=countries]")).toContain("CN");
    await shot("countries");
    await open("verification");
    await page.waitForSelector("#monitor canvas");
    expect(await page.textContent("[data-table=verification]")).toContain("1");
    await shot("verification");
  });

  it("finds a record by phone and by time, with its text", async () => {
    await open("records");
    await page.fill("#f-phone", undelivered);
    await page.click("#records-form button[type=submit]");
    await page.waitForSelector("[data-table=records]");
    const rows = page.locator("[data-table=records] tbody tr");
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("undelivered");
    expect(await rows.first().textContent()).toContain(
      "【smsgate】您的订单SO-9已发货，预计明天送达。",
    );
    await page.fill("#f-phone", "");
    // Browser-local time inputs: the window around the sends finds all four.
    const local = (iso: string) => {
      const d = new Date(iso);
      return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    };
    await page.fill("#f-from", local(beforeSend));
    await page.fill("#f-to", local(new Date(Date.now() + 120_000).toISOString()));
    await page.click("#records-form button[type=submit]");
    await expect.poll(() => page.locator("[data-table=records] tbody tr").count()).toBe(4);
    expect(await page.textContent("[data-table=records]")).not.toContain("123456");
    await shot("records");
  });

  it("exports the records as CSV that keeps Chinese text (UTF-8 with BOM, a header row)", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#view-records [data-export]"),
    ]);
    const bytes = readFileSync((await download.path()) ?? "");
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").slice(1).trim().split("\r\n");
    expect(lines[0]?.split(",").slice(0, 4)).toEqual(["id", "createdAt", "reportedAt", "to"]);
    expect(lines).toHaveLength(5);
    expect(lines.join("\n")).toContain("预计明天送达");
    expect(download.suggestedFilename()).toBe("messages.csv");
  });

  it("adds an opt-out and removes it", async () => {
    await open("optOuts");
    await page.fill("#f-add", "+8613600000077\n13600000078");
    await page.check("#f-consent");
    await page.click("#optout-add button[type=submit]");
    await expect.poll(() => page.textContent("[data-table=optouts]")).toContain("+8613600000078");
    const api = await s.api("GET", `/v1/apps/${app.appId}/opt-outs/%2B8613600000077`, {
      key: app.apiKey,
    });
    expect(api.body.optOuts).toEqual([expect.objectContaining({ sign: "*", reason: "manual" })]);
    await shot("opt-outs");
    await page.fill("#f-remove", "+8613600000077");
    await page.click("#optout-remove button[type=submit]");
    await expect
      .poll(async () => (await page.textContent("#view-optOuts")) ?? "")
      .not.toContain("+8613600000077");
    const gone = await s.api("GET", `/v1/apps/${app.appId}/opt-outs/%2B8613600000077`, {
      key: app.apiKey,
    });
    expect(gone.body.optOuts ?? []).toEqual([]);
  });

  it("shows the management views and works at phone width", async () => {
    for (const view of ["replies", "whitelist", "templates", "alerts", "package", "keys"]) {
      await open(view);
      if (view === "templates")
        expect(await page.textContent("[data-table=templates]")).toContain("login-code");
      await shot(view);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await open("overview");
    const overflow = (await page.evaluate(
      "document.documentElement.scrollWidth - window.innerWidth",
    )) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await shot("overview-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("switches to Chinese labels", async () => {
    expect(await page.textContent("nav")).toContain("Overview"); // the browser's language
    await page.click("#lang");
    await expect.poll(() => page.textContent("nav")).toContain("业务统计");
    await page.waitForSelector("#view-overview[data-ready='true']");
    expect(await page.textContent("[data-metric=requests] span")).toBe("请求量");
    await shot("overview-zh");
    await page.click("#lang");
  });

  it("shows campaigns only when the API has them", async () => {
    const api = await s.api("GET", "/v1/campaigns", { key: app.apiKey });
    const tab = await page.locator('nav a[data-view="campaigns"]').count();
    expect(tab).toBe(api.status === 200 ? 1 : 0);
  });

  it("shows a campaign's progress move, refresh by refresh, from Start to completed as GET /v1/campaigns/{id} counts it", {
    timeout: 30_000,
  }, async () => {
    const began = Date.now();
    // One lane of 10-row chunks (the suite's stack): 20 chunks one after another, several
    // seconds of sending, so the 2 s refresh sees the numbers between 0 and the total.
    const total = 200;
    const created = await s.api("POST", "/v1/campaigns", {
      key: app.apiKey,
      body: { name: "console-progress", template: "order-shipped" },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const csv = [
      "phone,order,when",
      // Numbers ending in 1: the emulator accepts them (docs: 4, 44, 444 endings are faults).
      ...Array.from({ length: total }, (_, i) => `+86139${30_000_001 + i * 10},SO-9,明天`),
    ].join("\r\n");
    const up = await fetch(`${s.apiUrl}/v1/campaigns/${id}/recipients`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.apiKey}`, "content-type": "text/csv" },
      body: csv,
    });
    expect(((await up.json()) as { accepted: number }).accepted).toBe(total);

    await open("campaigns");
    const row = `[data-table=campaigns] tr[data-campaign="${id}"]`;
    /** What the row shows, and which refresh of the list it is from. */
    const read = async () =>
      (await page.evaluate(`(() => {
        const tr = document.querySelector(${JSON.stringify(row)});
        const num = (sel) => Number(tr?.querySelector(sel)?.textContent);
        return {
          refresh: Number(document.querySelector("#campaigns-list")?.dataset.refreshes),
          status: tr?.querySelector("[data-status]")?.dataset.status,
          label: tr?.querySelector("[data-status]")?.textContent,
          done: Number(tr?.querySelector("[data-done]")?.dataset.done),
          bar: tr?.querySelector("progress")?.value,
          text: tr?.querySelector(".progress")?.textContent?.trim(),
          submitted: num("[data-count=submitted]"),
          rejected: num("[data-count=rejected]"),
          failed: num("[data-count=failed]"),
          actions: [...(tr?.querySelectorAll("[data-action]") ?? [])].map((b) => b.dataset.action),
        };
      })()`)) as {
        refresh: number;
        status?: string;
        label?: string;
        done: number;
        bar?: number;
        text?: string;
        submitted: number;
        rejected: number;
        failed: number;
        actions: string[];
      };
    type Shown = Awaited<ReturnType<typeof read>>;
    /** Each refresh's numbers once, in order. */
    const seen: Shown[] = [];
    const watch = async (until: (x: Shown) => boolean, ms: number, what: string) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const x = await read();
        if (x.status && x.refresh !== seen.at(-1)?.refresh) seen.push(x);
        if (x.status && until(x)) return x;
        if (Date.now() > deadline) {
          await shot("failed-campaigns");
          throw new Error(`${what}: shown ${JSON.stringify(seen.map((v) => [v.status, v.done]))}`);
        }
        await page.waitForTimeout(100);
      }
    };
    const draft = await watch((x) => x.status === "draft", 5000, "the draft listed");
    expect(draft).toMatchObject({ label: "Draft", done: 0, text: `0 / ${total}` });
    expect(draft.actions).toEqual(["start", "cancel"]);

    await page.click(`${row} [data-action=start]`);
    const first = await watch((x) => x.status === "running", 5000, "running after Start");
    expect(first.label).toBe("Sending");
    expect(first.actions).toEqual(["pause", "cancel"]);
    // A later refresh shows more sent, not yet all.
    const mid = await watch(
      (x) => x.status === "running" && x.done > first.done && x.done < total,
      10_000,
      "progress between refreshes",
    );
    expect(mid.bar).toBe(mid.done);
    expect(mid.text).toBe(`${mid.done} / ${total}`);

    // Paused: chunks in flight finish, then the number holds; Resume goes on from it.
    await page.click(`${row} [data-action=pause]`);
    const paused = await watch((x) => x.status === "paused", 5000, "paused after Pause");
    expect(paused.actions).toEqual(["resume", "cancel"]);
    // Two refreshes on, at least 2 s after the click: what the view shows is what the API says.
    const held = await watch(
      (x) => x.refresh >= paused.refresh + 2,
      6000,
      "refreshes while paused",
    );
    const apiPaused = (await s.api("GET", `/v1/campaigns/${id}`, { key: app.apiKey })).body;
    expect(apiPaused.status).toBe("paused");
    expect(held).toMatchObject({ status: "paused", submitted: apiPaused.counts.submitted });
    expect(held.done).toBeLessThan(total);
    await shot("campaigns-paused");

    await page.click(`${row} [data-action=resume]`);
    const end = await watch((x) => x.status === "completed", 20_000, "completed after Resume");
    const api = (await s.api("GET", `/v1/campaigns/${id}`, { key: app.apiKey })).body;
    expect(api.status).toBe("completed");
    expect(api.counts.pending).toBe(0);
    const apiDone = ["submitted", "rejected", "failed", "unknown"].reduce(
      (a, k) => a + api.counts[k],
      0,
    );
    expect(apiDone).toBe(total);
    expect(end).toMatchObject({
      label: "Completed",
      done: apiDone,
      text: `${apiDone} / ${api.total}`,
      submitted: api.counts.submitted,
      rejected: api.counts.rejected,
      failed: api.counts.failed,
      actions: [],
    });
    // Refresh by refresh the number only grows, and grew at least twice with a value in
    // between shown: it moved, it did not just jump from 0 to done.
    const values = seen.map((x) => x.done);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    const rises = values.filter((v, i) => i > 0 && v > (values[i - 1] as number)).length;
    expect(rises).toBeGreaterThanOrEqual(2);
    expect(values.some((v) => v > 0 && v < total)).toBe(true);
    await shot("campaigns");
    writeFileSync(
      join(ARTIFACTS, "campaign-progress.json"),
      JSON.stringify({ ms: Date.now() - began, shown: seen.map((x) => [x.status, x.done]) }),
    );
  });

  it("ran without a script error or a CSP violation", () => {
    expect(errors).toEqual([]);
  });
});
