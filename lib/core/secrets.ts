/**
 * Secrets derived from one deployment secret, so none of them is stored: callback tokens
 * (verified without a read) and the key that encrypts app webhook secrets at rest.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { type Config, masterSecret } from "../config";
import { safeEqual } from "./ids";

function derive(master: string, label: string): Buffer {
  return Buffer.from(hkdfSync("sha256", master, "smsgate", label, 32));
}

/** The secret part of an app's callback URLs: "<appId>_<HMAC(appId)>". */
export function callbackToken(master: string, appId: string): string {
  const mac = createHmac("sha256", derive(master, "callback-token"))
    .update(appId)
    .digest("base64url")
    .slice(0, 32);
  return `${appId}_${mac.replace(/[-_]/g, "x")}`;
}

/**
 * The deployment's account-level reply token: Tencent takes one reply URL per account, so
 * replies to it are routed to the app that last texted the number (lib/callbacks/ingest.ts).
 */
export function accountReplyToken(master: string): string {
  const mac = createHmac("sha256", derive(master, "account-reply-token"))
    .update("account")
    .digest("base64url")
    .slice(0, 32);
  return `account_${mac.replace(/[-_]/g, "x")}`;
}

export function isAccountReplyToken(master: string, token: string): boolean {
  return token.startsWith("account_") && safeEqual(accountReplyToken(master), token);
}

/** The app a callback token was minted for, or undefined if it was not minted by us. */
export function appOfCallbackToken(master: string, token: string): string | undefined {
  const appId = token.split("_")[0] ?? "";
  if (!/^[0-9A-Z]{26}$/.test(appId)) return undefined;
  return safeEqual(callbackToken(master, appId), token) ? appId : undefined;
}

/** Encrypts a small secret for the table (AES-256-GCM; iv and tag travel with it). */
export function seal(master: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", derive(master, "sealed-secrets"), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [
    "v1",
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    body.toString("base64url"),
  ].join(".");
}

export function unseal(master: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || !body) throw new Error("not a sealed secret");
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
}

/** The callback URLs to paste into each vendor console (and that Huawei is told per send). */
export function callbackUrls(config: Config, origin: string, appId: string) {
  const base = (config.SMSGATE_PUBLIC_URL ?? origin).replace(/\/$/, "");
  const token = callbackToken(masterSecret(config), appId);
  const urls = (p: string) => ({
    status: `${base}/callbacks/${p}/status/${token}`,
    reply: `${base}/callbacks/${p}/reply/${token}`,
  });
  return { tencent: urls("tencent"), huawei: urls("huawei") };
}
