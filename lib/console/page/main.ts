/**
 * The operator console (docs/console.md): one page over the HTTP API. The key lives in this
 * tab's sessionStorage only and travels as `Authorization: Bearer`, never in a URL; the DOM is
 * built with textContent (no innerHTML), so nothing the API returns can run as markup.
 */
import uPlot from "uplot";
import { catalogue } from "../../core/errors";
import { groupReceipts, RECEIPT_GROUPS } from "../../rules/carrier";
import { toCsv } from "../../rules/csv";
import { isLabel, type Label, type Lang, translator } from "./i18n";

// biome-ignore lint/suspicious/noExplicitAny: API answers are read field by field
type Json = any;
type Child = Node | string | number | null | undefined | false;

const KEY = "smsgate.key";
const APP = "smsgate.app";
// The saved choice, else the browser's language: Chinese for zh-*, English otherwise.
let lang: Lang =
  (localStorage.getItem("smsgate.lang") as Lang | null) ??
  (navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en");
let t = translator(lang);
let app: Json;
let timer: number | undefined;
let charts: uPlot[] = [];

// --- DOM ---------------------------------------------------------------------------------

function h(tag: string, attrs: Record<string, unknown> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v as EventListener);
    else if (k === "class") el.className = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children)
    if (c !== null && c !== undefined && c !== false)
      el.append(typeof c === "object" ? c : String(c));
  return el;
}
const $ = (sel: string) => document.querySelector(sel) as HTMLElement;
const input = (name: string, attrs: Record<string, unknown> = {}) =>
  h("input", { name, id: `f-${name}`, ...attrs }) as HTMLInputElement;
const field = (label: Label, control: HTMLElement) =>
  h("label", { class: "field" }, h("span", {}, t(label)), control);
const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? "—" : `${(x * 100).toFixed(2)}%`;
const time = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : "");
function select(name: string, options: [string, string][], value = "") {
  const s = h(
    "select",
    { name, id: `f-${name}` },
    ...options.map(([v, l]) => h("option", { value: v, selected: v === value }, l)),
  ) as HTMLSelectElement;
  return s;
}

function table(columns: [Label | string, (r: Json) => Child][], rows: Json[], id?: string) {
  if (rows.length === 0) return h("p", { class: "empty" }, t("none"));
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      { "data-table": id },
      h("thead", {}, h("tr", {}, ...columns.map(([l]) => h("th", {}, isLabel(l) ? t(l) : l)))),
      h("tbody", {}, ...rows.map((r) => h("tr", {}, ...columns.map(([, f]) => h("td", {}, f(r)))))),
    ),
  );
}

function card(metric: string, label: Label, value: Child) {
  return h(
    "div",
    { class: "card", "data-metric": metric },
    h("span", {}, t(label)),
    h("b", {}, value),
  );
}

function notice(text: string, kind: "error" | "ok" = "error") {
  const n = h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
  $("#notices").replaceChildren(n);
}

// --- API ---------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call(method: string, path: string, body?: unknown, accept = "application/json") {
  const key = sessionStorage.getItem(KEY) ?? "";
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      accept,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return { res, body: undefined };
  if (accept === "text/csv" && res.ok) return { res, body: await res.text() };
  const json = await res.json().catch(() => ({}));
  if (!res.ok)
    throw new ApiError(res.status, json?.error?.code ?? "", json?.error?.message ?? res.statusText);
  return { res, body: json };
}
const get = async (path: string): Promise<Json> => (await call("GET", path)).body;
const appPath = (rest = "") => `/v1/apps/${app.appId}${rest}`;
const qs = (o: Record<string, string | undefined>) => {
  const q = new URLSearchParams({ appId: app.appId });
  for (const [k, v] of Object.entries(o)) if (v) q.set(k, v);
  return q.toString();
};

/** Downloads every page of a CSV answer as one file (UTF-8 with BOM, one header row). */
async function exportServerCsv(path: string, filename: string) {
  let next: string | undefined = path;
  const parts: string[] = [];
  for (let page = 0; next && page < 200; page++) {
    const { res, body } = await call("GET", next, undefined, "text/csv");
    const text = String(body).replace(/^\uFEFF/, "");
    parts.push(page === 0 ? text : text.slice(text.indexOf("\r\n") + 2));
    const link = res.headers.get("link")?.match(/<([^>]+)>;\s*rel="next"/)?.[1];
    next = link
      ? new URL(link, location.href).pathname + new URL(link, location.href).search
      : undefined;
  }
  download(`\uFEFF${parts.join("")}`, filename);
}

