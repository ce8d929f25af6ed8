// What every command module shares: the saved configuration, the HTTP client, the errors
// that map to exit codes, option parsers and the two output shapes (tables, key: value lines).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { InvalidArgumentError } from "commander";

// ---------------------------------------------------------------------------------------------
// Errors: each becomes one line on stderr and an exit code (see program.mjs).

/** The command line is wrong or incomplete (exit 2). */
export class UsageError extends Error {}

/** Something outside the API went wrong: network, a file, an unreadable answer (exit 1). */
export class CliError extends Error {}

/** The API answered with an error envelope (exit 1): printed as `error <code>: <message>`. */
export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration: a JSON file {url, key, app?, output?}; SMSGATE_URL, SMSGATE_KEY, SMSGATE_APP,
// SMSGATE_OUTPUT and the --url, --key, --app, --json flags override it (flag > env > file).

export const configPath = () =>
  process.env.SMSGATE_CONFIG || join(homedir(), ".config", "smsgate", "config.json");

export function readConfig() {
  const path = configPath();
  if (!existsSync(path)) return {};
  try {
    const saved = JSON.parse(readFileSync(path, "utf8"));
    return saved && typeof saved === "object" ? saved : {};
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${err.message}; run smsgate configure again`);
  }
}

export function writeConfig(config) {
  const path = configPath();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** App keys carry their app id (sgk_<appId>_<secret>), so an app key alone names its app. */
const appOfKey = (key) => /^sgk_([0-9A-Z]{26})_[A-Za-z0-9]+$/.exec(key ?? "")?.[1];

// ---------------------------------------------------------------------------------------------
// Context: what an action works with. `run` builds one per invocation.

export class Context {
  constructor(command) {
    let root = command;
    while (root.parent) root = root.parent;
    this.flags = root.opts();
    this.command = command;
  }

  get saved() {
    this._saved ??= readConfig();
    return this._saved;
  }

  /** --json (or the hidden --raw), SMSGATE_OUTPUT=json or "output": "json" in the file. */
  get json() {
    if (this.flags.json || this.flags.raw) return true;
    const output = process.env.SMSGATE_OUTPUT || this.saved.output;
    return output === "json";
  }

  get url() {
    return (this.flags.url ?? process.env.SMSGATE_URL ?? this.saved.url ?? "").replace(/\/+$/, "");
  }

  get key() {
    return this.flags.key ?? process.env.SMSGATE_KEY ?? this.saved.key;
  }

  /** The URL and key, or a usage error that says how to set them. */
  connection() {
    const { url, key } = this;
    if (!url || !key)
      throw new UsageError(
        "no API URL or key: run smsgate configure --url <apiUrl> --key <key> (or set SMSGATE_URL and SMSGATE_KEY)",
      );
    return { url, key };
  }

  /**
   * The app the command is about, or undefined (the operator key names none). An app key can
   * reach only its own app, so its app beats a saved one (e.g. saved with the operator key).
   */
  get app() {
    return this.flags.app ?? process.env.SMSGATE_APP ?? appOfKey(this.key) ?? this.saved.app;
  }

  /** The app, or a usage error that says how to name it. */
  appId(given) {
    this.connection();
    const app = given ?? this.app;
    if (!app) throw new UsageError("name the app with --app <appId> (or configure --app <appId>)");
    return app;
  }

  /** `/v1/apps/{appId}` followed by `suffix`. */
  appPath(suffix = "", given = undefined) {
    return `/v1/apps/${encodeURIComponent(this.appId(given))}${suffix}`;
  }

  /**
   * One API call. Resolves to the parsed JSON body ({} for 204); rejects with ApiError (the
   * error envelope), CliError (network, timeout, unreadable answer) or UsageError (no URL/key).
   */
  async api(method, path, { body, query, headers, raw, contentType } = {}) {
    const { url, key } = this.connection();
    const search = query ? queryString(query) : "";
    const seconds = Number(process.env.SMSGATE_TIMEOUT) || 30;
    let res;
    let text;
    try {
      res = await fetch(`${url}${path}${search ? `?${search}` : ""}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          // `raw`: a file sent as it is (campaign recipients: CSV or XLSX).
          ...(raw === undefined ? {} : { "content-type": contentType }),
          ...headers,
        },
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
        signal: AbortSignal.timeout(seconds * 1000),
      });
      text = await res.text();
    } catch (err) {
      if (err?.name === "TimeoutError")
        throw new CliError(`no answer from ${url} within ${seconds} s`);
      const cause = err?.cause;
      throw new CliError(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? err?.message}`);
    }
    let data;
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const e = data?.error;
      throw new ApiError(
        res.status,
        typeof e?.code === "string" ? e.code : `HTTP ${res.status}`,
        typeof e?.message === "string" ? e.message : oneLine(text).slice(0, 200) || res.statusText,
        data,
      );
    }
    if (data === undefined)
      throw new CliError(`${method} ${path}: the answer is not JSON (HTTP ${res.status})`);
    return data;
  }

  /** --json: the raw answer; otherwise `human()` prints the readable form. */
  print(data, human) {
    if (this.json) console.log(JSON.stringify(data, null, 2));
    else human();
  }
}

const queryString = (params) =>
  new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== null && v !== "")
      .map(([k, v]) => [k, String(v)]),
  ).toString();

/**
 * Wraps an action: `action(async (ctx, opts, ...args) => …)`, with ctx a Context, opts the
 * command's own options and args its declared arguments.
 */
export const action =
  (fn) =>
  async (...received) => {
    const command = received.pop();
    const opts = received.pop();
    const ctx = new Context(command);
    try {
      await fn(ctx, opts, ...received);
    } catch (err) {
      // --json: the error envelope too goes to stdout, as the API sent it (stderr has the line).
      if (err instanceof ApiError && err.body && jsonQuietly(ctx))
        console.log(JSON.stringify(err.body, null, 2));
      throw err;
    }
  };

const jsonQuietly = (ctx) => {
  try {
    return ctx.json;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------
// Option parsers (commander argParser functions; InvalidArgumentError exits 2).

/** "a,b" → ["a","b"] (trimmed, empties dropped). */
export const splitList = (s) =>
  String(s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** A repeatable option whose values may each be a comma list: --to a,b --to c → [a,b,c]. */
export const collectList = (value, previous = []) => [...previous, ...splitList(value)];

/** A repeatable option kept verbatim, in order: --param "a,b" --param c → ["a,b","c"]. */
export const collect = (value, previous = []) => [...previous, value];

export function wholeNumber(value) {
  const n = Number(value);
  if (!/^\d+$/.test(String(value).trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError("must be a whole number");
  return n;
}

/** JSON text → value, or a usage error naming where it came from. */
export function parseJson(text, where) {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where} is not valid JSON: ${err.message}`);
  }
}

