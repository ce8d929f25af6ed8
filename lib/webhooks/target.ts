/**
 * The target guard: a webhook URL is `https` and its host resolves only to public
 * addresses. Checked when the URL is set and again at every delivery, which then connects
 * to the very addresses checked here (deliver.ts), so a DNS answer that changes in between
 * (rebinding) cannot point a delivery at the metadata service or the loopback interface.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { type AddressClass, classifyAddress } from "./address";

export interface TargetPolicy {
  /** The local stack only: plain http, and loopback addresses (SMSGATE_WEBHOOK_ALLOW_LOOPBACK). */
  allowLoopback: boolean;
  /** How long the resolver may take. */
  timeoutMs: number;
  /** Resolves every address of a host; node:dns by default. */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
}

export interface CheckedTarget {
  url: URL;
  /** The host as a name or bare IP literal (no brackets): the Host header and SNI. */
  host: string;
  /** Every address the host resolved to, all allowed. */
  addresses: { address: string; family: 4 | 6 }[];
}

export type TargetCheck = { ok: true; target: CheckedTarget } | { ok: false; reason: string };

const resolveAll = (host: string) => dnsLookup(host, { all: true, verbatim: true });

function allowed(cls: AddressClass, policy: TargetPolicy): boolean {
  return cls === "public" || (cls === "loopback" && policy.allowLoopback);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no DNS answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Checks a webhook URL; never throws. The reason is for logs, not for the API's callers. */
export async function checkTarget(raw: string, policy: TargetPolicy): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a URL" };
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.allowLoopback))
    return { ok: false, reason: `scheme ${url.protocol} (https only)` };
  // WHATWG URL has already turned 2130706433, 0x7f.1, 017700000001 and 127.1 into 127.0.0.1.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) return { ok: false, reason: "no host" };
  let found: { address: string; family: number }[];
  if (isIP(host)) found = [{ address: host, family: isIP(host) }];
  else {
    try {
      found = await withTimeout((policy.resolve ?? resolveAll)(host), policy.timeoutMs);
    } catch (err) {
      return { ok: false, reason: `${host} does not resolve (${(err as Error).message})` };
    }
  }
  if (found.length === 0) return { ok: false, reason: `${host} has no address` };
  const addresses: CheckedTarget["addresses"] = [];
  for (const { address } of found) {
    const cls = classifyAddress(address);
    const what = host === address ? `${address} (${cls})` : `${host} is ${address} (${cls})`;
    if (!allowed(cls, policy)) return { ok: false, reason: what };
    addresses.push({ address, family: isIP(address) === 6 ? 6 : 4 });
  }
  return { ok: true, target: { url, host, addresses } };
}