function download(text: string, filename: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = h("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
const exportButton = (onclick: () => unknown) =>
  h("button", { type: "button", class: "export", "data-export": "", onclick }, t("export"));

// --- time ranges -------------------------------------------------------------------------

/** A day (YYYY-MM-DD) in the app's time zone, `back` days ago. */
function appDay(back = 0): string {
  const d = new Date(Date.now() - back * 86_400_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: app.timeZone }).format(d);
}
const period = { choice: "today", from: "", to: "", template: "", sign: "" };
function range(): { from: string; to: string; hourly: boolean } {
  switch (period.choice) {
    case "yesterday":
      return { from: appDay(1), to: appDay(1), hourly: true };
    case "days7":
      return { from: appDay(6), to: appDay(0), hourly: false };
    case "days30":
      return { from: appDay(29), to: appDay(0), hourly: false };
    case "custom":
      return {
        from: period.from || appDay(),
        to: period.to || appDay(),
        hourly: period.from === period.to,
      };
    default:
      return { from: appDay(), to: appDay(), hourly: true };
  }
}

/** The period and filter bar shared by the statistics views. */
function periodBar(rerender: () => void, filters = true) {
  const choices = ["today", "yesterday", "days7", "days30", "custom"] as const;
  const from = input("from", { type: "date", value: period.from || appDay() });
  const to = input("to", { type: "date", value: period.to || appDay() });
  const tpl = select(
    "template",
    [
      ["", t("all")],
      ...((app.templates ?? []) as Json[]).map((x): [string, string] => [x.id, x.id]),
    ],
    period.template,
  );
  const sign = select(
    "sign",
    [["", t("all")], ...((app.signatures ?? []) as string[]).map((s): [string, string] => [s, s])],
    period.sign,
  );
  return h(
    "form",
    {
      class: "bar",
      onsubmit: (e: Event) => {
        e.preventDefault();
        period.from = from.value;
        period.to = to.value;
        period.template = tpl.value;
        period.sign = tpl.value ? "" : sign.value;
        rerender();
      },
    },
    h(
      "div",
      { class: "choices" },
      ...choices.map((c) =>
        h(
          "button",
          {
            type: "button",
            class: period.choice === c ? "on" : "",
            "data-period": c,
            onclick: () => {
              period.choice = c;
              rerender();
            },
          },
          t(c),
        ),
      ),
    ),
    period.choice === "custom" && field("from", from),
    period.choice === "custom" && field("to", to),
    filters && field("template", tpl),
    filters && field("sign", sign),
    h("button", { type: "submit" }, t("apply")),
  );
}

async function loadStats(groupBy: string, withFilters = true): Promise<Json> {
  const r = range();
  const g = withFilters && (period.template || period.sign) ? "day" : groupBy;
  return get(
    `/v1/stats?${qs({
      from: r.from,
      to: r.to,
      groupBy: g,
      template: withFilters ? period.template : undefined,
      sign: withFilters && !period.template ? period.sign : undefined,
    })}`,
  );
}

// --- charts (uPlot) ----------------------------------------------------------------------

function chart(
  target: HTMLElement,
  x: number[],
  series: { label: string; values: (number | null)[]; scale?: string; color: string }[],
  hourly: boolean,
) {
  const width = Math.max(280, Math.min(target.clientWidth || 800, 1100));
  const plot = new uPlot(
    {
      width,
      height: 260,
      scales: { x: { time: !hourly }, pct: { range: [0, 100] } },
      axes: [
        hourly
          ? { values: (_u, ticks) => ticks.map((v) => `${String(v).padStart(2, "0")}:00`) }
          : {},
        {},
        {
          scale: "pct",
          side: 1,
          grid: { show: false },
          values: (_u, ticks) => ticks.map((v) => `${v}%`),
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          scale: s.scale ?? "y",
          points: { show: x.length < 40 },
        })),
      ],
    },
    [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
    target,
  );
  target.dataset.drawn = String(x.length);
  charts.push(plot);
  return plot;
}

// --- views -------------------------------------------------------------------------------

type View = (root: HTMLElement) => Promise<void>;

const overview: View = async (root) => {
  const r = range();
  const s = await loadStats(r.hourly ? "hour" : "day");
  const tot = s.total;
  const hourly = s.groupBy === "hour";
  const groups: Json[] = s.groups;
  const byKey = new Map(groups.map((g) => [hourly ? g.hour : g.day, g]));
  const keys = hourly
    ? Array.from({ length: 24 }, (_, i) => String(i).padStart(2, "0"))
    : groups.map((g) => g.day);
  const x = hourly ? keys.map(Number) : keys.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const col = (m: string) => keys.map((k) => byKey.get(k)?.[m] ?? 0);
  const rate = keys.map((k) => {
    const v = byKey.get(k)?.successRate;
    return v === null || v === undefined ? null : v * 100;
  });
  const plot = h("div", { class: "chart", id: "trend", "aria-label": t("trend") });
  root.append(
    periodBar(() => show("overview")),
    h(
      "div",
      { class: "cards" },
      card("requests", "requests", tot.requests),
      card("submitted", "submitted", tot.submitted),
      card("segments", "segments", tot.segments),
      card("successRate", "successRate", pct(tot.successRate)),
    ),
    h("h3", {}, t("trend")),
    plot,
    exportButton(() =>
      download(
        toCsv([s.groupBy, "requests", "submitted", "segments", "successRate"], groups),
        `overview-${r.from}-${r.to}.csv`,
      ),
    ),
    table(
      [
        [hourly ? "hour" : "date", (g: Json) => (hourly ? `${g.hour}:00` : g[s.groupBy])],
        ["requests", (g) => g.requests],
        ["submitted", (g) => g.submitted],
        ["segments", (g) => g.segments],
        ["successRate", (g) => pct(g.successRate)],
      ],
      groups,
      "overview",
    ),
  );
  chart(
    plot,
    x,
    [
      { label: t("requests"), values: col("requests"), color: "#2563eb" },
      { label: t("submitted"), values: col("submitted"), color: "#16a34a" },
      { label: t("segments"), values: col("segments"), color: "#d97706" },
      { label: t("successRate"), values: rate, scale: "pct", color: "#dc2626" },
    ],
    hourly,
  );
};