/** A file's text (`-` reads standard input). */
export function readText(file) {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err.code ?? err.message}`);
  }
}

/**
 * key=value pairs into an object: dotted keys nest (thresholds.domestic.alert=1000); a value
 * that reads as JSON is taken as JSON (5, true, null, ["CN","US"], {"start":"08:00",…}),
 * anything else as a string.
 */
export function applySets(target, pairs) {
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new UsageError(`--set ${pair}: use key=value (e.g. timeZone=Asia/Shanghai)`);
    const path = pair.slice(0, eq).trim().split(".");
    const raw = pair.slice(eq + 1);
    let value = raw;
    try {
      value = JSON.parse(raw);
    } catch {}
    let at = target;
    for (const part of path.slice(0, -1)) {
      if (!part) throw new UsageError(`--set ${pair}: empty key segment`);
      if (at[part] === null || typeof at[part] !== "object" || Array.isArray(at[part]))
        at[part] = {};
      at = at[part];
    }
    at[path.at(-1)] = value;
  }
  return target;
}

// ---------------------------------------------------------------------------------------------
// Output

export const oneLine = (s) =>
  String(s ?? "")
    .replace(/\s*[\r\n]+\s*/g, " ")
    .trim();

/** A value as one table cell or one line's value. */
export function cell(v) {
  if (v === undefined || v === null) return "-";
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== "object")) {
      const parts = v.map((x) => String(x));
      return parts.some((p) => p.includes(",")) ? JSON.stringify(v) : parts.join(",");
    }
    return JSON.stringify(v);
  }
  if (typeof v === "object") return JSON.stringify(v);
  return String(v).replace(/\r?\n/g, "\\n");
}

// East Asian wide characters take two terminal columns (astral ones are already two units).
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g;
export const displayWidth = (s) => s.length + (s.match(WIDE)?.length ?? 0);
const pad = (s, width) => s + " ".repeat(Math.max(0, width - displayWidth(s)));

/**
 * Rows as an aligned table. `columns` are field names, or [header, row => value] pairs.
 * Prints `(none)` for no rows.
 */
export function table(rows, columns) {
  if (!rows || rows.length === 0) {
    console.log("(none)");
    return;
  }
  const cols = columns.map((c) => (Array.isArray(c) ? c : [c, (r) => r[c]]));
  const cells = rows.map((r) => cols.map(([, get]) => cell(get(r))));
  const widths = cols.map(([h], i) =>
    Math.max(displayWidth(h), ...cells.map((c) => displayWidth(c[i]))),
  );
  const line = (values) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : pad(v, widths[i])))
      .join("  ")
      .trimEnd();
  console.log(line(cols.map(([h]) => h)));
  for (const c of cells) console.log(line(c));
}

/** Nested objects as [dotted.key, value] pairs (the keys `apps update --set` takes). */
export function flatten(value, prefix = "", out = []) {
  for (const [k, v] of Object.entries(value ?? {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === undefined) continue;
    if (Array.isArray(v) && v.some((x) => x !== null && typeof x === "object")) {
      v.forEach((x, i) => {
        if (x !== null && typeof x === "object") flatten(x, `${key}.${i}`, out);
        else out.push([`${key}.${i}`, x]);
      });
    } else if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length)
      flatten(v, key, out);
    else out.push([key, v]);
  }
  return out;
}

/** An object as aligned `key: value` lines (nested keys dotted). */
export function fields(value) {
  const pairs = flatten(value);
  const width = Math.max(0, ...pairs.map(([k]) => k.length + 1));
  for (const [k, v] of pairs) console.log(`${`${k}:`.padEnd(width)} ${cell(v)}`.trimEnd());
}

export const percent = (x) => (x === null || x === undefined ? "-" : `${(x * 100).toFixed(1)}%`);

/**
 * GET a paged list: one page, or with `all` every page (following `cursor` until there is
 * none) merged into one answer of the same shape.
 */
export async function getPages(ctx, path, query, listKey, all) {
  const first = await ctx.api("GET", path, { query });
  if (!all) return first;
  const items = [...(first[listKey] ?? [])];
  const seen = new Set();
  let cursor = first.cursor;
  while (cursor && !seen.has(cursor)) {
    seen.add(cursor);
    const page = await ctx.api("GET", path, { query: { ...query, cursor } });
    items.push(...(page[listKey] ?? []));
    cursor = page.cursor;
  }
  return { ...first, [listKey]: items, cursor: undefined };
}

/** After a page: how to get the next one. */
export function moreHint(data) {
  if (data.cursor) console.log(`more: --cursor ${data.cursor}   (or --all)`);
}
