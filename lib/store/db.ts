/**
 * The DynamoDB adapter behind a small port: plain objects in and out, conditional-check
 * failures turned into ConditionFailed, batch calls chunked and their unprocessed keys
 * retried. Only lib/store talks to DynamoDB, and only through this file.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { type AwsJsonClient, awsJsonClient } from "../aws/client";
import { awsCredentials } from "../config";
import type { Key } from "./keys";

export type Item = Record<string, unknown>;

/** A condition expression did not hold: the domain decides what that means. */
export class ConditionFailed extends Error {
  constructor(options?: { cause?: unknown }) {
    super("condition failed", options);
  }
}

export interface Expression {
  /** UpdateExpression (update only). */
  update?: string;
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

export interface QueryInput {
  index?: "gsi1" | "gsi2" | "gsi3";
  pk: string;
  skBeginsWith?: string;
  skBetween?: [string, string];
  newestFirst?: boolean;
  limit?: number;
  startKey?: Item;
  consistent?: boolean;
}

export interface Db {
  get(key: Key, consistent?: boolean): Promise<Item | undefined>;
  batchGet(keys: Key[], consistent?: boolean): Promise<Item[]>;
  put(item: Item, expr?: Expression): Promise<void>;
  update(
    key: Key,
    expr: Expression & { returnValues?: "ALL_NEW" | "ALL_OLD" },
  ): Promise<Item | undefined>;
  delete(key: Key, expr?: Expression): Promise<void>;
  query(input: QueryInput): Promise<{ items: Item[]; lastKey?: Item }>;
  batchWrite(puts: Item[], deletes?: Key[]): Promise<void>;
}

// --- marshalling (a few lines instead of another dependency) ---

export function toAttr(value: unknown): AttributeValue | undefined {
  if (value === undefined) return undefined;
  if (value === null) return { NULL: true };
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map((v) => toAttr(v) ?? { NULL: true }) };
  // Sets (for ADD/DELETE/contains on a set attribute): never empty, numbers or strings.
  if (value instanceof Set) {
    const xs = [...value];
    return typeof xs[0] === "number" ? { NS: xs.map(String) } : { SS: xs.map(String) };
  }
  if (typeof value === "object") return { M: toAttrs(value as Item) };
  throw new TypeError(`cannot store a ${typeof value}`);
}

export function toAttrs(item: Item): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(item)) {
    const a = toAttr(v);
    if (a) out[k] = a;
  }
  return out;
}

export function fromAttr(a: AttributeValue): unknown {
  if (a.S !== undefined) return a.S;
  if (a.N !== undefined) return Number(a.N);
  if (a.BOOL !== undefined) return a.BOOL;
  if (a.NULL) return null;
  if (a.L) return a.L.map(fromAttr);
  if (a.M) return fromAttrs(a.M);
  if (a.SS) return a.SS;
  if (a.NS) return a.NS.map(Number);
  throw new TypeError("unsupported attribute type");
}

export function fromAttrs(m: Record<string, AttributeValue>): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(m)) out[k] = fromAttr(v);
  return out;
}