const failures: View = async (root) => {
  const s = await loadStats("day");
  const entries = Object.entries(s.total.failures as Record<string, number>).sort(
    (a, b) => b[1] - a[1],
  );
  const sum = entries.reduce((a, [, n]) => a + n, 0);
  const rows = entries.map(([code, count]) => ({
    code,
    reason: (catalogue as unknown as Record<string, readonly [number, string]>)[code]?.[1] ?? "",
    count,
    share: sum ? count / sum : 0,
  }));
  const carriers = Object.entries(s.carrierCodes as Record<string, number>)
    .filter(([c]) => c !== "DELIVRD")
    .map(([code, count]) => ({ code, count }));
  root.append(
    periodBar(() => show("failures")),
    exportButton(() => download(toCsv(["code", "reason", "count", "share"], rows), "failures.csv")),
    table(
      [
        ["code", (r) => h("code", {}, r.code)],
        ["reason", (r) => r.reason],
        ["count", (r) => r.count],
        ["share", (r) => pct(r.share)],
      ],
      rows,
      "failures",
    ),
    h("h3", {}, t("carrierCodes")),
    table(
      [
        ["code", (r: Json) => h("code", {}, r.code)],
        ["count", (r) => r.count],
      ],
      carriers,
      "carriers",
    ),
  );
};

const receipts: View = async (root) => {
  const s = await loadStats("day", false);
  const tot = s.total;
  const grouped = groupReceipts(s.carrierCodes);
  const reported = tot.reported || 0;
  const rows = RECEIPT_GROUPS.map((g) => ({
    group: t(`g_${g}` as Label),
    count: grouped[g].count,
    share: reported ? grouped[g].count / reported : 0,
    codes: Object.entries(grouped[g].codes)
      .map(([c, n]) => `${c} ×${n}`)
      .join(", "),
  }));
  root.append(
    periodBar(() => show("receipts"), false),
    h(
      "div",
      { class: "cards" },
      card("reported", "reported", tot.reported),
      card("unreported", "unreported", tot.unreported),
      card("delivered", "delivered", tot.delivered),
      card("undelivered", "undelivered", tot.undelivered),
      card("receiptRate", "receiptRate", pct(tot.receiptRate)),
      card("deliveryRate", "deliveryRate", pct(tot.deliveryRate)),
    ),
    exportButton(() => download(toCsv(["group", "count", "share", "codes"], rows), "receipts.csv")),
    table(
      [
        ["group", (r) => r.group],
        ["count", (r) => r.count],
        ["share", (r) => pct(r.share)],
        ["codes", (r) => r.codes],
      ],
      rows,
      "receipts",
    ),
  );
};

const countries: View = async (root) => {
  const s = await loadStats("country", false);
  const all = s.total.requests || 0;
  const rows = (s.groups as Json[]).map((g) => ({ ...g, share: all ? g.requests / all : 0 }));
  root.append(
    periodBar(() => show("countries"), false),
    exportButton(() =>
      download(
        toCsv(["country", "requests", "submitted", "successRate", "segments", "share"], rows),
        "countries.csv",
      ),
    ),
    table(
      [
        ["country", (r: Json) => r.country],
        ["requests", (r) => r.requests],
        ["submitted", (r) => r.submitted],
        ["successRate", (r) => pct(r.successRate)],
        ["segments", (r) => r.segments],
        ["unitPrice", () => "—"],
        ["share", (r) => pct(r.share)],
      ],
      rows,
      "countries",
    ),
  );
};

let monitorDate = "";
const verification: View = async (root) => {
  const date = monitorDate || appDay();
  const m = await get(`/v1/stats/verification?${qs({ date })}`);
  const d = input("date", { type: "date", value: date });
  const plot = h("div", { class: "chart", id: "monitor" });
  const hours: Json[] = m.hours;
  root.append(
    h(
      "form",
      {
        class: "bar",
        onsubmit: (e: Event) => {
          e.preventDefault();
          monitorDate = d.value;
          show("verification");
        },
      },
      field("date", d),
      h("button", { type: "submit" }, t("apply")),
    ),
    h(
      "p",
      { class: "note" },
      t("monitorNote", {
        v: m.rule.volumeAbove,
        s: pct(m.rule.successRateBelow),
        g: pct(m.rule.growthAbove),
      }),
    ),
    plot,
    exportButton(() =>
      exportServerCsv(`/v1/stats/verification?${qs({ date })}`, `verification-${date}.csv`),
    ),
    table(
      [
        ["hour", (r: Json) => `${r.hour}:00`],
        ["volume", (r) => r.volume],
        ["delivered", (r) => r.delivered],
        ["successRate", (r) => pct(r.successRate)],
        ["sameHourYesterday", (r) => r.sameHourYesterday],
        ["growth", (r) => pct(r.growth)],
        ["suspicious", (r) => (r.suspicious ? "⚠" : "")],
      ],
      hours.filter((r) => r.volume || r.sameHourYesterday),
      "verification",
    ),
  );
  chart(
    plot,
    hours.map((r) => Number(r.hour)),
    [
      { label: t("volume"), values: hours.map((r) => r.volume), color: "#2563eb" },
      {
        label: t("sameHourYesterday"),
        values: hours.map((r) => r.sameHourYesterday),
        color: "#94a3b8",
      },
      {
        label: t("successRate"),
        values: hours.map((r) => (r.successRate === null ? null : r.successRate * 100)),
        scale: "pct",
        color: "#dc2626",
      },
    ],
    true,
  );
};

