/**
 * Which IP addresses a webhook may reach: only public unicast ones. Written by hand rather
 * than with ipaddr.js, which would add ~13 KB to every function that delivers or sets a
 * webhook (docs/performance.md keeps each bundle lean). Addresses come from the resolver or
 * from a URL's host, which WHATWG URL has already turned into a dotted quad or an IPv6
 * literal; anything else is refused as unreadable.
 */
import { isIPv4, isIPv6 } from "node:net";

/** "public", "loopback" (allowed on the local stack only), or why the address is refused. */
export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "shared"
  | "unspecified"
  | "multicast"
  | "broadcast"
  | "reserved"
  | "documentation"
  | "nat64"
  | "unreadable";

/** First match wins: [network, prefix length, class]. */
const V4: [string, number, AddressClass][] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared"], // carrier-grade NAT
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"], // cloud metadata lives here
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"], // IETF protocol assignments
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "reserved"], // 6to4 relay anycast
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"], // benchmarking
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["255.255.255.255", 32, "broadcast"],
  ["240.0.0.0", 4, "reserved"],
];

function v4Number(ip: string): number | undefined {
  if (!isIPv4(ip)) return undefined;
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function classifyV4(n: number): AddressClass {
  for (const [net, bits, cls] of V4) {
    const size = 2 ** (32 - bits);
    const start = v4Number(net) as number;
    if (n >= start && n < start + size) return cls;
  }
  return "public";
}

/** The eight 16-bit groups of an IPv6 address (zone dropped, dotted tail folded in). */
function v6Groups(ip: string): number[] | undefined {
  let s = ip.split("%")[0] ?? "";
  if (!isIPv6(s)) return undefined;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)?.[1];
  if (tail) {
    const n = v4Number(tail);
    if (n === undefined) return undefined;
    s = `${s.slice(0, -tail.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = "", rest] = s.split("::");
  const h = head ? head.split(":") : [];
  const r = rest ? rest.split(":") : [];
  const zeros = rest === undefined ? [] : Array(8 - h.length - r.length).fill("0");
  const groups = [...h, ...zeros, ...r].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 ? groups : undefined;
}

const embedded = (hi: number, lo: number) => classifyV4(hi * 65536 + lo);

function classifyV6(g: number[]): AddressClass {
  const [a = 0, b = 0, c = 0] = g;
  const zeroUpTo = (k: number) => g.slice(0, k).every((x) => x === 0);
  if (zeroUpTo(5) && g[5] === 0xffff) return embedded(g[6] ?? 0, g[7] ?? 0); // ::ffff:a.b.c.d
  if (zeroUpTo(8)) return "unspecified";
  if (zeroUpTo(7) && g[7] === 1) return "loopback";
  if (a === 0x2002) return embedded(b, c); // 6to4 carries an IPv4 address
  if (a === 0x64 && b === 0xff9b) return "nat64"; // 64:ff9b::/96 and 64:ff9b:1::/48
  // Outside global unicast 2000::/3: ::/8 (IPv4-compatible, translated), fe80::/10,
  // fec0::/10, fc00::/7, ff00::/8, 100::/64, 5f00::/16 and the rest never reach a webhook.
  if ((a & 0xe000) !== 0x2000) {
    if ((a & 0xffc0) === 0xfe80) return "link-local";
    if ((a & 0xfe00) === 0xfc00) return "private";
    if ((a & 0xff00) === 0xff00) return "multicast";
    return "reserved";
  }
  if (a === 0x2001 && b < 0x200) return "reserved"; // 2001::/23: Teredo, benchmarking, ORCHID
  if (a === 0x2001 && b === 0xdb8) return "documentation";
  if (a === 0x3fff && b < 0x1000) return "documentation"; // 3fff::/20
  return "public";
}

/** Classifies one address as the resolver or a URL gives it ("8.8.8.8", "2606:4700::1111"). */
export function classifyAddress(ip: string): AddressClass {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const n = v4Number(bare);
  if (n !== undefined) return classifyV4(n);
  const groups = v6Groups(bare);
  return groups ? classifyV6(groups) : "unreadable";
}
