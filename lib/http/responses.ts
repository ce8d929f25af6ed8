/**
 * The success answer of every route, as JSON Schema (2020-12, OpenAPI 3.1), by route key
 * ("GET /v1/apps"). lib/http/openapi.ts joins them to the route declarations, so the route
 * modules stay as they are; a test checks every route has one and that real answers of the
 * local stack validate against them (test/integration/openapi.test.ts). Objects stay open
 * (`additionalProperties` allowed): a new field is not a breaking change. docs/api.md is the
 * prose for each field.
 */

type Schema = Record<string, unknown>;

const str: Schema = { type: "string" };
const int: Schema = { type: "integer", minimum: 0 };
const time: Schema = { type: "string", format: "date-time" };
const phone: Schema = { type: "string", pattern: "^\\+\\d{6,15}$", description: "E.164" };
const cursor: Schema = {
  type: ["string", "null"],
  description: "Opaque; pass it back as `cursor` for the next page. null: no more.",
};
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: "object",
  properties,
  ...(required.length ? { required } : {}),
});
const list = (name: string, item: Schema, extra: Record<string, Schema> = {}): Schema =>
  obj({ [name]: { type: "array", items: item }, ...extra }, [name]);
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export const STATUSES = [
  "submitted",
  "delivered",
  "undelivered",
  "expired",
  "rejected",
  "failed",
  "unknown",
];
const SEND_STATUSES = ["submitted", "rejected", "failed", "unknown", "allowed"];
const STATUS_EVENTS = ["submitted", "delivered", "undelivered", "failed", "expired"];
const PROVIDERS = ["tencent", "huawei"];
const SCOPES = ["send", "read", "admin"];
const EVENTS = ["overVolume", "limitReached", "packageBalance", "antiFraud", "frequencyLimit"];
const KINDS = ["verification", "notification", "marketing"];
const REGIONS = ["domestic", "international"];
/** The operator's currency, up to four decimals (the international package). */
const money: Schema = { type: "number", minimum: 0 };
const onExhausted: Schema = { type: "string", enum: ["stop", "continue"] };
/** Balances: domestic segments, international money; below zero after a "continue" overdraw. */
const balances: Schema = obj({
  domestic: { type: "integer", description: "segments" },
  international: { type: "number", description: "the operator's currency" },
});

/** Shared shapes, as components/schemas. */
export const COMPONENT_SCHEMAS: Record<string, Schema> = {
  Error: obj(
    {
      error: obj(
        {
          code: { type: "string", description: "A catalogue code (docs/api.md, Errors)" },
          message: { type: "string", description: "What to fix" },
          requestId: str,
        },
        ["code", "message", "requestId"],
      ),
    },
    ["error"],
  ),
  SendResult: obj(
    {
      to: str,
      id: str,
      status: { type: "string", enum: SEND_STATUSES },
      code: str,
      message: str,
      segments: int,
      country: str,
    },
    ["to", "status", "code"],
  ),
  Message: obj(
    {
      id: str,
      to: phone,
      template: str,
      params: { type: "array", items: str },
      sign: str,
      status: { type: "string", enum: STATUSES },
      code: str,
      message: str,
      segments: int,
      country: str,
      context: str,
      campaign: { ...str, description: "the campaign that sent it" },
      provider: { type: "string", enum: PROVIDERS },
      providerMessageId: str,
      carrierCode: str,
      createdAt: time,
      submittedAt: time,
      reportedAt: time,
      receivedAt: time,
      history: { type: "array", items: obj({ status: str, at: time }) },
    },
    ["id", "to", "template", "status", "createdAt"],
  ),
  App: obj(
    {
      appId: str,
      name: str,
      enabled: { type: "boolean" },
      defaultSign: str,
      timeZone: { type: "string", description: "IANA time zone; days are counted in it" },
      providers: {
        type: "array",
        items: obj({ provider: { type: "string", enum: PROVIDERS } }, ["provider"]),
      },
      signatures: { type: "array", items: str },
      thresholds: { type: "object" },
      frequency: { type: "object" },
      // Day-counter shards: `count` from the app-local day `from`, `before` until then.
      usageShards: obj({ count: int, from: { type: "string", format: "date" }, before: int }, [
        "count",
      ]),
      whitelistSize: int,
      contacts: { type: "object", additionalProperties: ref("Contact") },
      replyWebhook: obj({ url: { type: "string", format: "uri" }, secretSet: { type: "boolean" } }),
      statusWebhook: obj({
        url: { type: "string", format: "uri" },
        secretSet: { type: "boolean" },
        events: { type: "array", items: { type: "string", enum: [...STATUS_EVENTS] } },
      }),
      callbackUrls: { type: "object" },
      createdAt: time,
      updatedAt: time,
    },
    ["appId", "name", "enabled", "providers", "createdAt", "updatedAt"],
  ),
  Template: obj(
    {
      id: str,
      kind: { type: "string", enum: KINDS },
      region: { type: "string", enum: REGIONS },
      body: str,
      variables: int,
      providerTemplateIds: obj({ tencent: str, huawei: str }),
      createdAt: time,
      updatedAt: time,
    },
    ["id", "kind", "region", "body", "variables"],
  ),
  Contact: obj(
    {
      id: str,
      name: str,
      phone,
      email: { type: "string", format: "email" },
      events: { type: "array", items: { type: "string", enum: EVENTS } },
    },
    ["id", "name", "phone", "events"],
  ),
  OptOut: obj({ sign: str, at: time, source: str }),
  Stats: obj({
    requests: int,
    submitted: int,
    rejected: int,
    failed: int,
    unknown: int,
    segments: int,
    successRate: { type: ["number", "null"] },
    delivered: int,
    undelivered: int,
    reported: int,
    unreported: int,
    receiptRate: { type: ["number", "null"] },
  }),
};