/** A table that pages with the API's cursor: first page, next page. */
async function pager(
  root: HTMLElement,
  load: (cursor?: string) => Promise<{ rows: Json[]; cursor?: string }>,
  render: (rows: Json[]) => HTMLElement,
) {
  const box = h("div", { class: "pager" });
  root.append(box);
  const page = async (cursor?: string) => {
    box.replaceChildren(h("p", {}, t("loading")));
    const p = await load(cursor);
    box.replaceChildren(
      render(p.rows),
      h(
        "div",
        { class: "pages" },
        cursor && h("button", { type: "button", onclick: () => page() }, t("first")),
        p.cursor &&
          h(
            "button",
            { type: "button", "data-next": "", onclick: () => page(p.cursor) },
            t("next"),
          ),
      ),
    );
  };
  await page();
}

/** A datetime-local value (browser time) as an ISO instant. */
const instant = (v: string) => (v ? new Date(v).toISOString() : undefined);
const records: View = async (root) => {
  const phone = input("phone", { type: "tel", placeholder: "+8613800138000" });
  const from = input("from", { type: "datetime-local" });
  const to = input("to", { type: "datetime-local" });
  const status = select("status", [
    ["", t("all")],
    ...["submitted", "delivered", "undelivered", "rejected", "failed", "unknown", "expired"].map(
      (s): [string, string] => [s, s],
    ),
  ]);
  const tpl = select("template", [
    ["", t("all")],
    ...((app.templates ?? []) as Json[]).map((x): [string, string] => [x.id, x.id]),
  ]);
  const sign = select("sign", [
    ["", t("all")],
    ...((app.signatures ?? []) as string[]).map((s): [string, string] => [s, s]),
  ]);
  const results = h("div", {});
  const query = () =>
    qs({
      phone: phone.value.trim(),
      from: instant(from.value),
      to: instant(to.value),
      status: status.value,
      template: tpl.value,
      sign: sign.value,
    });
  const run = async () => {
    results.replaceChildren();
    const q = query();
    results.append(
      exportButton(() => exportServerCsv(`/v1/messages?${q}&limit=100`, "messages.csv")),
    );
    await pager(
      results,
      async (cursor) => {
        const b = await get(
          `/v1/messages?${q}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        );
        return { rows: b.messages, cursor: b.cursor };
      },
      (rows) =>
        table(
          [
            ["phone", (r: Json) => r.to],
            ["content", (r) => r.text ?? r.template],
            ["lengthSegments", (r) => `${r.length ?? "—"} / ${r.segments}`],
            ["kind", (r) => r.kind],
            ["sendTime", (r) => time(r.createdAt)],
            ["reportTime", (r) => time(r.reportedAt)],
            ["status", (r) => h("span", { class: `st ${r.status}` }, r.status)],
            ["code", (r) => r.carrierCode ?? (r.code === "Ok" ? "" : r.code)],
          ],
          rows,
          "records",
        ),
    );
  };
  root.append(
    h(
      "form",
      {
        class: "bar",
        id: "records-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          run().catch(fail);
        },
      },
      field("phone", phone),
      field("from", from),
      field("to", to),
      field("status", status),
      field("template", tpl),
      field("sign", sign),
      h("button", { type: "submit" }, t("search")),
      h("small", {}, t("localTime")),
    ),
    results,
  );
  await run();
};

const replies: View = async (root) => {
  const phone = input("phone", { type: "tel" });
  const from = input("from", { type: "datetime-local" });
  const to = input("to", { type: "datetime-local" });
  const results = h("div", {});
  const run = async () => {
    results.replaceChildren();
    const q = qs({ phone: phone.value.trim(), from: instant(from.value), to: instant(to.value) });
    results.append(
      exportButton(() => exportServerCsv(`/v1/replies?${q}&limit=100`, "replies.csv")),
    );
    await pager(
      results,
      async (cursor) => {
        const b = await get(
          `/v1/replies?${q}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        );
        return { rows: b.replies, cursor: b.cursor };
      },
      (rows) =>
        table(
          [
            ["receivedAt", (r: Json) => time(r.receivedAt)],
            ["phone", (r) => r.phone],
            ["sign", (r) => r.sign],
            ["text", (r) => r.text],
            ["optedOut", (r) => (r.optedOut ? "✓" : "")],
          ],
          rows,
          "replies",
        ),
    );
  };
  root.append(
    h(
      "form",
      {
        class: "bar",
        onsubmit: (e: Event) => {
          e.preventDefault();
          run().catch(fail);
        },
      },
      field("phone", phone),
      field("from", from),
      field("to", to),
      h("button", { type: "submit" }, t("search")),
    ),
    results,
  );
  await run();
};

