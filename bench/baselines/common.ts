/**
 * What every hand-built baseline makes at INIT, as a careful engineer would: the DynamoDB
 * client (the SDK, env-only credentials, 256 keep-alive sockets), attribute helpers, and the
 * callback-token check for those that need it (the Tencent client is in ./tencent.ts, so the
 * others do not bundle it). Each baseline is bundled on its own (bench/run.ts).
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { type AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const env = process.env;
export const table = env.SMSGATE_TABLE ?? "";
const endpoint = env.DYNAMODB_ENDPOINT;
export const ddb = new DynamoDBClient({
  region: env.AWS_REGION,
  endpoint,
  credentials: endpoint ? { accessKeyId: "local", secretAccessKey: "local" } : fromEnv(),
  requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } },
});
export const S = (s: string): AttributeValue => ({ S: s });
export const N = (n: number): AttributeValue => ({ N: String(n) });

/** The HMAC smsgate puts in callback URLs (`<appId>_<mac>`), under the same derived key. */
export function callbackMac(): (appId: string) => string {
  const key = Buffer.from(
    hkdfSync(
      "sha256",
      (env.SMSGATE_SECRET ?? "").split(",")[0] ?? "",
      "smsgate",
      "callback-token",
      32,
    ),
  );
  return (appId) =>
    createHmac("sha256", key).update(appId).digest("base64url").slice(0, 32).replace(/[-_]/g, "x");
}

/** Whether a callback token is the app's, checked in constant time (no read). */
export function tokenCheck(): (token: string) => string | undefined {
  const mac = callbackMac();
  return (token) => {
    const [appId = "", given = ""] = token.split("_");
    const want = Buffer.from(mac(appId));
    return want.length === given.length && timingSafeEqual(want, Buffer.from(given))
      ? appId
      : undefined;
  };
}
