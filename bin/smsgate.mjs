#!/usr/bin/env node
// smsgate CLI: the operator's console in a terminal. Plain Node (no build step, no
// dependencies); it only speaks the HTTP API, so it works against any deployment.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

const CONFIG = process.env.SMSGATE_CONFIG ?? join(homedir(), ".config", "smsgate", "config.json");

const HELP = `smsgate — operate an smsgate deployment

  smsgate configure --url <apiUrl> --key <apiKey> [--app <appId>]   save once (${CONFIG})
  smsgate apps [list]                                 list apps (operator key)
  smsgate apps create --name <n> [--provider tencent|huawei] [--sign <s>] [--sdk-app-id <id>]
  smsgate apps show [--app <id>]
  smsgate apps set [--app <id>] --json '<settings>'   PATCH settings (thresholds, frequency, …)
  smsgate templates [list] [--app <id>]
  smsgate templates put <id> --kind <k> --region <r> --body <text> [--tencent-id <id>] [--huawei-id <id>]
  smsgate keys [list] | keys create --scopes send,read | keys revoke <keyId>
  smsgate send --to <n>[,<n>…] --template <id> [--params a,b] [--sign <s>] [--dry-run] [--key <appKey>]
  smsgate messages --phone <n> [--limit 20] [--cursor c]
  smsgate stats --from YYYY-MM-DD --to YYYY-MM-DD [--group-by day|template|country]
  smsgate optouts [list] | optouts add <phone> [--sign s] --consent | optouts remove <phone> [--sign s]
  smsgate contacts [list] | contacts put <id> --name <n> --phone <p> --events overVolume,limitReached | contacts remove <id>

Every command takes --url, --key and --app to override the saved ones; --json prints raw JSON.
`;

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string" },
    key: { type: "string" },
    app: { type: "string" },
    json: { type: "string" },
    name: { type: "string" },
    provider: { type: "string" },
    sign: { type: "string" },
    "sdk-app-id": { type: "string" },
    kind: { type: "string" },
    region: { type: "string" },
    body: { type: "string" },
    "tencent-id": { type: "string" },
    "huawei-id": { type: "string" },
    scopes: { type: "string" },
    to: { type: "string" },
    template: { type: "string" },
    params: { type: "string" },
    "dry-run": { type: "boolean" },
    phone: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    from: { type: "string" },
    "group-by": { type: "string" },
    consent: { type: "boolean" },
    events: { type: "string" },
    email: { type: "string" },
    raw: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

const saved = existsSync(CONFIG) ? JSON.parse(readFileSync(CONFIG, "utf8")) : {};
const url = (o.url ?? process.env.SMSGATE_URL ?? saved.url ?? "").replace(/\/$/, "");
const key = o.key ?? process.env.SMSGATE_KEY ?? saved.key;
const appId = () =>
  o.app ?? saved.app ?? fail("name the app with --app (or save one with configure --app)");

function fail(message) {
  console.error(`smsgate: ${message}`);
  process.exit(1);
}

async function api(method, path, body) {
  if (!url || !key) fail("run `smsgate configure --url <apiUrl> --key <key>` first");
  let res;
  try {
    res = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    fail(`cannot reach ${url}: ${err.cause?.code ?? err.message}`);
  }
  const text = await res.text();
  const data = text ? JSON.parse(text) : {};
  if (!res.ok)
    fail(data.error ? `${data.error.code}: ${data.error.message}` : `HTTP ${res.status}`);
  return data;
}

function table(rows, columns) {
  if (rows.length === 0) return console.log("(none)");
  const cell = (r, c) =>
    r[c] === undefined || r[c] === null
      ? ""
      : typeof r[c] === "object"
        ? JSON.stringify(r[c])
        : String(r[c]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  console.log(columns.map((c, i) => c.padEnd(widths[i])).join("  "));
  for (const r of rows) console.log(columns.map((c, i) => cell(r, c).padEnd(widths[i])).join("  "));
}

const show = (data, rows, columns) =>
  o.raw ? console.log(JSON.stringify(data, null, 2)) : table(rows, columns);
const pct = (x) => (x === null || x === undefined ? "-" : `${(x * 100).toFixed(1)}%`);
const list = (s) =>
  s
    ? s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
    : [];
const q = (params) =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined)).toString();

