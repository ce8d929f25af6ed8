/**
 * The hand-built sender smsgate's send function is measured against (docs/performance.md):
 * what an engineer would write for one POST /v1/messages with no framework — the same nine
 * DynamoDB requests in three round trips (key, app, template and opt-out in one
 * BatchGetItem; the number's frequency item and the app's day item in two parallel
 * conditional UpdateItems, beside the four statistics items — hour, template, country,
 * signature — and a BatchWriteItem of the in-flight record, so a crash after the vendor call
 * still leaves one; the settled record in one BatchWriteItem) and the same Tencent SendSms
 * through the same SDK. Clients are made at INIT. It validates nothing smsgate's policy
 * does beyond what those requests need: it is the floor, not a product.
 */
import { createHash, randomUUID } from "node:crypto";
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { ddb, N, S, table } from "./common";
import { tencent } from "./tencent";

const answer = (statusCode: number, body: object) => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export const handler = async (event: APIGatewayProxyEventV2) => {
  const key = (event.headers.authorization ?? "").replace(/^Bearer /, "");
  const appId = /^sgk_([0-9A-Z]{26})_/.exec(key)?.[1];
  const body = JSON.parse(event.body ?? "{}") as {
    to: string[];
    template: string;
    params: string[];
  };
  if (!appId || !Array.isArray(body.to) || body.to.length !== 1) return answer(400, {});
  const to = body.to[0] as string;
  const hash = createHash("sha256").update(key).digest("hex");
  const got = await ddb.send(
    new BatchGetItemCommand({
      RequestItems: {
        [table]: {
          ConsistentRead: true,
          Keys: [
            { pk: S(`APIKEY#${hash}`), sk: S("APIKEY") },
            { pk: S(`APP#${appId}`), sk: S("APP") },
            { pk: S(`APP#${appId}`), sk: S(`TPL#${body.template}`) },
            { pk: S(`OPTOUT#${appId}#${to}`), sk: S("OPTOUT") },
          ],
        },
      },
    }),
  );
  const items = got.Responses?.[table] ?? [];
  const of = (t: string) => items.find((i) => i.type?.S === t);
  const [app, tpl] = [of("App"), of("Template")];
  if (of("ApiKey")?.appId?.S !== appId || !app || !tpl || of("OptOut")) return answer(403, {});
  const now = new Date();
  const day = now.toISOString().slice(0, 10);
  const id = randomUUID();
  const record = (status: string, serial: string) => ({
    [table]: [
      {
        PutRequest: {
          Item: {
            pk: S(`MSG#${id}`),
            sk: S("MSG"),
            type: S("Message"),
            appId: S(appId),
            to: S(to),
            serial: S(serial),
            status: S(status),
            createdAt: S(now.toISOString()),
          },
        },
      },
    ],
  });
  const hour = String(now.getUTCHours()).padStart(2, "0");
  const stat = (scope: string) =>
    ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: S(`STATS#${appId}`), sk: S(`${day}#${scope}`) },
        UpdateExpression: "ADD #r :one, #s :one",
        ExpressionAttributeNames: { "#r": "recipients", "#s": "submitted" },
        ExpressionAttributeValues: { ":one": N(1) },
      }),
    );
  await Promise.all([
    ddb.send(new BatchWriteItemCommand({ RequestItems: record("sending", "") })),
    stat(`h:${hour}`),
    stat(`t:${body.template}`),
    stat("c:CN"),
    stat(`s:${app.defaultSign?.S ?? ""}`),
    ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: S(`FREQ#${appId}#${to}`), sk: S(day) },
        UpdateExpression: "ADD #d :one SET #l = :now",
        ConditionExpression: "attribute_not_exists(#d) OR #d < :max",
        ExpressionAttributeNames: { "#d": "day", "#l": "last" },
        ExpressionAttributeValues: { ":one": N(1), ":now": S(now.toISOString()), ":max": N(10) },
      }),
    ),
    ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: S(`USAGE#${appId}`), sk: S(day) },
        UpdateExpression: "ADD #s :one",
        ConditionExpression: "attribute_not_exists(#s) OR #s <= :room",
        ExpressionAttributeNames: { "#s": "sent" },
        ExpressionAttributeValues: { ":one": N(1), ":room": N(1_000_000) },
      }),
    ),
  ]);
  const binding = app.providers?.L?.[0]?.M;
  const sent = await tencent.SendSms({
    PhoneNumberSet: [to],
    SmsSdkAppId: binding?.sdkAppId?.S ?? "",
    TemplateId: tpl.providerTemplateIds?.M?.tencent?.S ?? "",
    SignName: app.defaultSign?.S ?? "",
    TemplateParamSet: body.params,
    SessionContext: id,
  });
  const status = sent.SendStatusSet?.[0];
  const outcome = status?.Code === "Ok" ? "accepted" : "failed";
  await ddb.send(
    new BatchWriteItemCommand({ RequestItems: record(outcome, status?.SerialNo ?? "") }),
  );
  return answer(200, {
    messages: [{ id, to, status: outcome }],
  });
};