const lines = (v: string) =>
  v
    .split(/[\n,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Runs one request per number and reports how many were accepted. */
async function each(phones: string[], op: (p: string) => Promise<unknown>) {
  let ok = 0;
  let bad = 0;
  const errors: string[] = [];
  for (const p of phones) {
    try {
      await op(p);
      ok++;
    } catch (e) {
      bad++;
      errors.push(`${p}: ${(e as Error).message}`);
    }
  }
  notice([t("done", { ok, bad }), ...errors].join(" · "), bad ? "error" : "ok");
}

const optOuts: View = async (root) => {
  const list = await get(appPath("/opt-outs?limit=500"));
  const rows = (list.optOuts as Json[]).flatMap((o) =>
    (o.optOuts as Json[]).map((e) => ({ phone: o.phone, ...e })),
  );
  const adds = h("textarea", { name: "add", id: "f-add", rows: 3 }) as HTMLTextAreaElement;
  const removes = h("textarea", { name: "remove", id: "f-remove", rows: 3 }) as HTMLTextAreaElement;
  const sign = input("sign", { placeholder: "*" });
  const note = input("note");
  const consent = input("consent", { type: "checkbox" });
  const search = input("phone", { type: "tel" });
  const found = h("div", {});
  root.append(
    h(
      "form",
      {
        class: "bar",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          try {
            const o = await get(appPath(`/opt-outs/${encodeURIComponent(search.value.trim())}`));
            found.replaceChildren(
              table(
                [
                  ["sign", (r: Json) => r.sign],
                  ["reason", (r) => r.reason],
                  ["at", (r) => time(r.at)],
                ],
                o.optOuts,
                "optout-found",
              ),
            );
          } catch (err) {
            found.replaceChildren(h("p", { class: "empty" }, (err as Error).message));
          }
        },
      },
      field("phone", search),
      h("button", { type: "submit" }, t("search")),
    ),
    found,
    h(
      "form",
      {
        class: "bar",
        id: "optout-add",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          await each(lines(adds.value), (phone) =>
            call("POST", appPath("/opt-outs"), {
              phone,
              consent: consent.checked,
              ...(sign.value.trim() ? { sign: sign.value.trim() } : {}),
              ...(note.value.trim() ? { note: note.value.trim() } : {}),
            }),
          );
          rerenderKeepingNotice("optOuts");
        },
      },
      field("bulkAdd", adds),
      field("sign", sign),
      field("note", note),
      h("label", { class: "check" }, consent, t("consent")),
      h("button", { type: "submit" }, t("add")),
    ),
    h(
      "form",
      {
        class: "bar",
        id: "optout-remove",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          await each(lines(removes.value), (phone) =>
            call("DELETE", appPath(`/opt-outs/${encodeURIComponent(phone)}`)),
          );
          rerenderKeepingNotice("optOuts");
        },
      },
      field("bulkRemove", removes),
      h("button", { type: "submit" }, t("remove")),
    ),
    exportButton(() => download(toCsv(["phone", "sign", "reason", "at"], rows), "opt-outs.csv")),
    table(
      [
        ["phone", (r: Json) => r.phone],
        ["sign", (r) => r.sign],
        ["reason", (r) => r.reason],
        ["at", (r) => time(r.at)],
        removeColumn(
          (r) => `/opt-outs/${encodeURIComponent(r.phone)}?sign=${encodeURIComponent(r.sign)}`,
          "optOuts",
        ),
      ],
      rows,
      "optouts",
    ),
  );
};

const whitelist: View = async (root) => {
  const list = await get(appPath("/whitelist"));
  const adds = h("textarea", { name: "add", rows: 3 }) as HTMLTextAreaElement;
  root.append(
    h(
      "form",
      {
        class: "bar",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          await each(lines(adds.value), (p) =>
            call("PUT", appPath(`/whitelist/${encodeURIComponent(p)}`)),
          );
          rerenderKeepingNotice("whitelist");
        },
      },
      field("bulkAdd", adds),
      h("button", { type: "submit" }, t("add")),
    ),
    exportButton(() => download(toCsv(["phone", "addedAt"], list.whitelist), "whitelist.csv")),
    table(
      [
        ["phone", (r: Json) => r.phone],
        ["at", (r) => time(r.addedAt)],
        removeColumn((r) => `/whitelist/${encodeURIComponent(r.phone)}`, "whitelist"),
      ],
      list.whitelist,
      "whitelist",
    ),
  );
};