const chunk = <T>(xs: T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds the port over one table; the client is made on first use by `client`. */
export function createDb(client: () => AwsJsonClient, table: string): Db {
  // biome-ignore lint/suspicious/noExplicitAny: each call site reads its operation's output
  const send = (operation: string, input: object): Promise<any> => client().call(operation, input);
  // DynamoDB refuses placeholders an expression does not use; builders may offer extras.
  const used = <T>(map: Record<string, T> | undefined, text: string) => {
    const kept = Object.entries(map ?? {}).filter(([k]) =>
      new RegExp(`${k}(?![A-Za-z0-9_])`).test(text),
    );
    return kept.length ? Object.fromEntries(kept) : undefined;
  };
  const exprParts = (e: Expression | undefined) => {
    const text = `${e?.update ?? ""} ${e?.condition ?? ""}`;
    const values = used(e?.values, text);
    return {
      ConditionExpression: e?.condition,
      ExpressionAttributeNames: used(e?.names, text),
      ExpressionAttributeValues: values ? toAttrs(values) : undefined,
    };
  };

  async function guarded<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if ((err as Error).name === "ConditionalCheckFailedException") {
        throw new ConditionFailed({ cause: err });
      }
      throw err;
    }
  }

  return {
    async get(key, consistent = true) {
      const out = await send("GetItem", {
        TableName: table,
        Key: toAttrs({ ...key }),
        ConsistentRead: consistent,
      });
      return out.Item ? fromAttrs(out.Item) : undefined;
    },

    async batchGet(keyList, consistent = true) {
      const unique = [...new Map(keyList.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
      const results = await Promise.all(
        chunk(unique, 100).map(async (part) => {
          const items: Item[] = [];
          let pending: Record<string, AttributeValue>[] = part.map((k) => toAttrs({ ...k }));
          for (let attempt = 0; pending.length > 0; attempt++) {
            if (attempt > 0) await sleep(Math.min(50 * 2 ** attempt, 1000));
            const out = await send("BatchGetItem", {
              RequestItems: { [table]: { Keys: pending, ConsistentRead: consistent } },
            });
            for (const it of out.Responses?.[table] ?? []) items.push(fromAttrs(it));
            pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
            if (attempt > 8 && pending.length)
              throw new Error("BatchGetItem left keys unprocessed");
          }
          return items;
        }),
      );
      return results.flat();
    },

    async put(item, expr) {
      await guarded(() =>
        send("PutItem", { TableName: table, Item: toAttrs(item), ...exprParts(expr) }),
      );
    },

    async update(key, expr) {
      const out = await guarded(() =>
        send("UpdateItem", {
          TableName: table,
          Key: toAttrs({ ...key }),
          UpdateExpression: expr.update,
          ReturnValues: expr.returnValues ?? "NONE",
          ...exprParts(expr),
        }),
      );
      return out.Attributes ? fromAttrs(out.Attributes) : undefined;
    },

    async delete(key, expr) {
      await guarded(() =>
        send("DeleteItem", {
          TableName: table,
          Key: toAttrs({ ...key }),
          ...exprParts(expr),
        }),
      );
    },

    async query(q) {
      const pkName = q.index ? `${q.index}pk` : "pk";
      const skName = q.index ? `${q.index}sk` : "sk";
      const values: Item = { ":pk": q.pk };
      let condition = "#pk = :pk";
      const names: Record<string, string> = { "#pk": pkName };
      if (q.skBeginsWith !== undefined) {
        condition += " AND begins_with(#sk, :sk)";
        names["#sk"] = skName;
        values[":sk"] = q.skBeginsWith;
      } else if (q.skBetween) {
        condition += " AND #sk BETWEEN :a AND :b";
        names["#sk"] = skName;
        values[":a"] = q.skBetween[0];
        values[":b"] = q.skBetween[1];
      }
      const out = await send("Query", {
        TableName: table,
        IndexName: q.index,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: toAttrs(values),
        ScanIndexForward: !q.newestFirst,
        Limit: q.limit,
        ExclusiveStartKey: q.startKey ? toAttrs(q.startKey) : undefined,
        ConsistentRead: q.index ? undefined : q.consistent,
      });
      return {
        items: (out.Items ?? []).map(fromAttrs),
        lastKey: out.LastEvaluatedKey ? fromAttrs(out.LastEvaluatedKey) : undefined,
      };
    },

    async batchWrite(puts, deletes = []) {
      const requests = [
        ...puts.map((p) => ({ PutRequest: { Item: toAttrs(p) } })),
        ...deletes.map((k) => ({ DeleteRequest: { Key: toAttrs({ ...k }) } })),
      ];
      await Promise.all(
        chunk(requests, 25).map(async (part) => {
          let pending = part;
          for (let attempt = 0; pending.length > 0; attempt++) {
            if (attempt > 0) await sleep(Math.min(50 * 2 ** attempt, 1000));
            const out = await send("BatchWriteItem", { RequestItems: { [table]: pending } });
            pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
            if (attempt > 8 && pending.length)
              throw new Error("BatchWriteItem left items unprocessed");
          }
        }),
      );
    },
  };
}

/** Sockets per host, sized to a 200-recipient send's widest round (lib/core/http-request.ts). */
export { MAX_SOCKETS } from "../core/http-request";

/**
 * The DynamoDB client, made when the deps are built (a function's INIT): lib/aws/client.ts.
 * Lambda puts the role's credentials in the environment (lib/config awsCredentials, read on
 * the first call); local endpoints get dummy credentials.
 */
export function dynamoClient(
  opts: { region: string; endpoint?: string },
  onCreate?: (c: AwsJsonClient) => void,
): () => AwsJsonClient {
  const made = awsJsonClient({
    service: "dynamodb",
    target: "DynamoDB_20120810",
    protocol: "1.0",
    region: opts.region,
    endpoint: opts.endpoint,
    credentials: opts.endpoint
      ? { accessKeyId: "local", secretAccessKey: "local" }
      : awsCredentials,
    maxAttempts: 3,
  });
  onCreate?.(made);
  return () => made;
}
