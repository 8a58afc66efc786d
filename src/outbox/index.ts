// Domain events, written in the same transaction as the change that causes them.
// The notification worker reads them after commit; a NOTIFY (sent at commit) wakes it at once.
import { sequelize } from "../db/sequelize.ts";
import type { Ctx } from "../context.ts";

export interface OutboxEvent {
  topic: string;
  payload: Record<string, unknown>;
}

export const OUTBOX_CHANNEL = "op_outbox";

export async function emit(ctx: Ctx, topic: string, payload: Record<string, unknown>): Promise<number> {
  const [rows] = (await sequelize().query(
    `WITH ins AS (INSERT INTO outbox (topic, payload) VALUES ($1, $2::jsonb) RETURNING id)
     SELECT id, pg_notify('${OUTBOX_CHANNEL}', id::text) FROM ins`,
    { bind: [topic, JSON.stringify(payload)], transaction: ctx.transaction },
  )) as [Array<{ id: number }>, unknown];
  return rows[0]!.id;
}