const callbackAck: Schema = {
  description: "The acknowledgement the vendor expects (Tencent JSON; Huawei an empty 200)",
};

/** Success answers by route key: status, schema, and the headers it carries. */
export const RESPONSES: Record<string, { schema?: Schema; headers?: Record<string, Schema> }> = {
  "POST /v1/messages": {
    schema: obj(
      {
        requestId: str,
        dryRun: { type: "boolean" },
        messages: { type: "array", items: ref("SendResult") },
      },
      ["requestId", "messages"],
    ),
  },
  "GET /v1/messages": { schema: list("messages", ref("Message"), { cursor }) },
  "GET /v1/messages/{id}": { schema: ref("Message") },
  "GET /v1/apps": { schema: list("apps", ref("App")) },
  "POST /v1/apps": {
    schema: obj(
      {
        app: ref("App"),
        apiKey: { type: "string", description: "Shown once" },
        apiKeyId: str,
        callbackUrls: { type: "object" },
      },
      ["app", "apiKey", "apiKeyId", "callbackUrls"],
    ),
  },
  "GET /v1/apps/{appId}": { schema: ref("App"), headers: { ETag: str } },
  "PATCH /v1/apps/{appId}": { schema: ref("App"), headers: { ETag: str } },
  "GET /v1/apps/{appId}/templates": { schema: list("templates", ref("Template")) },
  "PUT /v1/apps/{appId}/templates/{id}": { schema: ref("Template") },
  "PUT /v1/apps/{appId}/signatures/{name}": {
    schema: obj({ signatures: { type: "array", items: str } }),
  },
  "GET /v1/apps/{appId}/keys": {
    schema: list(
      "keys",
      obj(
        {
          id: str,
          scopes: { type: "array", items: { type: "string", enum: SCOPES } },
          createdAt: time,
        },
        ["id", "scopes"],
      ),
    ),
  },
  "POST /v1/apps/{appId}/keys": {
    schema: obj(
      {
        id: str,
        key: { type: "string", description: "Shown once" },
        scopes: { type: "array", items: { type: "string", enum: SCOPES } },
      },
      ["id", "key", "scopes"],
    ),
  },
  "DELETE /v1/apps/{appId}/keys/{id}": {},
  "GET /v1/callbacks": {
    schema: obj({ tencent: { type: "object" }, huawei: { type: "object" } }, ["tencent", "huawei"]),
  },
  "POST /v1/apps/{appId}/callback-tokens": {
    schema: obj({ callbackUrls: { type: "object" }, previousValidUntil: time }, [
      "callbackUrls",
      "previousValidUntil",
    ]),
  },
  "GET /v1/apps/{appId}/whitelist": {
    schema: list("whitelist", obj({ phone, addedAt: time }, ["phone"])),
  },
  "PUT /v1/apps/{appId}/whitelist/{phone}": { schema: obj({ phone }, ["phone"]) },
  "DELETE /v1/apps/{appId}/whitelist/{phone}": {},
  "GET /v1/apps/{appId}/opt-outs": {
    schema: list(
      "optOuts",
      obj({ phone, optOuts: { type: "array", items: ref("OptOut") } }, ["phone"]),
      { cursor },
    ),
  },
  "POST /v1/apps/{appId}/opt-outs": { schema: obj({ phone }, ["phone"]) },
  "GET /v1/apps/{appId}/opt-outs/{phone}": {
    schema: obj(
      {
        phone,
        optOuts: { type: "array", items: ref("OptOut") },
        audit: { type: "array", items: { type: "object" } },
      },
      ["phone", "optOuts", "audit"],
    ),
  },
  "DELETE /v1/apps/{appId}/opt-outs/{phone}": {},
  "GET /v1/apps/{appId}/contacts": { schema: list("contacts", ref("Contact")) },
  "PUT /v1/apps/{appId}/contacts/{id}": { schema: ref("Contact") },
  "DELETE /v1/apps/{appId}/contacts/{id}": {},
  "GET /v1/apps/{appId}/alerts": {
    schema: list(
      "alerts",
      obj(
        {
          key: str,
          event: { type: "string", enum: EVENTS },
          code: { type: "string", description: "The short code the SMS carries" },
          subject: str,
          value: { type: ["number", "string"] },
          threshold: { type: "number", minimum: 0 },
          at: time,
          updatedAt: time,
          state: { type: "string", enum: ["done", "pending"] },
          attempts: { type: "integer", minimum: 1 },
          sent: {
            type: "array",
            items: obj(
              {
                channel: { type: "string", enum: ["sms", "email"] },
                contact: str,
                status: {
                  type: "string",
                  enum: ["sending", "submitted", "unknown", "failed", "sent"],
                },
                messageId: str,
                code: str,
                at: time,
                attempts: { type: "integer", minimum: 1 },
              },
              ["channel", "contact", "status"],
            ),
          },
        },
        ["key", "event", "subject", "at", "state", "sent"],
      ),
    ),
  },
  "GET /v1/apps/{appId}/package": {
    schema: obj(
      {
        purchased: obj({
          domestic: obj({ segments: int, alertBelow: int, onExhausted }),
          international: obj({
            amount: money,
            alertPercents: { type: "array", items: { type: "number" } },
            prices: {
              type: "object",
              additionalProperties: money,
              description: "ISO country → the price of one segment",
            },
            defaultPrice: money,
            onExhausted,
          }),
          setAt: time,
        }),
        remaining: balances,
        period: obj(
          {
            startedAt: { ...time, description: "the last PUT or top-up: a new alert period" },
            bought: balances,
          },
          ["startedAt", "bought"],
        ),
      },
      ["purchased", "remaining"],
    ),
  },
  "GET /v1/apps/{appId}/package/top-ups": {
    schema: list("topUps", ref("TopUp"), { cursor }),
  },
  "POST /v1/apps/{appId}/package/top-ups": {
    schema: {
      allOf: [
        ref("PackageView"),
        obj({ topUps: { type: "array", items: ref("TopUp") } }, ["topUps"]),
      ],
    },
  },
  "GET /v1/replies": {
    schema: list(
      "replies",
      obj(
        {
          id: str,
          phone,
          text: str,
          sign: str,
          provider: { type: "string", enum: PROVIDERS },
          receivedAt: time,
        },
        ["id", "phone", "text"],
      ),
    ),
  },
  "GET /v1/stats": {
    schema: obj(
      {
        appId: str,
        from: { type: "string", format: "date" },
        to: { type: "string", format: "date" },
        groupBy: { type: "string", enum: ["hour", "day", "template", "sign", "country"] },
        groups: { type: "array", items: ref("Stats") },
        total: ref("Stats"),
        carrierCodes: { type: "object", additionalProperties: { type: "integer" } },
      },
      ["groups", "total"],
    ),
  },
  "GET /openapi.json": {
    schema: obj({ openapi: str, paths: { type: "object" } }, ["openapi", "paths"]),
  },
  // Tencent's own envelope (docs/providers/tencent.md §1): {"Response": {…, "RequestId"}}.
  "POST /": {
    schema: obj({ Response: { type: "object" } }, ["Response"]),
  },
  "POST /v1/compat/logto": { schema: { type: "object", description: "the send's answer" } },
  // Campaigns and groups (lib/campaigns/routes.ts; the fields in docs/api.md).
  "POST /v1/campaigns": {
    schema: obj({ id: str, status: str, total: int }, ["id", "status"]),
  },
  "GET /v1/campaigns": { schema: list("campaigns", { type: "object" }) },
  "GET /v1/campaigns/{id}": {
    schema: obj({ id: str, status: str, total: int, maxRecipients: int }, ["id", "status"]),
  },
  "POST /v1/campaigns/{id}/recipients": {
    schema: obj({ accepted: int, rejected: { type: "array" }, total: int }, ["accepted"]),
  },
  "POST /v1/campaigns/{id}/start": {
    schema: obj({ id: str, status: str, total: int }, ["id", "status"]),
  },
  "POST /v1/campaigns/{id}/pause": {
    schema: obj({ id: str, status: str, total: int }, ["id", "status"]),
  },
  "POST /v1/campaigns/{id}/resume": {
    schema: obj({ id: str, status: str, total: int }, ["id", "status"]),
  },
  "POST /v1/campaigns/{id}/cancel": {
    schema: obj({ id: str, status: str, total: int }, ["id", "status"]),
  },
  "GET /v1/campaigns/{id}/recipients": { schema: list("recipients", { type: "object" }) },
  "POST /v1/groups": { schema: obj({ id: str, name: str }, ["id"]) },
  "GET /v1/groups": { schema: list("groups", { type: "object" }) },
  "POST /v1/groups/{id}/members": {
    schema: obj({ accepted: int, rejected: { type: "array" }, total: int }, ["accepted"]),
  },
  "GET /v1/groups/{id}/members": { schema: list("members", { type: "object" }) },
  "DELETE /v1/groups/{id}/members/{phone}": {},
  "DELETE /v1/groups/{id}": {},
  "GET /v1/stats/verification": {
    schema: obj(
      {
        appId: str,
        date: { type: "string", format: "date" },
        rule: { type: "object" },
        hours: { type: "array", items: { type: "object" } },
      },
      ["hours"],
    ),
  },
  // The console page and its hashed assets: HTML, script and style, not JSON.
  "GET /console": { schema: { type: "string", description: "text/html" } },
  "GET /console/{asset}": { schema: { type: "string", description: "script or style" } },
  "PUT /v1/apps/{appId}/package": { schema: { $ref: "#/components/schemas/PackageView" } },
  "POST /callbacks/{provider}/status/{token}": { schema: callbackAck },
  "POST /callbacks/{provider}/reply/{token}": { schema: callbackAck },
};

