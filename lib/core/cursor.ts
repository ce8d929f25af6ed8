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
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Item;
    if (key.gsi1pk !== partition && key.gsi2pk !== partition && key.pk !== partition)
      throw new Error("foreign cursor");
    return key;
  } catch {
    throw new AppError("InvalidParameter.Cursor");
  }
}
