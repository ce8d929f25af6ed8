/** The campaigns function's routes (docs/api.md "Campaigns and customer groups"). */
import * as z from "zod/mini";
import { decodeCursor, encodeCursor } from "../core/cursor";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import type { Principal } from "../core/model";
import { authorize } from "../http/auth";
import { noContent, type Route } from "../http/routes";
import { type HttpResponse, json, parseBody, validate } from "../http/wrapper";
import { keys } from "../store/keys";
import {
  campaignResults,
  cancelCampaign,
  createCampaign,
  createGroup,
  deleteGroup,
  getCampaign,
  getGroup,
  importMembers,
  listCampaigns,
  listGroups,
  listMembers,
  pauseCampaign,
  removeMember,
  resumeCampaign,
  startCampaign,
  uploadRecipients,
} from "./api";

const iso = z.iso.datetime({ offset: true });
const param = z.string().check(z.maxLength(64, "each param is at most 64 characters"));

export const campaignBodySchema = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(128)),
  template: z.string().check(z.minLength(1), z.maxLength(64)),
  sign: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
  sendAt: z.optional(iso),
  group: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  params: z.optional(z.array(param).check(z.maxLength(32))),
});
export const startBodySchema = z.strictObject({ sendAt: z.optional(iso) });
export const groupBodySchema = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(128)),
});
export const membersBodySchema = z.strictObject({
  phones: z.array(z.string().check(z.maxLength(32))),
});
const pageQuery = z.object({
  limit: z._default(
    z.coerce
      .number()
      .check(z.refine(Number.isInteger, "must be a whole number"), z.gte(1), z.lte(1000)),
    100,
  ),
  cursor: z.optional(z.string()),
  status: z.optional(z.enum(["pending", "submitted", "rejected", "failed", "unknown"])),
  appId: z.optional(z.string()),
});

/**
 * The app a campaign request acts for: an app key's own (with the scope), or, for reads,
 * the one the operator names with ?appId=. Only app keys send, as on POST /v1/messages.
 */
function appFor(p: Principal, scope: "send" | "read", query: Record<string, string>): string {
  if (p.appId === "*") {
    if (scope === "send")
      throw new AppError(
        "AuthFailure.UnauthorizedOperation",
        "Campaigns send as an app: use the app's key with the `send` scope.",
      );
    if (!query.appId)
      throw new AppError(
        "InvalidParameter",
        "appId: the operator key must name the app (?appId=…).",
      );
    return query.appId;
  }
  authorize(p, scope);
  return p.appId;
}

const id = (params: Record<string, string>) => params.id ?? "";

/** A file body: its bytes and type (XLSX, CSV in UTF-8 or GBK). */
const fileOf = (req: { headers: Record<string, string>; bodyBytes: Buffer }) => ({
  body: req.bodyBytes,
  contentType: req.headers["content-type"] ?? "text/csv",
});

const wantsCsv = (headers: Record<string, string>) => (headers.accept ?? "").includes("text/csv");

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

function resultsCsv(
  rows: {
    row: number;
    to: string;
    params: string[];
    status: string;
    code?: string;
    messageId?: string;
  }[],
  next: string | undefined,
  path: string,
): HttpResponse {
  const lines = ["row,to,status,code,messageId,params"];
  for (const r of rows)
    lines.push(
      [String(r.row), r.to, r.status, r.code ?? "", r.messageId ?? "", r.params.join("|")]
        .map(csvCell)
        .join(","),
    );
  return {
    statusCode: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      ...(next ? { link: `<${path}?cursor=${next}>; rel="next"` } : {}),
    },
    // UTF-8 with BOM, so Excel opens Chinese text correctly.
    body: `\ufeff${lines.join("\r\n")}\r\n`,
  };
}

/** POST /v1/campaigns/{id}/<action>: one state change of the campaign, answered with it. */
function stateChange(
  action: string,
  summary: string,
  change: (deps: Deps, appId: string, campaignId: string) => Promise<unknown>,
): Route {
  return {
    method: "post",
    path: `/v1/campaigns/{id}/${action}`,
    summary,
    access: "send",
    async handle({ deps, req, principal }) {
      return json(200, await change(deps, appFor(principal, "send", req.query), id(req.params)));
    },
  };
}