const [command, sub, arg] = positionals;
if (!command || o.help) {
  console.log(HELP);
  process.exit(command ? 0 : 1);
}

switch (command) {
  case "configure": {
    if (!o.url || !o.key) fail("configure needs --url and --key");
    mkdirSync(dirname(CONFIG), { recursive: true });
    writeFileSync(
      CONFIG,
      `${JSON.stringify({ url: o.url.replace(/\/$/, ""), key: o.key, ...(o.app ? { app: o.app } : {}) }, null, 2)}\n`,
      { mode: 0o600 },
    );
    console.log(`saved to ${CONFIG}`);
    break;
  }
  case "apps": {
    if (!sub || sub === "list") {
      const data = await api("GET", "/v1/apps");
      show(data, data.apps, ["appId", "name", "enabled", "defaultSign", "timeZone"]);
    } else if (sub === "create") {
      if (!o.name) fail("apps create needs --name");
      const provider = o.provider ?? "tencent";
      const data = await api("POST", "/v1/apps", {
        name: o.name,
        providers: [{ provider, ...(o["sdk-app-id"] ? { sdkAppId: o["sdk-app-id"] } : {}) }],
        ...(o.sign ? { defaultSign: o.sign } : {}),
      });
      console.log(`app     ${data.app.appId}\napi key ${data.apiKey}   (shown once: keep it)`);
      console.log(
        `status callback URL (paste into the ${provider} console): ${data.callbackUrls[provider].status}`,
      );
      console.log(
        `reply callback URL:                                       ${data.callbackUrls[provider].reply}`,
      );
    } else if (sub === "show") {
      console.log(JSON.stringify(await api("GET", `/v1/apps/${appId()}`), null, 2));
    } else if (sub === "set") {
      if (!o.json) fail("apps set needs --json '<settings>'");
      console.log(
        JSON.stringify(await api("PATCH", `/v1/apps/${appId()}`, JSON.parse(o.json)), null, 2),
      );
    } else fail(`unknown: apps ${sub}`);
    break;
  }
  case "templates": {
    if (!sub || sub === "list") {
      const data = await api("GET", `/v1/apps/${appId()}/templates`);
      show(data, data.templates, ["id", "kind", "region", "variables", "body"]);
    } else if (sub === "put") {
      if (!arg || !o.kind || !o.region || !o.body)
        fail("templates put <id> needs --kind, --region and --body");
      const ids = {
        ...(o["tencent-id"] ? { tencent: o["tencent-id"] } : {}),
        ...(o["huawei-id"] ? { huawei: o["huawei-id"] } : {}),
      };
      const t = await api("PUT", `/v1/apps/${appId()}/templates/${encodeURIComponent(arg)}`, {
        kind: o.kind,
        region: o.region,
        body: o.body,
        providerTemplateIds: ids,
      });
      console.log(`template ${t.id} saved (${t.variables} variables)`);
    } else fail(`unknown: templates ${sub}`);
    break;
  }
  case "keys": {
    if (!sub || sub === "list") {
      const data = await api("GET", `/v1/apps/${appId()}/keys`);
      show(data, data.keys, ["id", "scopes", "createdAt"]);
    } else if (sub === "create") {
      const k = await api("POST", `/v1/apps/${appId()}/keys`, {
        scopes: list(o.scopes ?? "send,read"),
      });
      console.log(`key ${k.id} ${k.key}   (shown once: keep it)`);
    } else if (sub === "revoke") {
      if (!arg) fail("keys revoke <keyId>");
      await api("DELETE", `/v1/apps/${appId()}/keys/${arg}`);
      console.log(`key ${arg} revoked`);
    } else fail(`unknown: keys ${sub}`);
    break;
  }
  case "send": {
    if (!o.to || !o.template) fail("send needs --to and --template");
    const data = await api("POST", "/v1/messages", {
      to: list(o.to),
      template: o.template,
      params: list(o.params),
      ...(o.sign ? { sign: o.sign } : {}),
      ...(o["dry-run"] ? { dryRun: true } : {}),
    });
    show(data, data.messages, ["to", "status", "code", "segments", "id"]);
    break;
  }
  case "messages": {
    if (!o.phone) fail("messages needs --phone");
    const data = await api(
      "GET",
      `/v1/messages?${q({ phone: o.phone, limit: o.limit, cursor: o.cursor, appId: o.app })}`,
    );
    show(data, data.messages, [
      "createdAt",
      "id",
      "template",
      "status",
      "code",
      "segments",
      "carrierCode",
    ]);
    if (data.cursor && !o.raw) console.log(`more: --cursor ${data.cursor}`);
    break;
  }
  case "stats": {
    if (!o.from || !o.to) fail("stats needs --from and --to (YYYY-MM-DD)");
    const groupBy = o["group-by"] ?? "day";
    const data = await api(
      "GET",
      `/v1/stats?${q({ from: o.from, to: o.to, groupBy, appId: o.app })}`,
    );
    const rows = [...data.groups, { ...data.total, [groupBy]: "total" }].map((g) => ({
      ...g,
      successRate: pct(g.successRate),
      receiptRate: pct(g.receiptRate),
      deliveryRate: pct(g.deliveryRate),
      failures: Object.entries(g.failures ?? {})
        .map(([c, n]) => `${c}×${n}`)
        .join(" "),
    }));
    show(data, rows, [
      groupBy,
      "requests",
      "submitted",
      "rejected",
      "failed",
      "segments",
      "successRate",
      "delivered",
      "undelivered",
      "receiptRate",
      "deliveryRate",
      "failures",
    ]);
    break;
  }
  case "optouts": {
    if (!sub || sub === "list") {
      const data = await api("GET", `/v1/apps/${appId()}/opt-outs`);
      show(
        data,
        data.optOuts.flatMap((x) => x.optOuts.map((e) => ({ phone: x.phone, ...e }))),
        ["phone", "sign", "reason", "at", "detail"],
      );
    } else if (sub === "add") {
      if (!arg || !o.consent)
        fail("optouts add <phone> needs --consent (the number's owner asked for it)");
      await api("POST", `/v1/apps/${appId()}/opt-outs`, {
        phone: arg,
        consent: true,
        ...(o.sign ? { sign: o.sign } : {}),
      });
      console.log(`${arg} opted out`);
    } else if (sub === "remove") {
      if (!arg) fail("optouts remove <phone>");
      await api(
        "DELETE",
        `/v1/apps/${appId()}/opt-outs/${encodeURIComponent(arg)}${o.sign ? `?sign=${encodeURIComponent(o.sign)}` : ""}`,
      );
      console.log(`${arg} opted back in`);
    } else fail(`unknown: optouts ${sub}`);
    break;
  }
  case "contacts": {
    if (!sub || sub === "list") {
      const data = await api("GET", `/v1/apps/${appId()}/contacts`);
      show(data, data.contacts, ["id", "name", "phone", "email", "events"]);
    } else if (sub === "put") {
      if (!arg || !o.name || !o.phone || !o.events)
        fail("contacts put <id> needs --name, --phone and --events");
      await api("PUT", `/v1/apps/${appId()}/contacts/${encodeURIComponent(arg)}`, {
        name: o.name,
        phone: o.phone,
        events: list(o.events),
        ...(o.email ? { email: o.email } : {}),
      });
      console.log(`contact ${arg} saved`);
    } else if (sub === "remove") {
      if (!arg) fail("contacts remove <id>");
      await api("DELETE", `/v1/apps/${appId()}/contacts/${encodeURIComponent(arg)}`);
      console.log(`contact ${arg} removed`);
    } else fail(`unknown: contacts ${sub}`);
    break;
  }
  default:
    fail(`unknown command "${command}"; smsgate --help lists them`);
}
