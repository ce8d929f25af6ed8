/**
 * Opaque page cursors: the store's last key, base64url. Decoding checks that the cursor
 * belongs to the list being read, so a cursor from one list cannot steer a query elsewhere.
 */

import type { Item } from "../store/db";
import { AppError } from "./errors";

export function encodeCursor(lastKey: Item | undefined): string | undefined {
  return lastKey ? Buffer.from(JSON.stringify(lastKey)).toString("base64url") : undefined;
}

export function decodeCursor(cursor: string | undefined, partition: string): Item | undefined {
  if (!cursor) return undefined;
  try {
    if (cursor.length > 2048) throw new Error("too long");
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Item;
    if (
      key.gsi1pk !== partition &&
      key.gsi2pk !== partition &&
      key.gsi3pk !== partition &&
      key.pk !== partition
    )
      throw new Error("foreign cursor");
    // Exactly a key of that list: string key attributes, nothing else for DynamoDB to refuse.
    const names = Object.keys(key);
    const allowed = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"];
    if (
      typeof key.pk !== "string" ||
      typeof key.sk !== "string" ||
      names.some((n) => !allowed.includes(n) || typeof key[n] !== "string")
    )
      throw new Error("not a key");
    if (key.gsi1pk !== undefined && typeof key.gsi1sk !== "string") throw new Error("not a key");
    if (key.gsi2pk !== undefined && typeof key.gsi2sk !== "string") throw new Error("not a key");
    if (key.gsi3pk !== undefined && typeof key.gsi3sk !== "string") throw new Error("not a key");
    return key;
  } catch {
    throw new AppError("InvalidParameter.Cursor");
  }
}
