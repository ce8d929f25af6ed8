/**
 * Secrets derived from the deployment's master secret, so none of them is stored: callback
 * tokens (verified without a read) and the key that encrypts app webhook secrets at rest.
 *
 * The master secret is versioned: a list, the current one first. Tokens and sealed secrets
 * made with any listed version stay valid, new ones use the current version, so the master
 * rotates without breaking the URLs pasted into vendor consoles — and it is separate from
 * the operator key, so either rotates alone (README "Rotating secrets").
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import type { Config } from "../config";
import { safeEqual } from "./ids";

/** The master secrets, current first. */
export type Masters = readonly string[];

function derive(master: string, label: string): Buffer {
  return Buffer.from(hkdfSync("sha256", master, "smsgate", label, 32));
}

/** A token names its app and generation; generation 0 is the format of the first tokens. */
export interface TokenClaim {
  appId: string;
  generation: number;
}

/** How long a rotated-out callback token keeps working (docs/api.md "Vendor callbacks"). */
export const PREVIOUS_TOKEN_VALID_MS = 7 * 86400_000;

function mint(master: string, appId: string, generation: number): string {
  const input = generation === 0 ? appId : `${appId}#${generation}`;
  const mac = createHmac("sha256", derive(master, "callback-token"))
    .update(input)
    .digest("base64url")
    .slice(0, 32)
    .replace(/[-_]/g, "x");
  return generation === 0 ? `${appId}_${mac}` : `${appId}_${generation}_${mac}`;
}

/** The secret part of an app's callback URLs, made with the current master secret. */
export function callbackToken(masters: Masters, appId: string, generation = 0): string {
  return mint(masters[0] as string, appId, generation);
}

function accountMac(master: string): string {
  return createHmac("sha256", derive(master, "account-reply-token"))
    .update("account")
    .digest("base64url")
    .slice(0, 32)
    .replace(/[-_]/g, "x");
}

/**
 * The deployment's account-level reply token: Tencent takes one reply URL per account, so
 * replies to it are routed to the app that last texted the number (lib/callbacks/ingest.ts).
 */
export function accountReplyToken(masters: Masters): string {
  return `account_${accountMac(masters[0] as string)}`;
}

/** Whether a token is the account-level reply token under any listed master secret. */
export function isAccountReplyToken(masters: Masters, token: string): boolean {
  return (
    token.startsWith("account_") &&
    masters.some((m) => safeEqual(`account_${accountMac(m)}`, token))
  );
}

/**
 * The app and generation a callback token was minted for, by any listed master secret, or
 * undefined if none minted it. Whether the generation is still valid is the app's to say
 * (tokenValid), once the app is read.
 */
export function claimOfCallbackToken(masters: Masters, token: string): TokenClaim | undefined {
  if (token.length > 80) return undefined;
  const parts = token.split("_");
  const appId = parts[0] ?? "";
  if (!/^[0-9A-Z]{26}$/.test(appId) || parts.length < 2 || parts.length > 3) return undefined;
  const generation = parts.length === 3 ? Number(parts[1]) : 0;
  if (!Number.isSafeInteger(generation) || generation < 0 || generation > 1_000_000)
    return undefined;
  for (const master of masters)
    if (safeEqual(mint(master, appId, generation), token)) return { appId, generation };
  return undefined;
}

/** An app's callback-token state: the current generation, and the one before while it lasts. */
export interface CallbackTokens {
  current: number;
  previous?: { generation: number; validUntil: string };
}

/** Whether a token's generation is the app's current one, or the previous one within 7 days. */
export function tokenValid(tokens: CallbackTokens | undefined, generation: number, now: number) {
  const current = tokens?.current ?? 0;
  if (generation === current) return true;
  const prev = tokens?.previous;
  return prev !== undefined && prev.generation === generation && now < Date.parse(prev.validUntil);
}

/** Encrypts a small secret for the table with the current master (AES-256-GCM). */
export function seal(masters: Masters, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", derive(masters[0] as string, "sealed-secrets"), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [
    "v1",
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    body.toString("base64url"),
  ].join(".");
}

/** Decrypts with whichever listed master sealed it (GCM's tag tells a wrong key). */
export function unseal(masters: Masters, sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || !body) throw new Error("not a sealed secret");
  for (const master of masters) {
    try {
      const decipher = createDecipheriv(
        "aes-256-gcm",
        derive(master, "sealed-secrets"),
        Buffer.from(iv, "base64url"),
      );
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([
        decipher.update(Buffer.from(body, "base64url")),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      // not this version; try the next
    }
  }
  throw new Error("sealed by no listed master secret");
}

/** The callback URLs to paste into each vendor console (and that Huawei is told per send). */
export function callbackUrls(config: Config, origin: string, appId: string, generation = 0) {
  const base = (config.SMSGATE_PUBLIC_URL ?? origin).replace(/\/$/, "");
  const token = callbackToken(config.SMSGATE_SECRET, appId, generation);
  const urls = (p: string) => ({
    status: `${base}/callbacks/${p}/status/${token}`,
    reply: `${base}/callbacks/${p}/reply/${token}`,
  });
  return { tencent: urls("tencent"), huawei: urls("huawei") };
}