const templates: View = async (root) => {
  const sign = input("sign");
  root.append(
    exportButton(() =>
      download(toCsv(["id", "kind", "region", "body"], app.templates ?? []), "templates.csv"),
    ),
    table(
      [
        ["id", (r: Json) => r.id],
        ["kind", (r) => r.kind],
        ["region", (r) => r.region],
        ["body", (r) => r.body],
      ],
      app.templates ?? [],
      "templates",
    ),
    h("h3", {}, t("signatures")),
    table([["sign", (s: string) => s]], app.signatures ?? [], "signatures"),
    h(
      "form",
      {
        class: "bar",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          await each([sign.value.trim()], (s) =>
            call("PUT", appPath(`/signatures/${encodeURIComponent(s)}`)),
          );
          await loadApp(app.appId);
          rerenderKeepingNotice("templates");
        },
      },
      field("sign", sign),
      h("button", { type: "submit" }, t("approve")),
    ),
  );
};

const alerts: View = async (root) => {
  const [contacts, history] = await Promise.all([
    get(appPath("/contacts")),
    get(appPath("/alerts")),
  ]);
  const id = input("id");
  const name = input("name");
  const phone = input("phone", { type: "tel" });
  const events = ["overVolume", "limitReached", "packageBalance", "antiFraud", "frequencyLimit"];
  const boxes = events.map((e) => input(`ev-${e}`, { type: "checkbox", value: e, checked: true }));
  root.append(
    h("h3", {}, t("contacts")),
    table(
      [
        ["id", (r: Json) => r.id],
        ["name", (r) => r.name],
        ["phone", (r) => r.phone],
        ["events", (r) => (r.events as string[]).join(", ")],
        removeColumn((r) => `/contacts/${encodeURIComponent(r.id)}`, "alerts"),
      ],
      contacts.contacts,
      "contacts",
    ),
    h(
      "form",
      {
        class: "bar",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          await each([id.value.trim()], (x) =>
            call("PUT", appPath(`/contacts/${encodeURIComponent(x)}`), {
              name: name.value.trim(),
              phone: phone.value.trim(),
              events: boxes.filter((b) => b.checked).map((b) => b.value),
            }),
          );
          rerenderKeepingNotice("alerts");
        },
      },
      field("id", id),
      field("name", name),
      field("phone", phone),
      ...boxes.map((b) => h("label", { class: "check" }, b, b.value)),
      h("button", { type: "submit" }, t("save")),
    ),
    h("h3", {}, t("history")),
    exportButton(() =>
      download(toCsv(["at", "event", "subject", "value"], history.alerts), "alerts.csv"),
    ),
    table(
      [
        ["at", (r: Json) => time(r.at)],
        ["events", (r) => r.event],
        ["subject", (r) => r.subject],
        ["value", (r) => r.value],
      ],
      history.alerts,
      "alert-history",
    ),
  );
};

const pkg: View = async (root) => {
  const p = await get(appPath("/package"));
  const dom = input("domestic", {
    type: "number",
    min: 0,
    value: p.purchased?.domestic?.segments ?? "",
  });
  const below = input("alertBelow", {
    type: "number",
    min: 0,
    value: p.purchased?.domestic?.alertBelow ?? "",
  });
  const intl = input("international", {
    type: "number",
    min: 0,
    value: p.purchased?.international?.amount ?? "",
  });
  root.append(
    h(
      "div",
      { class: "cards" },
      card("domestic", "domestic", p.remaining?.domestic ?? "—"),
      card("international", "international", p.remaining?.international ?? "—"),
    ),
    h(
      "form",
      {
        class: "bar",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const body: Json = {};
          if (dom.value)
            body.domestic = {
              segments: Number(dom.value),
              ...(below.value ? { alertBelow: Number(below.value) } : {}),
            };
          if (intl.value) body.international = { amount: Number(intl.value) };
          await each(["package"], () => call("PUT", appPath("/package"), body));
          rerenderKeepingNotice("package");
        },
      },
      field("domestic", dom),
      field("alertBelow", below),
      field("international", intl),
      h("button", { type: "submit" }, t("save")),
    ),
  );
};

const keysView: View = async (root) => {
  const list = await get(appPath("/keys"));
  const scopes = ["send", "read", "admin"].map((s) =>
    input(`scope-${s}`, { type: "checkbox", value: s, checked: s === "read" }),
  );
  const shown = h("div", {});
  root.append(
    table(
      [
        ["id", (r: Json) => r.id],
        ["scopes", (r) => (r.scopes as string[]).join(", ")],
        ["created", (r) => time(r.createdAt)],
        removeColumn((r) => `/keys/${r.id}`, "keys", "revoke"),
      ],
      list.keys,
      "keys",
    ),
    h(
      "form",
      {
        class: "bar",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          try {
            const { body } = await call("POST", appPath("/keys"), {
              scopes: scopes.filter((s) => s.checked).map((s) => s.value),
            });
            shown.replaceChildren(
              h("p", { class: "notice ok" }, t("shownOnce"), " ", h("code", {}, body.key)),
            );
          } catch (err) {
            fail(err);
          }
        },
      },
      ...scopes.map((s) => h("label", { class: "check" }, s, s.value)),
      h("button", { type: "submit" }, t("create")),
    ),
    shown,
  );
};

/** A campaign's counters, as GET /v1/campaigns/{id} names them (the CSV export's columns). */
const COUNT_KEYS = [
  "pending",
  "submitted",
  "rejected",
  "failed",
  "unknown",
  "delivered",
  "undelivered",
];

