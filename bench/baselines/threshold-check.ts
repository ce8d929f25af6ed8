/**
 * The hand-built checker smsgate's threshold-check function is measured against
 * (docs/performance.md): one scheduled run with nothing due — the same fourteen requests in
 * three round trips as smsgate's checker makes then: the enabled apps from the index in one
 * Query; each app's day-limit item, this hour's and yesterday's hour statistics and its
 * package in one BatchGetItem; then, in parallel, Tencent's PullSmsSendStatus per SdkAppId
 * (then the expired unknowns' query) beside the queries for orphan reports, pending reply
 * forwards and the webhook outbox's eight due shards. It compares nothing (no app has a
 * threshold here), applies no pulled report (smsgate does: one request more when the pull
 * brings any) and sends no alert. Clients made at INIT.
 */
import { BatchGetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { ddb, env, S, table } from "./common";
import { tencent } from "./tencent";

const index = (pk: string, between?: [string, string], limit = 100) =>
  ddb.send(
    new QueryCommand({
      TableName: table,
      IndexName: "gsi1",
      KeyConditionExpression: between ? "#pk = :pk AND #sk BETWEEN :a AND :b" : "#pk = :pk",
      ExpressionAttributeNames: between
        ? { "#pk": "gsi1pk", "#sk": "gsi1sk" }
        : { "#pk": "gsi1pk" },
      ExpressionAttributeValues: between
        ? { ":pk": S(pk), ":a": S(between[0]), ":b": S(between[1]) }
        : { ":pk": S(pk) },
      Limit: limit,
    }),
  );

export const handler = async () => {
  const listed = await ddb.send(
    new QueryCommand({
      TableName: table,
      IndexName: "gsi1",
      KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :sk)",
      ExpressionAttributeNames: { "#pk": "gsi1pk", "#sk": "gsi1sk" },
      ExpressionAttributeValues: { ":pk": S("APPS"), ":sk": S("E#") },
    }),
  );
  const apps = (listed.Items ?? []).map((i) => i.appId?.S ?? "");
  const sdkAppIds = new Set(
    (listed.Items ?? []).flatMap((i) =>
      (i.providers?.L ?? [])
        .map((p) => p.M)
        .filter((p) => p?.provider?.S === "tencent")
        .map((p) => p?.sdkAppId?.S ?? env.TENCENT_SDK_APP_ID ?? ""),
    ),
  );
  const now = Date.now();
  // The app-local day and hour at UTC+8, as the hand-built sender takes them.
  const local = new Date(now + 8 * 3_600_000).toISOString();
  const yesterday = new Date(now + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
  const [today, hour] = [local.slice(0, 10), local.slice(11, 13)];
  const keys = apps.flatMap((a) => [
    { pk: S(`USAGE#${a}`), sk: S(today) },
    { pk: S(`STATS#${a}`), sk: S(`${today}#h:${hour}`) },
    { pk: S(`STATS#${a}`), sk: S(`${yesterday}#h:${hour}`) },
    { pk: S(`APP#${a}`), sk: S("PKG") },
  ]);
  for (let i = 0; i < keys.length; i += 100)
    await ddb.send(
      new BatchGetItemCommand({
        RequestItems: { [table]: { Keys: keys.slice(i, i + 100), ConsistentRead: true } },
      }),
    );
  const iso = new Date(now).toISOString();
  const swept = await Promise.all([
    Promise.all(
      [...sdkAppIds].map((id) => tencent.PullSmsSendStatus({ Limit: 100, SmsSdkAppId: id })),
    ).then(() => index("UNKNOWNS", ["0", new Date(now - 3 * 86_400_000).toISOString()], 200)),
    index("ORPHANS", undefined, 500),
    index("FORWARD#PENDING"),
    ...Array.from({ length: 8 }, (_, s) => index(`OUTBOX#${s}`, ["0", `${iso}~`])),
  ]);
  return { apps: apps.length, due: swept.reduce((n, q) => n + (q.Items?.length ?? 0), 0) };
};
