/**
 * The webhook target guard (lib/webhooks): which addresses and URLs a webhook may reach.
 * No network: host names resolve through a stub.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config";
import { loopbackAllowed } from "../../lib/webhooks";
import { classifyAddress } from "../../lib/webhooks/address";
import { checkTarget, type TargetPolicy } from "../../lib/webhooks/target";

const strict: TargetPolicy = { allowLoopback: false, timeoutMs: 500, resolve: stub({}) };
const local: TargetPolicy = { ...strict, allowLoopback: true };

/** A resolver from a table; names not in it fail as the real one does. */
function stub(table: Record<string, string[]>): NonNullable<TargetPolicy["resolve"]> {
  return async (host) => {
    const found = table[host];
    if (!found)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

describe("address classes", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["169.254.0.1", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["ff05::1:3", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.0.8", "reserved"],
    ["198.18.0.1", "reserved"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["2001:db8::1", "documentation"],
    ["3fff::1", "documentation"],
    ["2001::1", "reserved"], // Teredo
    ["2001:2::1", "reserved"], // benchmarking
    ["fec0::1", "reserved"], // site-local
    ["100::1", "reserved"], // discard
    ["::127.0.0.1", "reserved"], // IPv4-compatible: refused outright
    ["::ffff:0:7f00:1", "reserved"], // IPv4-translated
    ["64:ff9b::7f00:1", "nat64"],
    ["64:ff9b::808:808", "nat64"],
    ["64:ff9b:1::a00:1", "nat64"],
    // IPv4-mapped and 6to4 are judged by the IPv4 address they carry.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:a9fe:a9fe", "link-local"],
    ["::ffff:10.0.0.1", "private"],
    ["0:0:0:0:0:ffff:c0a8:0101", "private"],
    ["2002:7f00:1::1", "loopback"],
    ["2002:a9fe:a9fe::", "link-local"],
    ["2002:c0a8:101::1", "private"],
    ["2002:a00:1::1", "private"],
    // Not addresses at all: what the resolver would never return.
    ["2130706433", "unreadable"],
    ["0x7f.1", "unreadable"],
    ["127.1", "unreadable"],
    ["localhost", "unreadable"],
    ["", "unreadable"],
  ])("%s is %s", (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "172.32.0.1",
    "100.128.0.1",
    "192.169.0.1",
    "223.255.255.255",
    "2606:4700::1111",
    "2001:4860:4860::8888",
    "2400:cb00::1",
    "::ffff:8.8.8.8",
    "2002:808:808::1", // 6to4 of a public address
    "[2606:4700::1111]",
  ])("%s is public", (ip) => {
    expect(classifyAddress(ip)).toBe("public");
  });
});

describe("WHATWG URL and numeric hosts", () => {
  it.each([
    ["http://2130706433/", "127.0.0.1"],
    ["http://0x7f.1/", "127.0.0.1"],
    ["http://017700000001/", "127.0.0.1"],
    ["http://127.1/", "127.0.0.1"],
    ["http://0177.0.0.1/", "127.0.0.1"],
    ["http://0x7f000001/", "127.0.0.1"],
    ["http://127.0.0.1./", "127.0.0.1"],
    ["http://0/", "0.0.0.0"],
    ["http://0xa9fea9fe/", "169.254.169.254"],
    ["http://[::ffff:127.0.0.1]/", "[::ffff:7f00:1]"],
    ["http://[0:0:0:0:0:0:0:1]/", "[::1]"],
  ])("%s has host %s", (url, host) => {
    expect(new URL(url).hostname).toBe(host);
  });
});

describe("the target guard", () => {
  const attacks = [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:4010/_control/reset",
    "http://[::1]/",
    "http://10.0.0.1/",
    "http://0.0.0.0/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://017700000001/",
    "http://127.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://192.0.2.1/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::]/",
    "http://[::]/",
  ];
  const secure = (u: string) => u.replace(/^http:/, "https:");

  it.each(attacks)("refuses %s, and its https form", async (url) => {
    expect((await checkTarget(url, strict)).ok).toBe(false);
    expect((await checkTarget(secure(url), strict)).ok).toBe(false);
  });

  it.each(attacks.filter((u) => classifyAddress(new URL(u).hostname) !== "loopback"))(
    "refuses %s on the local stack too (only loopback is allowed there)",
    async (url) => {
      expect((await checkTarget(url, local)).ok).toBe(false);
    },
  );

  it("names the address class in the reason, for the log", async () => {
    const r = await checkTarget("https://169.254.169.254/latest/meta-data/", strict);
    expect(r).toEqual({ ok: false, reason: "169.254.169.254 (link-local)" });
  });

  it("allows public addresses over https, and keeps what it checked", async () => {
    const v4 = await checkTarget("https://8.8.8.8/hook", strict);
    expect(v4).toMatchObject({
      ok: true,
      target: { host: "8.8.8.8", addresses: [{ address: "8.8.8.8", family: 4 }] },
    });
    const v6 = await checkTarget("https://[2606:4700::1111]:8443/hook", strict);
    expect(v6).toMatchObject({
      ok: true,
      target: { host: "2606:4700::1111", addresses: [{ address: "2606:4700::1111", family: 6 }] },
    });
  });

  it("allows plain http only on the local stack", async () => {
    expect((await checkTarget("http://8.8.8.8/hook", strict)).ok).toBe(false);
    expect((await checkTarget("http://8.8.8.8/hook", local)).ok).toBe(true);
    expect((await checkTarget("http://127.0.0.1:3000/hook", local)).ok).toBe(true);
    expect((await checkTarget("http://[::1]:3000/hook", local)).ok).toBe(true);
    expect((await checkTarget("http://2130706433:3000/hook", local)).ok).toBe(true);
  });

  it.each([
    "ftp://8.8.8.8/",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "ws://8.8.8.8/",
    "not a url",
  ])("refuses %s whatever the setting", async (url) => {
    expect((await checkTarget(url, strict)).ok).toBe(false);
    expect((await checkTarget(url, local)).ok).toBe(false);
  });

  it("resolves a name and requires every address to be public", async () => {
    const resolve = stub({
      "hooks.example": ["93.184.216.34", "2606:2800:220:1::1"],
      "mixed.example": ["93.184.216.34", "10.0.0.7"],
      "mixed6.example": ["2606:2800:220:1::1", "fd00::7"],
      "meta.example": ["169.254.169.254"],
      localhost: ["127.0.0.1", "::1"],
      "empty.example": [],
    });
    const ok = await checkTarget("https://hooks.example/x", { ...strict, resolve });
    expect(ok).toMatchObject({
      ok: true,
      target: {
        host: "hooks.example",
        addresses: [
          { address: "93.184.216.34", family: 4 },
          { address: "2606:2800:220:1::1", family: 6 },
        ],
      },
    });
    for (const host of [
      "mixed.example",
      "mixed6.example",
      "meta.example",
      "localhost",
      "empty.example",
      "nowhere.example",
    ])
      expect((await checkTarget(`https://${host}/x`, { ...strict, resolve })).ok, host).toBe(false);
    // Loopback names are fine on the local stack; private ones never.
    expect((await checkTarget("https://localhost/x", { ...local, resolve })).ok).toBe(true);
    expect((await checkTarget("https://mixed.example/x", { ...local, resolve })).ok).toBe(false);
  });

  it("gives up on a resolver that does not answer", async () => {
    const started = Date.now();
    const r = await checkTarget("https://slow.example/", {
      ...strict,
      timeoutMs: 200,
      resolve: () => new Promise(() => {}),
    });
    expect(r).toEqual({
      ok: false,
      reason: "slow.example does not resolve (no DNS answer within 200 ms)",
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("SMSGATE_WEBHOOK_ALLOW_LOOPBACK", () => {
  const env = {
    SMSGATE_TABLE: "smsgate",
    SMSGATE_ADMIN_KEY: "0123456789abcdef",
    SMSGATE_SECRET: "master-0123456789abcdef",
  };

  it("is off unless set, and on only for exactly true", () => {
    expect(loopbackAllowed(loadConfig(env))).toBe(false);
    expect(loopbackAllowed(loadConfig({ ...env, SMSGATE_WEBHOOK_ALLOW_LOOPBACK: "false" }))).toBe(
      false,
    );
    expect(loopbackAllowed(loadConfig({ ...env, SMSGATE_WEBHOOK_ALLOW_LOOPBACK: "true" }))).toBe(
      true,
    );
  });

  it.each(["1", "0", "yes", "TRUE", "False", "", " true"])(
    "refuses %j at start, naming the variable",
    (value) => {
      expect(() => loadConfig({ ...env, SMSGATE_WEBHOOK_ALLOW_LOOPBACK: value })).toThrow(
        /SMSGATE_WEBHOOK_ALLOW_LOOPBACK/,
      );
    },
  );
});
