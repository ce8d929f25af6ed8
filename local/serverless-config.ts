/**
 * Reads serverless.yml so the local stack serves exactly the deployed routes and table:
 * local and deployed cannot drift.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export interface HttpRoute {
  functionName: string;
  method: string;
  path: string;
}

interface ServerlessYml {
  functions: Record<
    string,
    { handler: string; events?: Array<{ httpApi?: { method: string; path: string } | "*" }> }
  >;
  resources: { Resources: { Table: { Properties: Record<string, unknown> } } };
}

const root = join(import.meta.dirname, "..");

/** The catch-all route's key, as API Gateway names it in the event. */
export const DEFAULT_ROUTE = "$default";

export function readServerlessYml(): ServerlessYml {
  return parse(readFileSync(join(root, "serverless.yml"), "utf8")) as ServerlessYml;
}

export function httpRoutes(doc = readServerlessYml()): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const [functionName, fn] of Object.entries(doc.functions)) {
    for (const e of fn.events ?? []) {
      // "*" is API Gateway's $default route: what no other route matches.
      if (e.httpApi === "*") routes.push({ functionName, method: "ANY", path: DEFAULT_ROUTE });
      else if (e.httpApi)
        routes.push({ functionName, method: e.httpApi.method.toUpperCase(), path: e.httpApi.path });
    }
  }
  return routes;
}

/** The CreateTable input equivalent to the CloudFormation table resource. */
export function tableDefinition(tableName: string, doc = readServerlessYml()) {
  const p = doc.resources.Resources.Table.Properties as {
    AttributeDefinitions: { AttributeName: string; AttributeType: "S" }[];
    KeySchema: { AttributeName: string; KeyType: "HASH" | "RANGE" }[];
    GlobalSecondaryIndexes: {
      IndexName: string;
      KeySchema: { AttributeName: string; KeyType: "HASH" | "RANGE" }[];
      Projection: { ProjectionType: "ALL" };
    }[];
    TimeToLiveSpecification: { AttributeName: string };
  };
  return {
    TableName: tableName,
    AttributeDefinitions: p.AttributeDefinitions,
    KeySchema: p.KeySchema,
    GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
    BillingMode: "PAY_PER_REQUEST" as const,
    ttlAttribute: p.TimeToLiveSpecification.AttributeName,
  };
}