/** Campaign actions by status; every one is POST /v1/campaigns/{id}/<action>. */
function campaignActions(c: Json): ("start" | "pause" | "resume" | "cancel")[] {
  switch (c.status) {
    case "draft":
      return c.total > 0 ? ["start", "cancel"] : ["cancel"];
    case "scheduled":
    case "running":
      return ["pause", "cancel"];
    case "paused":
      // Paused for the marketing window: it resumes by itself, the API refuses `resume`.
      return c.pauseReason === "user" ? ["resume", "cancel"] : ["pause", "cancel"];
    default:
      return [];
  }
}

const campaignStatus = (c: Json) => {
  const label = isLabel(`cs_${c.status}`) ? t(`cs_${c.status}` as Label) : String(c.status);
  return c.status === "paused" && c.pauseReason === "marketingWindow"
    ? `${label} (${t("cs_marketingWindow")})`
    : label;
};

const campaigns: View = async (root) => {
  // Only an app's own key sends (the API refuses campaign actions with the operator key).
  const canAct = ownApp(sessionStorage.getItem(KEY) ?? "") !== undefined;
  let rows: Json[] = [];
  let refreshes = 0;
  const body = h("div", { id: "campaigns-list" });
  const count = (c: Json, k: string): number => c.counts?.[k] ?? 0;
  const done = (c: Json) =>
    ["submitted", "rejected", "failed", "unknown"].reduce((a, k) => a + count(c, k), 0);
  const act = async (button: HTMLButtonElement, c: Json, action: string) => {
    button.disabled = true;
    try {
      await call("POST", `/v1/campaigns/${encodeURIComponent(c.id)}/${action}`, {});
      await refresh();
    } catch (err) {
      button.disabled = false;
      fail(err);
    }
  };
  const actions = (c: Json) =>
    h(
      "span",
      { class: "actions" },
      ...campaignActions(c).map((a) => {
        const b = h("button", { type: "button", class: "small", "data-action": a }, t(a));
        b.addEventListener("click", () => act(b as HTMLButtonElement, c, a));
        return b;
      }),
    );
  // Fetched first, then swapped in: the table never blanks between refreshes. A button's
  // refresh may overlap the timer's: an answer older than the one shown is dropped.
  let asked = 0;
  let shown = 0;
  const refresh = async () => {
    const ticket = ++asked;
    const list = await get(`/v1/campaigns?${qs({})}`);
    if (ticket < shown) return;
    shown = ticket;
    rows = list.campaigns ?? [];
    body.replaceChildren(
      table(
        [
          ["name", (c: Json) => c.name],
          ["status", (c) => h("span", { "data-status": c.status }, campaignStatus(c))],
          ["total", (c) => c.total],
          [
            "progress",
            (c) =>
              h(
                "span",
                { class: "progress", "data-done": done(c), "data-total": c.total },
                h("progress", { max: c.total || 1, value: done(c) }),
                ` ${done(c)} / ${c.total}`,
              ),
          ],
          ["submitted", (c) => h("span", { "data-count": "submitted" }, count(c, "submitted"))],
          ["rejected", (c) => h("span", { "data-count": "rejected" }, count(c, "rejected"))],
          ["failed", (c) => h("span", { "data-count": "failed" }, count(c, "failed"))],
          ["delivered", (c) => count(c, "delivered")],
          ...(canAct ? [["", actions] as [string, (c: Json) => Child]] : []),
        ],
        rows,
        "campaigns",
      ),
    );
    for (const [i, tr] of body.querySelectorAll("tbody tr").entries())
      (tr as HTMLElement).dataset.campaign = rows[i]?.id;
    body.dataset.refreshes = String(++refreshes);
  };
  root.append(
    exportButton(() =>
      download(
        toCsv(
          ["id", "name", "status", "total", ...COUNT_KEYS],
          rows.map((c) => ({
            ...c,
            ...Object.fromEntries(COUNT_KEYS.map((k) => [k, count(c, k)])),
          })),
        ),
        "campaigns.csv",
      ),
    ),
    body,
  );
  await refresh();
  // Live progress: the list refreshes itself every 2 s while the view is open.
  const tick = () => {
    timer = window.setTimeout(async () => {
      if (!root.isConnected) return;
      await refresh().catch((err) => root.isConnected && fail(err));
      if (root.isConnected) tick();
    }, 2000);
  };
  tick();
};

const VIEWS: Record<string, View> = {
  overview,
  failures,
  receipts,
  countries,
  verification,
  records,
  replies,
  optOuts,
  whitelist,
  templates,
  alerts,
  package: pkg,
  keys: keysView,
  campaigns,
};

// --- shell -------------------------------------------------------------------------------

let current = "overview";
let campaignsAvailable = false;

function fail(err: unknown) {
  if (err instanceof ApiError && err.status === 401) {
    signOut();
    return;
  }
  notice(err instanceof Error ? err.message : String(err));
}

