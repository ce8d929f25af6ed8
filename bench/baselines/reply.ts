/**
 * The hand-built reply ingester smsgate's reply function is measured against
 * (docs/performance.md): one Tencent reply push (not an unsubscribe), the URL token checked by
 * the same HMAC, then the same three requests in three round trips as smsgate — the app in one
 * GetItem, a conditional PutItem that claims the reply (a vendor's retry is taken once), and
 * the reply record in one BatchWriteItem. Client made at INIT.
 */
import { createHash } from "node:crypto";
import { BatchWriteItemCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { ddb, S, table, tokenCheck } from "./common";

const appOfToken = tokenCheck();

interface Reply {
  mobile: string;
  nationcode: string;
  sign: string;
  text: string;
  time: number;
}

export const handler = async (event: APIGatewayProxyEventV2) => {
  const appId = appOfToken(event.pathParameters?.token ?? "");
  if (!appId) return { statusCode: 403, body: "" };
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
