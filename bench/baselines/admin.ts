/**
 * The hand-built settings reader smsgate's admin function is measured against
 * (docs/performance.md): GET /v1/apps/{appId} with the app's key — the same two requests in
 * two round trips as smsgate (the key and the app in one BatchGetItem, then the app again in
 * a GetItem, as smsgate's access check and its route each read it), the item turned into
 * JSON without its internal fields, the callback URLs signed with the same HMAC, an ETag of
 * its version. Client made at INIT.
 */
import { createHash } from "node:crypto";
import { type AttributeValue, BatchGetItemCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { callbackMac, ddb, S, table } from "./common";

const macOf = callbackMac();

const plain = (a: AttributeValue): unknown =>
  a.S ??
  (a.N !== undefined ? Number(a.N) : (a.BOOL ?? (a.L ? a.L.map(plain) : a.M ? object(a.M) : null)));
const object = (m: Record<string, AttributeValue>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, plain(v)]));

export const handler = async (event: APIGatewayProxyEventV2) => {
  const key = (event.headers.authorization ?? "").replace(/^Bearer /, "");
  const appId = event.pathParameters?.appId ?? "";
  const hash = createHash("sha256").update(key).digest("hex");
  const got = await ddb.send(
    new BatchGetItemCommand({
      RequestItems: {
        [table]: {
          ConsistentRead: true,
          Keys: [
            { pk: S(`APIKEY#${hash}`), sk: S("APIKEY") },
            { pk: S(`APP#${appId}`), sk: S("APP") },
          ],
        },
      },
    }),
  );
  const items = got.Responses?.[table] ?? [];
  if (!items.some((i) => i.type?.S === "ApiKey" && i.appId?.S === appId))
    return { statusCode: 403, body: "" };
  const read = await ddb.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: S(`APP#${appId}`), sk: S("APP") },
      ConsistentRead: true,
    }),
  );
  if (!read.Item) return { statusCode: 404, body: "" };
  const {
    pk: _pk,
    sk: _sk,
    type: _t,
    whitelist,
    replyWebhook,
    statusWebhook,
    ...app
  } = object(read.Item) as Record<string, unknown>;
  const mac = macOf(appId);
  const base = `https://${event.requestContext.domainName}`;
  const urls = (p: string) => ({
    status: `${base}/callbacks/${p}/status/${appId}_${mac}`,
    reply: `${base}/callbacks/${p}/reply/${appId}_${mac}`,
  });
  return {
    statusCode: 200,
    headers: { "content-type": "application/json", etag: `"${app.version ?? 0}"` },
    body: JSON.stringify({
      ...app,
      whitelistSize: Object.keys((whitelist as object) ?? {}).length,
      ...(replyWebhook ? { replyWebhook: { url: (replyWebhook as { url: string }).url } } : {}),
      ...(statusWebhook ? { statusWebhook: { url: (statusWebhook as { url: string }).url } } : {}),
      callbackUrls: { tencent: urls("tencent"), huawei: urls("huawei") },
    }),
  };
};
