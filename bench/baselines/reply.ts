/**
 * The hand-built reply ingester smsgate's reply function is measured against
 * (docs/performance.md): one Tencent reply push (not an unsubscribe), the URL token checked by
 * the same HMAC, then the same three requests in three round trips as smsgate — the app in one
 * GetItem, a conditional PutItem that claims the reply (a vendor's retry is taken once), and
 * the reply record in one BatchWriteItem. Client made at INIT.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { fromEnv } from "@aws-sdk/credential-provider-env";
import type { APIGatewayProxyEventV2 } from "aws-lambda";

const env = process.env;
const table = env.SMSGATE_TABLE ?? "";
const endpoint = env.DYNAMODB_ENDPOINT;
const ddb = new DynamoDBClient({
  region: env.AWS_REGION,
  endpoint,
  credentials: endpoint ? { accessKeyId: "local", secretAccessKey: "local" } : fromEnv(),
  requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } },
});
const tokenKey = Buffer.from(
  hkdfSync(
    "sha256",
    (env.SMSGATE_SECRET ?? "").split(",")[0] ?? "",
    "smsgate",
    "callback-token",
    32,
  ),
);
const S = (s: string): AttributeValue => ({ S: s });
interface Reply {
  mobile: string;
  nationcode: string;
  sign: string;
  text: string;
  time: number;
}

export const handler = async (event: APIGatewayProxyEventV2) => {
  const [appId = "", mac = ""] = (event.pathParameters?.token ?? "").split("_");
  const want = Buffer.from(
    createHmac("sha256", tokenKey)
      .update(appId)
      .digest("base64url")
      .slice(0, 32)
      .replace(/[-_]/g, "x"),
  );
  if (want.length !== mac.length || !timingSafeEqual(want, Buffer.from(mac)))
    return { statusCode: 403, body: "" };
  const r = JSON.parse(event.body ?? "{}") as Reply;
  const phone = `+${r.nationcode}${r.mobile}`;
  const app = await ddb.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: S(`APP#${appId}`), sk: S("APP") },
      ConsistentRead: true,
    }),
  );
  if (!app.Item) return { statusCode: 404, body: "" };
  const at = new Date(r.time * 1000).toISOString();
  const fingerprint = createHash("sha256").update(`${phone}|${r.text}|${r.time}`).digest("hex");
  try {
    await ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: S(`REPLYCLAIM#${appId}#${fingerprint}`), sk: S("CLAIM"), at: S(at) },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  } catch (err) {
    if ((err as Error).name !== "ConditionalCheckFailedException") throw err;
    return { statusCode: 200, body: JSON.stringify({ result: 0, errmsg: "OK" }) };
  }
  await ddb.send(
    new BatchWriteItemCommand({
      RequestItems: {
        [table]: [
          {
            PutRequest: {
              Item: {
                pk: S(`REPLIES#${appId}`),
                sk: S(`${at}#${fingerprint.slice(0, 12)}`),
                type: S("Reply"),
                phone: S(phone),
                sign: S(r.sign),
                text: S(r.text),
                receivedAt: S(at),
              },
            },
          },
        ],
      },
    }),
  );
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ result: 0, errmsg: "OK" }),
  };
};
