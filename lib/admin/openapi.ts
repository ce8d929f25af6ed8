/** GET /openapi.json: the document generated from every function's routes (scripts/openapi.ts). */
import openApi from "../http/openapi.json";
import type { Route } from "../http/routes";
import { json } from "../http/wrapper";
import { originOf } from "./access";

export const openApiRoutes: Route[] = [
  {
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    access: "none",
    async handle(ctx) {
      return json(200, { ...openApi, servers: [{ url: originOf(ctx) }] });
    },
  },
];