/** A table column of small buttons that DELETE the row's resource, then redraw `view`. */
function removeColumn(
  path: (r: Json) => string,
  view: string,
  label: Parameters<typeof t>[0] = "remove",
): [string, (r: Json) => Node] {
  return [
    "",
    (r) =>
      h(
        "button",
        {
          type: "button",
          class: "small",
          onclick: async () => {
            await each([path(r)], (x) => call("DELETE", appPath(x)));
            rerenderKeepingNotice(view);
          },
        },
        t(label),
      ),
  ];
}

function rerenderKeepingNotice(view: string) {
  show(view, true).catch(fail);
}

async function show(view: string, keepNotice = false) {
  if (!VIEWS[view] || (view === "campaigns" && !campaignsAvailable)) view = "overview";
  current = view;
  if (timer) clearTimeout(timer);
  for (const c of charts) c.destroy();
  charts = [];
  if (!keepNotice) $("#notices").replaceChildren();
  for (const a of document.querySelectorAll("nav a"))
    a.classList.toggle("on", (a as HTMLElement).dataset.view === view);
  const root = h("section", { id: `view-${view}`, class: "view" }, h("h2", {}, t(view as Label)));
  $("#view").replaceChildren(root);
  history.replaceState(null, "", `#${view}`);
  try {
    await VIEWS[view]?.(root);
    root.dataset.ready = "true";
  } catch (err) {
    fail(err);
  }
}

async function loadApp(appId: string) {
  const [a, tpls] = await Promise.all([
    get(`/v1/apps/${encodeURIComponent(appId)}`),
    get(`/v1/apps/${encodeURIComponent(appId)}/templates`),
  ]);
  app = { ...a, templates: tpls.templates };
}

function signOut() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(APP);
  app = undefined;
  renderSignIn();
}

function renderSignIn(message?: string) {
  const key = input("key", { type: "password", autocomplete: "off", required: true });
  document.body.replaceChildren(
    h(
      "main",
      { class: "signin" },
      h("h1", {}, t("title")),
      langToggle(),
      h(
        "form",
        {
          id: "signin",
          onsubmit: async (e: Event) => {
            e.preventDefault();
            sessionStorage.setItem(KEY, key.value.trim());
            try {
              await start();
            } catch (err) {
              sessionStorage.removeItem(KEY);
              renderSignIn((err as Error).message);
            }
          },
        },
        field("keyLabel", key),
        h("small", {}, t("keyHint")),
        h("button", { type: "submit" }, t("signIn")),
      ),
      message && h("p", { class: "notice error", role: "alert" }, message),
    ),
  );
  key.focus();
}

function langToggle() {
  return h(
    "button",
    {
      type: "button",
      class: "lang",
      id: "lang",
      onclick: () => {
        lang = lang === "zh" ? "en" : "zh";
        localStorage.setItem("smsgate.lang", lang);
        t = translator(lang);
        document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
        if (app) renderShell().then(() => show(current), fail);
        else renderSignIn();
      },
    },
    lang === "zh" ? "English" : "中文",
  );
}

async function renderShell() {
  const apps = await get("/v1/apps");
  const list: Json[] = apps.apps ?? [];
  const picker = select(
    "app",
    list.map((a): [string, string] => [a.appId, `${a.name} (${a.appId.slice(-6)})`]),
    app.appId,
  );
  picker.addEventListener("change", async () => {
    sessionStorage.setItem(APP, picker.value);
    await loadApp(picker.value);
    await show(current);
  });
  campaignsAvailable = await call("GET", `/v1/campaigns?${qs({})}`).then(
    () => true,
    () => false,
  );
  const names = Object.keys(VIEWS).filter((v) => v !== "campaigns" || campaignsAvailable);
  document.body.replaceChildren(
    h(
      "header",
      {},
      h("h1", {}, t("title")),
      field("app", picker),
      langToggle(),
      h("button", { type: "button", id: "signout", onclick: signOut }, t("signOut")),
    ),
    h(
      "nav",
      {},
      ...names.map((v) =>
        h(
          "a",
          {
            href: `#${v}`,
            "data-view": v,
            onclick: (e: Event) => {
              e.preventDefault();
              show(v).catch(fail);
            },
          },
          t(v as Label),
        ),
      ),
    ),
    h("div", { id: "notices" }),
    h("main", { id: "view" }),
  );
}

/** The app an app key names (sgk_<appId>_…); undefined for the operator key. */
const ownApp = (key: string) => /^sgk_([0-9A-Z]{26})_/.exec(key)?.[1];

async function start() {
  const key = sessionStorage.getItem(KEY);
  if (!key) return renderSignIn();
  // An app key names its app; the operator picks one, remembered in the tab.
  const own = ownApp(key);
  let appId = own ?? sessionStorage.getItem(APP) ?? "";
  if (!appId) {
    const apps = await get("/v1/apps");
    appId = apps.apps?.[0]?.appId ?? "";
    if (!appId) throw new Error(t("chooseApp"));
  }
  sessionStorage.setItem(APP, appId);
  await loadApp(appId);
  await renderShell();
  await show(location.hash.slice(1) || "overview");
}

document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
start().catch((err) => {
  sessionStorage.removeItem(KEY);
  renderSignIn((err as Error).message);
});