COMPONENT_SCHEMAS.PackageView = RESPONSES["GET /v1/apps/{appId}/package"]?.schema as Schema;
COMPONENT_SCHEMAS.TopUp = obj(
  {
    id: str,
    at: time,
    by: { type: "string", description: "who topped up: operator" },
    requestId: str,
    region: { type: "string", enum: REGIONS },
    amount: { type: "number", exclusiveMinimum: 0, description: "segments, or money abroad" },
    balanceAfter: { type: "number", description: "the region's balance right after it" },
  },
  ["id", "at", "by", "region", "amount", "balanceAfter"],
);
(RESPONSES["GET /v1/apps/{appId}/package"] as { schema: Schema }).schema = ref("PackageView");

/** operationIds, for generated clients: stable names, one per route. */
export const OPERATION_IDS: Record<string, string> = {
  "POST /v1/messages": "sendMessages",
  "GET /v1/messages": "listMessages",
  "GET /v1/messages/{id}": "getMessage",
  "GET /v1/apps": "listApps",
  "POST /v1/apps": "createApp",
  "GET /v1/apps/{appId}": "getApp",
  "PATCH /v1/apps/{appId}": "updateApp",
  "GET /v1/apps/{appId}/templates": "listTemplates",
  "PUT /v1/apps/{appId}/templates/{id}": "putTemplate",
  "PUT /v1/apps/{appId}/signatures/{name}": "approveSignature",
  "GET /v1/apps/{appId}/keys": "listKeys",
  "POST /v1/apps/{appId}/keys": "createKey",
  "DELETE /v1/apps/{appId}/keys/{id}": "revokeKey",
  "POST /v1/apps/{appId}/callback-tokens": "rotateCallbackTokens",
  "GET /v1/callbacks": "getAccountCallbacks",
  "GET /v1/apps/{appId}/whitelist": "listWhitelist",
  "PUT /v1/apps/{appId}/whitelist/{phone}": "addToWhitelist",
  "DELETE /v1/apps/{appId}/whitelist/{phone}": "removeFromWhitelist",
  "GET /v1/apps/{appId}/opt-outs": "listOptOuts",
  "POST /v1/apps/{appId}/opt-outs": "addOptOut",
  "GET /v1/apps/{appId}/opt-outs/{phone}": "getOptOut",
  "DELETE /v1/apps/{appId}/opt-outs/{phone}": "removeOptOut",
  "GET /v1/apps/{appId}/contacts": "listContacts",
  "PUT /v1/apps/{appId}/contacts/{id}": "putContact",
  "DELETE /v1/apps/{appId}/contacts/{id}": "removeContact",
  "GET /v1/apps/{appId}/alerts": "listAlerts",
  "GET /v1/apps/{appId}/package": "getPackage",
  "PUT /v1/apps/{appId}/package": "setPackage",
  "POST /v1/apps/{appId}/package/top-ups": "topUpPackage",
  "GET /v1/apps/{appId}/package/top-ups": "listPackageTopUps",
  "GET /v1/replies": "listReplies",
  "GET /v1/stats": "getStats",
  "GET /openapi.json": "getOpenApi",
  "GET /v1/stats/verification": "getVerificationMonitor",
  "POST /v1/campaigns": "createCampaign",
  "GET /v1/campaigns": "listCampaigns",
  "GET /v1/campaigns/{id}": "getCampaign",
  "POST /v1/campaigns/{id}/recipients": "addCampaignRecipients",
  "POST /v1/campaigns/{id}/start": "startCampaign",
  "POST /v1/campaigns/{id}/pause": "pauseCampaign",
  "POST /v1/campaigns/{id}/resume": "resumeCampaign",
  "POST /v1/campaigns/{id}/cancel": "cancelCampaign",
  "GET /v1/campaigns/{id}/recipients": "listCampaignRecipients",
  "POST /v1/groups": "createGroup",
  "GET /v1/groups": "listGroups",
  "POST /v1/groups/{id}/members": "addGroupMembers",
  "GET /v1/groups/{id}/members": "listGroupMembers",
  "DELETE /v1/groups/{id}/members/{phone}": "removeGroupMember",
  "DELETE /v1/groups/{id}": "deleteGroup",
  "POST /": "tencentCompatible",
  "POST /v1/compat/logto": "logtoSend",
  "GET /console": "getConsole",
  "GET /console/{asset}": "getConsoleAsset",
  "POST /callbacks/{provider}/status/{token}": "vendorStatusCallback",
  "POST /callbacks/{provider}/reply/{token}": "vendorReplyCallback",
};

/** Query parameters' schemas by name (they arrive as strings; these say what is accepted). */
export const QUERY_SCHEMAS: Record<string, Schema> = {
  limit: { type: "integer", minimum: 1, maximum: 500 },
  cursor: { type: "string" },
  phone: { type: "string", description: "E.164, or 11 mainland digits" },
  from: { type: "string", description: "ISO time or YYYY-MM-DD (a day in the app's time zone)" },
  to: { type: "string", description: "ISO time or YYYY-MM-DD (a day in the app's time zone)" },
  groupBy: { type: "string", enum: ["day", "template", "country"] },
  sign: { type: "string" },
  appId: { type: "string", description: "With the operator key: which app" },
  all: { type: "boolean" },
};
