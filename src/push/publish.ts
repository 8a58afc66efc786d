// Live pushes to panel sessions: published through PostgreSQL NOTIFY so every app instance
// behind a balancer delivers them to its own connected users. Inside a transaction the push
// leaves at commit (and never if it rolls back).
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { Sequelize, Transaction } from "sequelize";

export const PUSH_CHANNEL = "op_push";
export const NOTIFY_LIMIT = 7000;

/** Who receives a push; a connection receives it when any clause matches. */
export interface Audience {
  userIds?: number[];
  orgIds?: number[];
  roles?: string[];
}

export interface PushMessage {
  event: string;
  audience: Audience;
  data: unknown;
}

/** The NOTIFY payload of a push too large to go as it is: the message deflated, in base64. */
export interface PackedPush {
  z: string;
}

export async function publishPush(db: Sequelize, msg: PushMessage, transaction?: Transaction): Promise<void> {
  const body = JSON.stringify(msg);
  if (Buffer.byteLength(body) > NOTIFY_LIMIT) {
    // Too large for NOTIFY: deflated it mostly fits (a screen-pop's 14 KB of tickets take ~3 KB),
    // and every listener unpacks it without a read.
    const packed = JSON.stringify({ z: deflateRawSync(body).toString("base64") } satisfies PackedPush);
    if (packed.length <= NOTIFY_LIMIT) {
      await db.query("SELECT pg_notify($1, $2)", { bind: [PUSH_CHANNEL, packed], transaction });
      return;
    }
    // Still too large: the body is stored and its reference notified, in one round trip.
    await db.query(
      `WITH m AS (INSERT INTO push_messages (body) VALUES ($2::jsonb) RETURNING id)
       SELECT pg_notify($1, json_build_object('ref', m.id)::text) FROM m`,
      { bind: [PUSH_CHANNEL, body], transaction },
    );
    return;
  }
  await db.query("SELECT pg_notify($1, $2)", { bind: [PUSH_CHANNEL, body], transaction });
}

/** The message of a packed payload (see publishPush). */
export function unpackPush(p: PackedPush): PushMessage {
  return JSON.parse(inflateRawSync(Buffer.from(p.z, "base64")).toString("utf8")) as PushMessage;
}
