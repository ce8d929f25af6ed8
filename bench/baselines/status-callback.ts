/**
 * The hand-built report ingester smsgate's status-callback function is measured against
 * (docs/performance.md): one Tencent status push, the URL token checked by the same HMAC
 * (no read), then the same requests as smsgate — the records in one BatchGetItem, each
 * final status in a conditional PutItem (the first report wins), and the day's statistics
 * in one UpdateItem per item they live in (hour, template, country, signature, carrier
 * codes), in parallel. Client made at INIT.
 */
import { createHash } from "node:crypto";
import { BatchGetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { ddb, N, S, table, tokenCheck } from "./common";

const appOfToken = tokenCheck();

const B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** The message id smsgate derives from the vendor serial (26 Crockford base32 characters). */
function messageId(serial: string): string {
  const bytes = createHash("sha256").update(`tencent:${serial}`).digest();
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

interface Report {
  sid: string;
  mobile: string;
  nationcode: string;
  report_status: string;
  errmsg: string;
}

export const handler = async (event: APIGatewayProxyEventV2) => {
  const appId = appOfToken(event.pathParameters?.token ?? "");
  if (!appId) return { statusCode: 403, body: "" };
  const reports = JSON.parse(event.body ?? "[]") as Report[];
  const ids = reports.map((r) => messageId(r.sid));
  const got = await ddb.send(
    new BatchGetItemCommand({
      RequestItems: {
        [table]: {
          ConsistentRead: true,
          Keys: ids.map((id) => ({ pk: S(`MSG#${id}`), sk: S("MSG") })),
        },
      },
    }),
  );
  const records = new Map((got.Responses?.[table] ?? []).map((i) => [i.pk?.S, i]));
  const now = new Date().toISOString();
  let delivered = 0;
  let won = 0;
  await Promise.all(
    reports.map(async (r, i) => {
      const record = records.get(`MSG#${ids[i]}`);
      if (!record || record.appId?.S !== appId) return;
      try {
        await ddb.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              pk: S(`MSG#${ids[i]}`),
              sk: S("STATUS"),
              type: S("MessageStatus"),
              status: S(r.report_status === "SUCCESS" ? "delivered" : "undelivered"),
              carrierCode: S(r.errmsg),
              serial: S(r.sid),
              phone: S(`+${r.nationcode}${r.mobile}`),
              reportedAt: S(now),
            },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        won++;
        if (r.report_status === "SUCCESS") delivered++;
      } catch (err) {
        if ((err as Error).name !== "ConditionalCheckFailedException") throw err;
      }
    }),
  );
  const first = records.values().next().value;
  const day = first?.day?.S ?? now.slice(0, 10);
  const scopes = [
    `h:${first?.hour?.S ?? "00"}`,
    `t:${first?.template?.S ?? ""}`,
    `c:${first?.country?.S ?? "CN"}`,
    `s:${first?.sign?.S ?? ""}`,
    "carrier",
  ];
  if (delivered)
    await Promise.all(
      scopes.map((scope) =>
        ddb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { pk: S(`STATS#${appId}`), sk: S(`${day}#${scope}`) },
            UpdateExpression: "ADD #d :n",
            ExpressionAttributeNames: { "#d": "delivered" },
            ExpressionAttributeValues: { ":n": N(delivered) },
          }),
        ),
      ),
    );
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ result: 0, errmsg: "OK", won }),
  };
};
