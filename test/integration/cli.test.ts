/**
 * The smsgate CLI (bin/smsgate.mjs) run as a child process against the local stack: help on
 * every command, exit codes and one-line errors, parameters with commas reaching the vendor
 * emulator intact, and one happy path per resource.
 */
import { execFile } from "node:child_process";
import {
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  newApp,
  routeTo,
  startTestStack,
  type TestApp,
  type TestStack,
  waitFor,
} from "../helpers/stack";

const BIN = join(import.meta.dirname, "../../bin/smsgate.mjs");
const home = mkdtempSync(join(tmpdir(), "smsgate-cli-test-"));
let s: TestStack;
let n = 0;
/** A fresh mainland number (never ending in 4: those are reported undelivered). */
const fresh = (): string => {
  const c = `+86135${String(++n).padStart(8, "0")}`;
  return c.endsWith("4") ? fresh() : c;
};
let files = 0;
const file = (name: string, text: string) => {
  const path = join(home, `${++files}-${name}`);
  writeFileSync(path, text);
  return path;
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; never rejects. `config` is the SMSGATE_CONFIG file (default: none saved). */
function cli(
  args: string[],
  opts: { env?: Record<string, string>; config?: string } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: {
          PATH: process.env.PATH ?? "",
          SMSGATE_CONFIG: opts.config ?? join(home, "nothing-saved.json"),
          ...opts.env,
        },
      },
      (err, stdout, stderr) =>
        resolve({
          code: err ? (typeof err.code === "number" ? err.code : -1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

/** The CLI with an app's key (through SMSGATE_URL and SMSGATE_KEY, the env overrides). */
const as =
  (app: { apiKey: string }) =>
  (...args: string[]) =>
    cli(args, { env: { SMSGATE_URL: s.apiUrl, SMSGATE_KEY: app.apiKey } });
/** The CLI with the operator key, naming the app with --app. */
const operator = (...args: string[]) => cli(["--url", s.apiUrl, "--key", s.adminKey, ...args]);

/** Succeeded (exit 0, nothing on stderr); its stdout. */
function ok(r: Run): string {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  return r.stdout;
}

/** Failed with `code`, one line on stderr and no stack trace; that line. */
function failed(r: Run, code: number): string {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return lines[0] ?? "";
}

const templateFlags = (body: string) => [
  "--kind",
  "notification",
  "--region",
  "domestic",
  "--body",
  body,
  "--tencent-id",
  "1000002",
];

beforeAll(async () => {
  s = await startTestStack();
});
afterAll(async () => {
  await s?.close();
  rmSync(home, { recursive: true, force: true });
});

describe("the command tree", () => {
  /** The commands a help page lists under "Commands:" (aliases and `help` left out). */
  const listed = (help: string): string[] => {
    const section = help.split(/^Commands:\n/m)[1];
    if (!section) return [];
    return section
      .split(/\n\s*\n/)[0]
      ?.split("\n")
      .map((l) => /^ {2}(\S+)/.exec(l)?.[1]?.split("|")[0])
      .filter((c): c is string => !!c && c !== "help") as string[];
  };

  it("answers --help with exit 0 and its own usage on every command and subcommand", async () => {
    const seen: string[] = [];
    const queue: string[][] = [[]];
    while (queue.length > 0) {
      const batch = queue.splice(0, 6); // a few at a time: the machine is shared
      const runs = await Promise.all(batch.map((path) => cli([...path, "--help"])));
      for (const [i, r] of runs.entries()) {
        const path = batch[i] ?? [];
        expect({ path, code: r.code, stderr: r.stderr }).toEqual({ path, code: 0, stderr: "" });
        const usage = r.stdout.split("\n")[0]?.replace(/\|\S+/g, "");
        expect(usage).toMatch(new RegExp(`^Usage: smsgate${path.map((p) => ` ${p}`).join("")} `));
        seen.push(path.join(" "));
        queue.push(...listed(r.stdout).map((c) => [...path, c]));
      }
    }
    expect(seen).toEqual(
      expect.arrayContaining([
        "",
        "configure",
        ...["apps", "apps list", "apps create", "apps show", "apps update"],
        ...["templates", "templates list", "templates put"],
        ...["signatures", "signatures list", "signatures put"],
        ...["keys", "keys list", "keys create", "keys revoke"],
        ...["whitelist", "whitelist list", "whitelist add", "whitelist remove"],
        ...["optouts", "optouts list", "optouts add", "optouts show", "optouts remove"],
        "optouts import",
        ...["contacts", "contacts list", "contacts put", "contacts remove"],
        ...["alerts", "alerts list", "package", "package show", "package set"],
        ...["send", "messages", "messages list", "messages show", "replies", "replies list"],
        "stats",
      ]),
    );
    // `help <command>`, -h and the alias answer the same way.
    expect(ok(await cli(["help", "send"]))).toMatch(/^Usage: smsgate send /);
    expect(ok(await cli(["optouts", "import", "-h"]))).toContain("--consent");
    expect(ok(await cli(["opt-outs", "--help"]))).toContain("import");
    // Global options are documented on every command; --raw stays hidden.
    const send = ok(await cli(["send", "--help"]));
    expect(send).toMatch(/--json/);
    expect(send).toMatch(/--param <value>/);
    expect(send).not.toMatch(/--raw/);
  }, 60_000);
});

describe("command-line errors exit 2 with one line", () => {
  it.each([
    [["send", "--bogus"], "unknown option '--bogus'"],
    [["send", "--tx", "1", "--template", "t"], "unknown option '--tx'"],
    [["apps", "list", "--nope"], "unknown option '--nope'"],
    [["--nope"], "unknown option '--nope'"],
    [["bogus"], "unknown command 'bogus'"],
    [["apps", "lst"], "unknown command 'lst'"],
    [["keys", "revoke"], "missing required argument 'keyId'"],
    [["keys", "revoke", "a", "b"], "too many arguments"],
    [["send", "--to", "+8613500000001"], "required option '--template <id>'"],
    [["stats", "--from", "2026-01-01", "--to", "2026-01-02", "--group-by", "week"], "week"],
    [["send", "--to", "1", "--template", "t", "--params-json", "[]", "--param", "x"], "cannot"],
    [["messages", "list", "--phone", "1", "--limit", "ten"], "whole number"],
  ])("%j", async (args, says) => {
    const r = await cli(args);
    const line = failed(r, 2);
    expect(line).toContain(says);
    expect(line).toMatch(/^error: /);
    expect(r.stdout).toBe("");
  });

  it("says what is missing when there is no URL, key or app", async () => {
    expect(failed(await cli(["templates", "list"]), 2)).toContain("smsgate configure");
    expect(failed(await operator("templates", "list"), 2)).toContain("--app");
    expect(
      failed(await cli(["send", "--to", "1", "--template", "t", "--params-json", "{"]), 2),
    ).toContain("--params-json");
  });
});

describe("API and network errors exit 1 with one line", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await newApp(s);
  });

  it("prints `error <code>: <message>` for an API error; --json also prints the envelope", async () => {
    const run = as(app);
    const r = await run("send", "--to", "12345", "--template", "login-code", "--params", "1,2");
    expect(failed(r, 1)).toMatch(/^error InvalidParameterValue\.IncorrectPhoneNumber: \S/);
    expect(r.stdout).toBe("");
    const missing = await run("apps", "show", "01ZZZZZZZZZZZZZZZZZZZZZZZZ");
    expect(failed(missing, 1)).toMatch(/^error ResourceNotFound: /);
    const incomplete = await run("templates", "put", "x", "--kind", "notification", "--region");
    failed(incomplete, 2); // --region lacks its value: the command line is wrong, not the API
    const asJson = await run("--json", "templates", "put", "bad id", ...templateFlags("{1}"));
    expect(failed(asJson, 1)).toMatch(/^error InvalidParameter: /);
    expect(JSON.parse(asJson.stdout).error.code).toBe("InvalidParameter");
  });

  it("prints one clean line when the API cannot be reached", async () => {
    const port = await closedPort();
    const r = await cli(["--url", `http://127.0.0.1:${port}`, "--key", "k", "apps", "list"]);
    expect(failed(r, 1)).toBe(`error: cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });
});

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("parameters with commas", () => {
  /** What the Tencent emulator received for a number (its control API). */
  const received = async (phone: string) => {
    const res = await fetch(`${s.tencent.url}/_control/messages`);
    const all = (await res.json()) as { phone: string; params: string[]; code: string }[];
    return all.filter((m) => m.phone === phone);
  };

  it("reach the vendor intact with --param (in order) and --params-json; --params still splits", async () => {
    const run = as(await newApp(s));
    const send = (to: string, ...flags: string[]) =>
      run("send", "--to", to, "--template", "order-shipped", ...flags);

    const a = fresh();
    expect(ok(await send(a, "--param", "SO-1,2", "--param", "明天, 下午"))).toMatch(
      /submitted\s+Ok/,
    );
    expect((await received(a)).map((m) => m.params)).toEqual([["SO-1,2", "明天, 下午"]]);

    const b = fresh();
    ok(await send(b, "--params-json", '["SO-3,4","后天"]'));
    expect((await received(b)).map((m) => m.params)).toEqual([["SO-3,4", "后天"]]);

    const c = fresh();
    ok(await send(c, "--params", "SO-5", "--param", "周一,周二"));
    expect((await received(c)).map((m) => m.params)).toEqual([["SO-5", "周一,周二"]]);

    const d = fresh();
    ok(await send(d, "--params", "SO-6,周三"));
    expect((await received(d)).map((m) => m.params)).toEqual([["SO-6", "周三"]]);
  });
});

describe("one happy path per resource", { timeout: 60_000 }, () => {
  it("configure: saves {url, key, app} (mode 600); flags beat the environment, which beats the file", async () => {
    const config = join(home, "configured.json");
    const saved = await cli(
      ["configure", "--url", `${s.apiUrl}/`, "--key", s.adminKey, "--app", s.demo.appId],
      { config },
    );
    expect(ok(saved)).toBe(`saved to ${config}\n`);
    expect(JSON.parse(readFileSync(config, "utf8"))).toEqual({
      url: s.apiUrl,
      key: s.adminKey,
      app: s.demo.appId,
    });
    expect(statSync(config).mode & 0o777).toBe(0o600);
    // The saved app is used with the operator key.
    expect(ok(await cli(["templates"], { config }))).toContain("login-code");
    const wrong = { SMSGATE_KEY: "sgk_wrong" };
    expect(failed(await cli(["apps"], { config, env: wrong }), 1)).toMatch(
      /^error AuthFailure\.InvalidApiKey: /,
    );
    expect(ok(await cli(["apps", "--key", s.adminKey], { config, env: wrong }))).toContain(
      s.demo.appId,
    );
    // An optional default output format, kept in the same file.
    const json = join(home, "json.json");
    ok(
      await cli(["configure", "--url", s.apiUrl, "--key", s.adminKey, "--output", "json"], {
        config: json,
      }),
    );
    expect(JSON.parse(ok(await cli(["apps"], { config: json }))).apps.length).toBeGreaterThan(0);
  });

  it("apps: create, list, show, update with --set and --file (and the old `apps set`)", async () => {
    const created = ok(
      await operator(
        ...["apps", "create", "--name", "cli apps", "--sign", "smsgate"],
        ...["--sdk-app-id", "1400000001", "--set", "timeZone=Asia/Tokyo"],
      ),
    );
    const appId = /^app\s+(\S+)/m.exec(created)?.[1] ?? "";
    const key = /^api key (\S+)/m.exec(created)?.[1] ?? "";
    expect(appId).toMatch(/^[0-9A-Z]{26}$/);
    expect(key).toContain(appId);
    expect(created).toContain(`/callbacks/tencent/status/`);

    const listed = ok(await operator("apps", "list"));
    expect(listed).toMatch(new RegExp(`${appId}\\s+cli apps\\s+true\\s+smsgate\\s+Asia/Tokyo`));

    const run = as({ apiKey: key }); // an app key names its own app: no --app needed
    const shown = ok(await run("apps", "show"));
    expect(shown).toMatch(/^timeZone:\s+Asia\/Tokyo$/m);
    expect(shown).toMatch(/^callbackUrls\.tencent\.reply:\s+http/m);

    const patch = file("patch.json", '{"marketingWindow":{"start":"09:00","end":"21:00"}}');
    const updated = ok(
      await operator(
        ...["apps", "update", appId, "--file", patch],
        ...["--set", "thresholds.domestic.alert=1000", "--set", 'allowedCountries=["CN","US"]'],
      ),
    );
    expect(updated).toContain(`app ${appId} updated`);
    expect(updated).toMatch(/^thresholds\.domestic\.alert:\s+1000$/m);
    const app = (await s.api("GET", `/v1/apps/${appId}`, { key })).body;
    expect(app.thresholds.domestic.alert).toBe(1000);
    expect(app.allowedCountries).toEqual(["CN", "US"]);
    expect(app.marketingWindow).toEqual({ start: "09:00", end: "21:00" });

    expect(failed(await run("apps", "update"), 2)).toContain("nothing to change");
    const legacy = await run("apps", "set", "--json", '{"timeZone":"Asia/Seoul"}');
    expect(JSON.parse(ok(legacy)).timeZone).toBe("Asia/Seoul");
    expect(JSON.parse(ok(await run("apps", "--raw"))).apps[0].timeZone).toBe("Asia/Seoul");
  });

  it("templates and signatures: put, list", async () => {
    const app = await newApp(s);
    const run = as(app);
    expect(ok(await run("templates", "put", "shipped-2", ...templateFlags("订单{1}已发货")))).toBe(
      "template shipped-2 saved (1 variables)\n",
    );
    expect(ok(await run("templates"))).toMatch(/shipped-2\s+notification\s+domestic\s+1\s+1000002/);
    // Approving a signature is the operator's.
    const approve = (name: string) => operator("--app", app.appId, "signatures", "put", name);
    expect(ok(await approve("签名二"))).toContain("approved: smsgate, 签名二");
    expect(ok(await run("signatures", "list"))).toMatch(/smsgate\s+yes\n签名二\n/);
    expect(failed(await approve("x"), 1)).toMatch(
      /^error FailedOperation\.SignatureIncorrectOrUnapproved: /,
    );
  });

  it("groups and campaigns: a group, a file in parts, start --wait, results", async () => {
    const app = await newApp(s);
    const run = as(app);
    const g = JSON.parse(ok(await run("--json", "groups", "create", "vip")));
    const [a, b] = [fresh(), fresh()];
    expect(ok(await run("groups", "add", g.id, a, b))).toBe("added 2; the group has 2\n");
    expect(ok(await run("groups"))).toMatch(new RegExp(`${g.id}\\s+vip\\s+2`));
    const rows = Array.from({ length: 30 }, () => fresh());
    const csv = file(
      "rows.csv",
      `phone,order,when\n${rows.map((p, i) => `${p},O${i},"d,${i}"`).join("\n")}\nnot-a-number,x,y\n`,
    );
    const created = ok(
      await run(
        "campaigns",
        "create",
        "--name",
        "promo",
        "--template",
        "order-shipped",
        "--file",
        csv,
      ),
    );
    expect(created).toContain("accepted 30, rejected 1; the campaign holds 30 (30 segments)");
    expect(created).toMatch(/32\s+InvalidParameterValue\.IncorrectPhoneNumber/);
    const id = /^id:\s+(\S+)/m.exec(created)?.[1] ?? "";
    expect(ok(await run("campaigns", "start", id, "--wait"))).toMatch(/^status:\s+completed$/m);
    const out = ok(await run("campaigns", "results", id, "--all", "--csv"));
    expect(out.split("\n").filter((l) => l.includes(",submitted,Ok,"))).toHaveLength(30);
    expect(out).toContain(`${rows[3]},submitted,Ok,`);
    expect(
      s.tencent.messages().find((m: { phone: string }) => m.phone === rows[3])?.params,
    ).toEqual(["O3", "d,3"]);
    const byGroup = ok(
      await run(
        "campaigns",
        "create",
        "--name",
        "g",
        "--template",
        "order-shipped",
        "--group",
        g.id,
        "--param",
        "1",
        "--param",
        "2",
      ),
    );
    expect(byGroup).toMatch(/^total:\s+2$/m);
  });

  it("keys: create with --scopes, list, revoke", async () => {
    const app = await newApp(s);
    const run = as(app);
    const created = ok(await run("keys", "create", "--scopes", "read"));
    const id = /^id\s+(\S+)/m.exec(created)?.[1] ?? "";
    const key = /^api key (\S+)/m.exec(created)?.[1] ?? "";
    expect(ok(await run("keys"))).toMatch(new RegExp(`${id}\\s+read\\s`));
    const reader = as({ apiKey: key });
    expect(ok(await reader("templates"))).toContain("login-code");
    expect(failed(await reader("send", "--to", fresh(), "--template", "login-code"), 1)).toMatch(
      /^error AuthFailure\.UnauthorizedOperation: /,
    );
    expect(ok(await run("keys", "revoke", id))).toBe(`key ${id} revoked\n`);
    expect(failed(await reader("templates"), 1)).toMatch(/^error AuthFailure\.InvalidApiKey: /);
  });

  it("whitelist: add, list, remove", async () => {
    const app = await newApp(s);
    const run = as(app);
    const [a, b] = [fresh(), fresh()];
    expect(ok(await run("whitelist", "add", a, b.slice(3)))).toBe(
      `${a} whitelisted\n${b} whitelisted\n`,
    );
    const listed = ok(await run("whitelist"));
    expect(listed).toContain(a);
    expect(listed).toContain(b);
    ok(await run("whitelist", "remove", a));
    const after = (await s.api("GET", `/v1/apps/${app.appId}/whitelist`, { key: app.apiKey })).body
      .whitelist;
    expect(after.map((w: { phone: string }) => w.phone)).toEqual([b]);
  });

  it("opt-outs: add (with --consent), list, show, remove", async () => {
    const run = as(await newApp(s));
    const to = fresh();
    expect(failed(await run("optouts", "add", to), 2)).toContain("--consent");
    expect(
      ok(await run("optouts", "add", to, "--consent", "--sign", "smsgate", "--note", "by phone")),
    ).toBe(`${to} opted out (smsgate)\n`);
    expect(ok(await run("optouts"))).toMatch(new RegExp(`\\${to}\\s+smsgate\\s+manual`));
    const shown = ok(await run("opt-outs", "show", to));
    expect(shown).toMatch(/^optedOut:\s+true$/m);
    expect(shown).toContain("by phone");
    expect(ok(await run("optouts", "remove", to))).toBe(`${to} opted back in\n`);
    expect(ok(await run("optouts", "show", to))).toMatch(/^optedOut:\s+false$/m);
    expect(failed(await run("optouts", "remove", to), 1)).toMatch(/^error ResourceNotFound: /);
  });

  it("opt-outs import: a CSV or a list, one call per number, with progress; ≤ 1,000", async () => {
    const app = await newApp(s);
    const run = as(app);
    const optOuts = async (phone: string) =>
      (
        await s.api("GET", `/v1/apps/${app.appId}/opt-outs/${encodeURIComponent(phone)}`, {
          key: app.apiKey,
        })
      ).body.optOuts;
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const csv = file(
      "numbers.csv",
      `name,phone\n"Wang, Li",${a}\nZhang,${b.slice(3)}\nbad,12345\nagain,${a}\n`,
    );
    const r = await run("optouts", "import", csv, "--consent");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "opt-outs 3/3: 2 opted out, 1 failed\nerror: 1 of 3 numbers failed (listed above)\n",
    );
    expect(r.stdout).toContain("2 of 3 numbers opted out");
    expect(r.stdout).toMatch(/12345\s+InvalidParameterValue\.IncorrectPhoneNumber/);
    expect(await optOuts(a)).toEqual([expect.objectContaining({ sign: "*", reason: "manual" })]);
    expect(await optOuts(b)).toHaveLength(1);

    const list = file("numbers.txt", `# from the shop\n${c}\n\n`);
    const plain = await run("optouts", "import", list, "--consent", "--sign", "smsgate");
    expect(ok({ ...plain, stderr: "" })).toBe("1 of 1 numbers opted out\n");
    expect(plain.stderr).toBe("opt-outs 1/1: 1 opted out, 0 failed\n"); // the progress line
    expect(await optOuts(c)).toEqual([expect.objectContaining({ sign: "smsgate" })]);

    const first = fresh();
    const many = file(
      "many.txt",
      [
        first,
        ...Array.from({ length: 1000 }, (_, i) => `+8613600${String(i).padStart(6, "0")}`),
      ].join("\n"),
    );
    expect(failed(await run("optouts", "import", many, "--consent"), 2)).toContain("1,000");
    expect(failed(await run("optouts", "import", list), 2)).toContain("--consent");
    const dry = ok(await run("optouts", "import", csv, "--dry-run"));
    expect(dry).toContain("3 numbers; nothing changed");
    expect(await optOuts(first)).toEqual([]);
  });

  it("contacts and alerts: put, list, the alert history, remove", async () => {
    const app = await newApp(s, { thresholds: { domestic: { alert: 1 } } });
    const run = as(app);
    const phone = fresh();
    const put = ["contacts", "put", "ops", "--name", "Ops", "--phone", phone];
    expect(ok(await run(...put, "--events", "overVolume,limitReached"))).toBe(
      "contact ops saved\n",
    );
    expect(ok(await run("contacts"))).toMatch(/ops\s+Ops\s+\+86\d+\s+-\s+overVolume,limitReached/);
    expect(ok(await run("alerts"))).toBe("(none)\n");
    for (let i = 0; i < 2; i++)
      await app.send({ to: [fresh()], template: "order-shipped", params: ["SO", "明天"] });
    await s.runChecker();
    expect(ok(await run("alerts", "list"))).toMatch(/overVolume\s+.*ops:submitted/);
    expect(ok(await run("contacts", "remove", "ops"))).toBe("contact ops removed\n");
    expect(ok(await run("contacts", "list"))).toBe("(none)\n");
  });

  it("package: set, show", async () => {
    const app = await newApp(s);
    const run = as(app);
    expect(ok(await run("package"))).toMatch(/^domestic\s+-\s+-/m);
    // Setting the package is the operator's (an app key may only read it).
    ok(
      await operator(
        ...[
          "--app",
          app.appId,
          "package",
          "set",
          "--domestic",
          "100",
          "--domestic-alert-below",
          "10",
        ],
        ...["--international", "50", "--international-alert-percents", "15,5"],
      ),
    );
    await app.send({ to: [fresh()], template: "order-shipped", params: ["SO", "明天"] });
    const shown = ok(await run("package", "show"));
    expect(shown).toMatch(/^domestic\s+100\s+99\s+below 10$/m);
    expect(shown).toMatch(/^international\s+50\s+50\s+below 15%, 5%$/m);
    expect(failed(await run("package", "set", "--domestic-alert-below", "5"), 2)).toContain(
      "--domestic",
    );
  });

  it("send and messages: dry run, idempotency key, context; list with --all; show", async () => {
    const run = as(await newApp(s));
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const dry = ok(
      await run(
        ...["send", "--to", `${a},${b}`, "--to", c, "--template", "login-code"],
        ...["--params", "123456,5", "--dry-run"],
      ),
    );
    expect(dry).toContain("dry run: nothing was sent");
    expect(dry.match(/allowed/g)).toHaveLength(3);
    const once = [
      ...["--json", "send", "--to", a, "--template", "login-code", "--params", "111111,5"],
      ...["--idempotency-key", "cli-1", "--context", "order-42"],
    ];
    const first = JSON.parse(ok(await run(...once)));
    const again = JSON.parse(ok(await run(...once)));
    expect(first.messages[0].status).toBe("submitted");
    expect(again.messages[0].id).toBe(first.messages[0].id);
    ok(await run("send", "--to", a, "--template", "login-code", "--params", "222222,5"));
    ok(await run("send", "--to", a, "--template", "login-code", "--params", "333333,5"));

    const page = ok(await run("messages", "--phone", a, "--limit", "2"));
    expect(page).toMatch(/more: --cursor \S+/);
    expect(page.match(/login-code/g)).toHaveLength(2);
    const all = JSON.parse(ok(await run("--json", "messages", "list", "--phone", a, "--all")));
    expect(all.messages).toHaveLength(3);
    expect(all.messages.at(-1).id).toBe(first.messages[0].id);
    const human = ok(await run("messages", "list", "--phone", a, "--limit", "1", "--all"));
    expect(human.match(/login-code/g)).toHaveLength(3);
    expect(human).not.toContain("more:");

    const shown = ok(await run("messages", "show", first.messages[0].id));
    expect(shown).toMatch(/^context:\s+order-42$/m);
    expect(shown).toMatch(/^params:\s+\*{6},\*$/m); // verification codes stay masked
    expect(shown).toMatch(/history:\nat\s+status\s+code\n\S+\s+submitted/);
  });

  it("replies: one number's replies", async () => {
    const app = await newApp(s);
    const to = fresh();
    await routeTo(s, app, "tencent");
    try {
      await s.tencent.reply({ phone: to, text: "thanks, got it", sign: "smsgate" });
    } finally {
      await routeTo(s, s.demo, "tencent");
    }
    const out = ok(await as(app)("replies", "--phone", to));
    expect(out).toMatch(new RegExp(`\\${to}\\s+smsgate\\s+thanks, got it\\s+false`));
    expect(ok(await as(app)("replies", "list", "--phone", fresh()))).toBe("(none)\n");
  });

  it("stats: a table by template with a total line, for an app key or the operator's --app", async () => {
    const app = await newApp(s);
    const run = as(app);
    for (const to of [fresh(), fresh()])
      ok(await run("send", "--to", to, "--template", "order-shipped", "--params", "SO,明天"));
    const args = ["stats", "--from", "2026-01-01", "--to", "2030-12-31", "--group-by", "template"];
    const table = ok(await run(...args));
    expect(table).toMatch(/^template\s+requests\s+submitted\s+rejected\s+failed\s+segments/);
    expect(table).toMatch(/^order-shipped\s+2\s+2\s+0\s+0\s+2\s+100\.0%/m);
    expect(table).toMatch(/^total\s+2\s+2\s+0\s+0\s+2\s+100\.0%/m);
    const json = JSON.parse(ok(await operator("--app", app.appId, ...args, "--json")));
    expect(json.groups).toEqual([
      expect.objectContaining({ template: "order-shipped", requests: 2 }),
    ]);
    await waitFor(
      async () => (await run(...args)).stdout.match(/^total\s+2\s+2\s+0\s+0\s+2\s+100\.0%\s+2\s/m),
      5000,
      "deliveries counted",
    );
  });
});

describe("a recipient file larger than the campaign may hold", () => {
  /** Runs the CLI and reports its peak resident memory (KB), from inside the child. */
  function measured(args: string[], env: Record<string, string>) {
    const rss = join(home, `rss-${++files}`);
    const hook = file(
      "rss.mjs",
      `import { writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(${JSON.stringify(rss)}, String(process.resourceUsage().maxRSS)));\n`,
    );
    return new Promise<Run & { maxRssKb: number }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", hook, BIN, ...args],
        { env: { PATH: process.env.PATH ?? "", SMSGATE_CONFIG: join(home, "none.json"), ...env } },
        (err, stdout, stderr) =>
          resolve({
            code: err ? (typeof err.code === "number" ? err.code : -1) : 0,
            stdout,
            stderr,
            maxRssKb: Number(readFileSync(rss, "utf8")),
          }),
      );
    });
  }

  it("1,000,001 rows against a ceiling of 1,000,000: refused before any part is sent, memory flat", async () => {
    const app = await newApp(s);
    await app.operatorPatch({ ceilings: { campaignRecipients: 1_000_000 } });
    const env = { SMSGATE_URL: s.apiUrl, SMSGATE_KEY: app.apiKey };
    const c = JSON.parse(
      ok(
        await as(app)(
          "--json",
          "campaigns",
          "create",
          "--name",
          "big",
          "--template",
          "order-shipped",
        ),
      ),
    );
    // A header row, then 1,000,001 distinct valid rows (~29 MB), written in blocks.
    const big = join(home, "big.csv");
    const out = createWriteStream(big);
    out.write("phone,order,when\n");
    for (let b = 0; b < 1_000_001; b += 10_000) {
      let block = "";
      for (let i = b; i < Math.min(b + 10_000, 1_000_001); i++)
        block += `+86138${String(i).padStart(8, "0")},O${i},明天\n`;
      if (!out.write(block)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    const bytes = statSync(big).size;
    expect(bytes).toBeGreaterThan(25_000_000);

    const started = Date.now();
    const r = await measured(["campaigns", "upload", c.id, big], env);
    const line = failed(r, 1);
    expect(line).toContain("has 1,000,001 rows");
    expect(line).toContain("at most 1,000,000 recipients, room for 1,000,000");
    expect(line).toContain("Nothing was uploaded");
    expect(Date.now() - started).toBeLessThan(20_000);
    // Nothing reached the campaign.
    const after = (await s.api("GET", `/v1/campaigns/${c.id}`, { key: app.apiKey })).body;
    expect(after).toMatchObject({ total: 0, chunks: 0, status: "draft", maxRecipients: 1_000_000 });
    // Counted as a stream: the peak memory does not follow the file's size (reading the file
    // whole would add all of it; measured here: about 8 MB over a one-row upload for 30 MB).
    const small = file("small.csv", `${fresh()},O,明天\n`);
    const baseline = await measured(["campaigns", "upload", c.id, small], env);
    expect(baseline.code).toBe(0);
    expect(r.maxRssKb - baseline.maxRssKb).toBeLessThan(bytes / 1024 / 2);
  }, 30_000);
});