export const campaignRoutes: Route[] = [
  {
    method: "post",
    path: "/v1/campaigns",
    summary: "Create a campaign (a draft): one template, many recipients",
    access: "send",
    body: campaignBodySchema,
    ok: 201,
    async handle({ deps, req, principal }) {
      const appId = appFor(principal, "send", req.query);
      const body = parseBody(req, campaignBodySchema);
      return json(
        201,
        await createCampaign(deps, appId, body).then((c) => ({ ...c, appId: undefined })),
      );
    },
  },
  {
    method: "get",
    path: "/v1/campaigns",
    summary: "The app's campaigns, newest first",
    access: "read",
    query: ["limit", "cursor", "appId"],
    async handle({ deps, req, principal }) {
      const appId = appFor(principal, "read", req.query);
      const q = validate(pageQuery, req.query);
      const page = await listCampaigns(
        deps,
        appId,
        Math.min(q.limit, 100),
        decodeCursor(q.cursor, `APP#${appId}`),
      );
      return json(200, { campaigns: page.campaigns, cursor: encodeCursor(page.lastKey) });
    },
  },
  {
    method: "get",
    path: "/v1/campaigns/{id}",
    summary: "A campaign: status, total, estimate, counts and times",
    access: "read",
    query: ["appId"],
    async handle({ deps, req, principal }) {
      return json(
        200,
        await getCampaign(deps, appFor(principal, "read", req.query), id(req.params)),
      );
    },
  },
  {
    method: "post",
    path: "/v1/campaigns/{id}/recipients",
    summary:
      "Append recipients: a CSV (UTF-8 or GBK) or XLSX body, ≤ 5 MB a call; first column the number, then {1}…{n}",
    access: "send",
    async handle({ deps, req, principal }) {
      const appId = appFor(principal, "send", req.query);
      const f = fileOf(req);
      return json(200, await uploadRecipients(deps, appId, id(req.params), f.body, f.contentType));
    },
  },
  {
    method: "post",
    path: "/v1/campaigns/{id}/start",
    summary: "Start now, or at sendAt; 409 when the estimate exceeds the prepaid balance",
    access: "send",
    body: startBodySchema,
    async handle({ deps, req, principal }) {
      const appId = appFor(principal, "send", req.query);
      const body = parseBody(req, startBodySchema);
      return json(200, await startCampaign(deps, appId, id(req.params), body));
    },
  },
  stateChange("pause", "Pause: chunks in flight finish, no further chunk starts", pauseCampaign),
  stateChange("resume", "Resume a paused campaign", resumeCampaign),
  stateChange(
    "cancel",
    "Cancel: rows not yet sent stay pending and are never sent",
    cancelCampaign,
  ),
  {
    method: "get",
    path: "/v1/campaigns/{id}/recipients",
    summary: "Per-row results (JSON, or CSV with Accept: text/csv), with a cursor",
    access: "read",
    query: ["status", "limit", "cursor", "appId"],
    async handle({ deps, req, principal }) {
      const appId = appFor(principal, "read", req.query);
      const q = validate(pageQuery, req.query);
      const partition = keys.campaignChunks(appId, id(req.params));
      const page = await campaignResults(deps, appId, id(req.params), {
        status: q.status,
        limit: q.limit,
        startKey: decodeCursor(q.cursor, partition),
      });
      const cursor = encodeCursor(page.lastKey);
      if (wantsCsv(req.headers)) return resultsCsv(page.recipients, cursor, req.path);
      return json(200, { recipients: page.recipients, cursor });
    },
  },
  {
    method: "post",
    path: "/v1/groups",
    summary: "Create a customer group",
    access: "send",
    body: groupBodySchema,
    ok: 201,
    async handle({ deps, req, principal }) {
      const appId = appFor(principal, "send", req.query);
      const { appId: _a, ...g } = await createGroup(
        deps,
        appId,
        parseBody(req, groupBodySchema).name,
      );
      return json(201, g);
    },
  },
  {
    method: "get",
    path: "/v1/groups",
    summary: "The app's groups with their member counts",
    access: "read",
    query: ["appId"],
    async handle({ deps, req, principal }) {
      const groups = await listGroups(deps, appFor(principal, "read", req.query));
      return json(200, { groups: groups.map(({ appId: _a, ...g }) => g) });
    },
  },
  {
    method: "post",
    path: "/v1/groups/{id}/members",
    summary: 'Add members: CSV or XLSX as for campaigns, or JSON {"phones":[…≤100]}',
    access: "send",
    body: membersBodySchema,
    async handle({ deps, req, principal }) {
      const appId = appFor(principal, "send", req.query);
      const type = req.headers["content-type"] ?? "";
      const input = type.includes("json")
        ? { phones: parseBody(req, membersBodySchema).phones }
        : { file: fileOf(req) };
      return json(200, await importMembers(deps, appId, id(req.params), input));
    },
  },
  {
    method: "get",
    path: "/v1/groups/{id}/members",
    summary: "A group's members in number order, with a cursor",
    access: "read",
    query: ["limit", "cursor", "appId"],
    async handle({ deps, req, principal }) {
      const appId = appFor(principal, "read", req.query);
      const q = validate(pageQuery, req.query);
      const g = await getGroup(deps, appId, id(req.params));
      const page = await listMembers(
        deps,
        appId,
        g.id,
        q.limit,
        decodeCursor(q.cursor, keys.groupMembers(appId, g.id)),
      );
      return json(200, { members: page.phones, cursor: encodeCursor(page.lastKey) });
    },
  },
  {
    method: "delete",
    path: "/v1/groups/{id}/members/{phone}",
    summary: "Remove one member",
    access: "send",
    ok: 204,
    async handle({ deps, req, principal }) {
      await removeMember(
        deps,
        appFor(principal, "send", req.query),
        id(req.params),
        req.params.phone ?? "",
      );
      return noContent();
    },
  },
  {
    method: "delete",
    path: "/v1/groups/{id}",
    summary: "Delete a group and its members (campaigns already made keep their rows)",
    access: "send",
    ok: 204,
    async handle({ deps, req, principal }) {
      await deleteGroup(deps, appFor(principal, "send", req.query), id(req.params));
      return noContent();
    },
  },
];
