/** Apps (settings, capped whitelist and contact maps) and their API keys. */
import type { ApiKeyRecord, App } from "../core/model";
import type { CallbackTokens } from "../core/secrets";
import { ConditionFailed, type Item } from "./db";
import { queryAll, type StoreContext, strip } from "./items";
import { keys } from "./keys";

export const MAX_WHITELIST = 300;
export const MAX_CONTACTS = 5;
const CAPS = { whitelist: MAX_WHITELIST, contacts: MAX_CONTACTS };

export function appsStore({ db }: StoreContext) {
  const appItem = (app: App): Item => ({
    ...keys.app(app.appId),
    type: "App",
    ...app,
    gsi1pk: keys.apps(),
    gsi1sk: keys.appListing(app.enabled, app.appId),
  });

  /** Apps from the GSI listing; only those whose listing key starts with `prefix`, if given. */
  const listApps = async (prefix?: string): Promise<App[]> =>
    (await queryAll(db, { index: "gsi1", pk: keys.apps(), skBeginsWith: prefix })).map(
      (i) => strip<App>(i, "App") as App,
    );

  return {
    /**
     * Sets `key` in one of the app's capped maps (whitelist ≤ 300, contacts ≤ 5), refusing a
     * new key once the map is full: one conditional update on `size(map)`.
     */
    async putInAppMap(
      appId: string,
      map: "whitelist" | "contacts",
      key: string,
      value: unknown,
      at: string,
    ): Promise<"saved" | "full" | "missing"> {
      const names = { "#m": map, "#k": key };
      try {
        // Apps made before the map existed get an empty one first.
        await db.update(keys.app(appId), {
          update: "SET #m = if_not_exists(#m, :empty), updatedAt = :at",
          condition: "attribute_exists(pk)",
          names,
          values: { ":empty": {}, ":at": at },
        });
        await db.update(keys.app(appId), {
          update: "SET #m.#k = :v, updatedAt = :at, version = if_not_exists(version, :zero) + :one",
          condition: "size(#m) < :max OR attribute_exists(#m.#k)",
          names,
          values: { ":v": value, ":at": at, ":max": CAPS[map], ":zero": 0, ":one": 1 },
        });
        return "saved";
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        return (await db.get(keys.app(appId))) ? "full" : "missing";
      }
    },

    async removeFromAppMap(
      appId: string,
      map: "whitelist" | "contacts",
      key: string,
      at: string,
    ): Promise<void> {
      try {
        // An app whose map never existed has nothing to remove (DynamoDB refuses a path
        // into a missing map).
        await db.update(keys.app(appId), {
          update:
            "REMOVE #m.#k SET updatedAt = :at, version = if_not_exists(version, :zero) + :one",
          condition: "attribute_exists(#m)",
          names: { "#m": map, "#k": key },
          values: { ":at": at, ":zero": 0, ":one": 1 },
        });
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
      }
    },

    /** Counts manual opt-outs (≤ 1,000 per app); false when the cap is reached. */
    async countManualOptOut(appId: string, delta: number): Promise<boolean> {
      if (delta > 1000) return false;
      try {
        await db.update(keys.app(appId), {
          update: "ADD manualOptOuts :d",
          condition:
            delta > 0 ? "attribute_not_exists(manualOptOuts) OR manualOptOuts <= :room" : undefined,
          values: { ":d": delta, ...(delta > 0 ? { ":room": 1000 - delta } : {}) },
        });
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    async getApp(appId: string): Promise<App | undefined> {
      return strip<App>(await db.get(keys.app(appId)), "App");
    },

    /** Creates an app; fails with ConditionFailed if the id is taken. */
    async createApp(app: App): Promise<void> {
      await db.put(appItem(app), { condition: "attribute_not_exists(pk)" });
    },

    /**
     * Changes some settings of an app in place (SET/REMOVE of those attributes only), so a
     * concurrent whitelist change is never overwritten. Keeps the enabled-apps index in step.
     */
    async updateApp(
      appId: string,
      set: Partial<App>,
      remove: (keyof App)[] = [],
      /** The version the change was computed from (ETag): fails with ConditionFailed if it moved on. */
      expectedVersion?: number,
    ): Promise<void> {
      // Every change moves the version on, so an ETag names one state of the settings.
      const names: Record<string, string> = { "#ver": "version" };
      const values: Record<string, unknown> = { ":one": 1, ":zero": 0 };
      const sets: string[] = ["#ver = if_not_exists(#ver, :zero) + :one"];
      const removes: string[] = [];
      for (const [i, [k, v]] of Object.entries(set).entries()) {
        names[`#s${i}`] = k;
        values[`:s${i}`] = v;
        sets.push(`#s${i} = :s${i}`);
      }
      for (const [i, k] of remove.entries()) {
        names[`#r${i}`] = k;
        removes.push(`#r${i}`);
      }
      if (set.enabled !== undefined) {
        Object.assign(names, { "#gs": "gsi1sk" });
        Object.assign(values, { ":gs": keys.appListing(set.enabled, appId) });
        sets.push("#gs = :gs");
      }
      await db.update(keys.app(appId), {
        update: [
          sets.length ? `SET ${sets.join(", ")}` : "",
          removes.length ? `REMOVE ${removes.join(", ")}` : "",
        ]
          .join(" ")
          .trim(),
        condition:
          expectedVersion === undefined
            ? "attribute_exists(pk)"
            : expectedVersion === 0
              ? "attribute_exists(pk) AND attribute_not_exists(#ver)"
              : "attribute_exists(pk) AND #ver = :expected",
        names,
        values: expectedVersion ? { ...values, ":expected": expectedVersion } : values,
      });
    },

    /**
     * Moves an app's callback tokens to the next generation, keeping the current one as the
     * previous for a while; conditional on the generation read, so two rotations never
     * silently collapse into one. False when another rotation won.
     */
    async rotateCallbackTokens(appId: string, next: CallbackTokens, at: string): Promise<boolean> {
      const from = next.previous?.generation ?? 0;
      try {
        await db.update(keys.app(appId), {
          update: "SET #t = :next, updatedAt = :at",
          condition:
            from === 0
              ? "attribute_exists(pk) AND (attribute_not_exists(#t) OR #t.#c = :from)"
              : "#t.#c = :from",
          names: { "#t": "callbackTokens", "#c": "current" },
          values: { ":next": next, ":at": at, ":from": from },
        });
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    /** The checker's index of enabled apps (sparse GSI; never a Scan). */
    /** The checker's index of enabled apps (GSI, projecting the whole item; no Scan). */
    async listEnabledApps(): Promise<App[]> {
      return listApps(keys.appListing(true, ""));
    },

    listApps,

    /** Stores a key by its hash, and a listing entry in its app's partition. */
    async createApiKey(k: ApiKeyRecord): Promise<void> {
      const base = { type: "ApiKey", ...k, updatedAt: k.createdAt };
      await db.batchWrite([
        { ...keys.apiKey(k.hash), ...base },
        { ...keys.apiKeyRef(k.appId, k.keyId), ...base, type: "ApiKeyRef" },
      ]);
    },

    /** An app's keys, without secrets (only ids, scopes and dates are kept anyway). */
    async listApiKeys(appId: string): Promise<ApiKeyRecord[]> {
      const { items } = await db.query({ pk: keys.app(appId).pk, skBeginsWith: "KEY#" });
      return items.map((i) => strip<ApiKeyRecord>(i, ["ApiKey", "ApiKeyRef"]) as ApiKeyRecord);
    },

    /** Revokes a key: its hash stops resolving at once. */
    async revokeApiKey(appId: string, keyId: string): Promise<boolean> {
      const ref = await db.get(keys.apiKeyRef(appId, keyId));
      if (!ref) return false;
      // A Tencent-style credential goes with the key it acts as (lib/store/credentials.ts).
      const credential = ref.secretId ? [keys.tencentCredential(String(ref.secretId))] : [];
      await db.batchWrite(
        [],
        [keys.apiKey(String(ref.hash)), keys.apiKeyRef(appId, keyId), ...credential],
      );
      return true;
    },
  };
}
