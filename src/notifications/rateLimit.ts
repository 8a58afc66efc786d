// The send schedule shared by every app instance: each channel has a total rate and, for
// Telegram, a rate per chat. A sender reserves the next free moment in PostgreSQL before it
// calls the service, so limits hold under bursts and across instances, not by luck.
import { QueryTypes } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import type { ChannelName } from "./channels.ts";

export interface ChannelLimit {
  /** Minimum gap between two requests on the channel as a whole. */
  totalGapMs: number;
  /** Minimum gap between two messages to one chat (0: no per-chat limit). */
  perChatGapMs: number;
}

/**
 * Telegram: about 30 messages/s in total, 1 message/s per chat. VK: 20 requests/s per community
 * token. We plan at 25/s and 18/s so that network jitter between the planned moment and the
 * service's clock never adds up to more than the limit in any one second.
 */
export const DEFAULT_LIMITS: Record<ChannelName, ChannelLimit> = {
  telegram: { totalGapMs: 40, perChatGapMs: 1000 },
  vk: { totalGapMs: 56, perChatGapMs: 0 },
  email: { totalGapMs: 100, perChatGapMs: 0 },
};

/** Relative to the database clock, so instances with skewed clocks agree. */
export type Reservation = { sendInMs: number } | { busyForMs: number };

/**
 * Reserves a moment to send one message to `address` on `channel`. Returns `{ sendInMs }` (send then,
 * usually at once or a few tens of ms later) or `{ busyForMs }` when the chat itself is busy
 * (nothing reserved: come back then, so one busy chat never holds the whole channel).
 */
export async function reserveSlot(channel: ChannelName, address: string, limit: ChannelLimit): Promise<Reservation> {
  return sequelize().transaction(async (transaction) => {
    const keys = [`${channel}`, ...(limit.perChatGapMs ? [`${channel}:chat:${address}`] : [])];
    await sequelize().query(
      `INSERT INTO rate_slots (key, next_at) SELECT unnest($1::text[]), now() ON CONFLICT (key) DO NOTHING`,
      { bind: [keys], transaction },
    );
    const rows = await sequelize().query<{ key: string; next_at: Date; now: Date }>(
      `SELECT key, next_at, clock_timestamp() AS now FROM rate_slots WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
      { bind: [keys], type: QueryTypes.SELECT, transaction },
    );
    const now = rows[0]!.now;
    const total = rows.find((r) => r.key === channel)!;
    const chat = rows.find((r) => r.key !== channel);
    if (chat && chat.next_at > now) return { busyForMs: chat.next_at.getTime() - now.getTime() };
    const at = new Date(Math.max(now.getTime(), total.next_at.getTime()));
    await sequelize().query(
      `UPDATE rate_slots SET next_at = CASE WHEN key = $1 THEN $2::timestamptz ELSE $3::timestamptz END WHERE key = ANY($4::text[])`,
      {
        bind: [channel, new Date(at.getTime() + limit.totalGapMs), new Date(at.getTime() + limit.perChatGapMs), keys],
        transaction,
      },
    );
    return { sendInMs: at.getTime() - now.getTime() };
  });
}

/** The service told us to wait (429 retry_after, VK error 6): hold the chat, or the whole channel. */
export async function holdBucket(channel: ChannelName, address: string | null, forMs: number): Promise<void> {
  const key = address ? `${channel}:chat:${address}` : channel;
  await sequelize().query(
    `INSERT INTO rate_slots (key, next_at) VALUES ($1, now() + $2 * interval '1 millisecond')
     ON CONFLICT (key) DO UPDATE SET next_at = greatest(rate_slots.next_at, EXCLUDED.next_at)`,
    { bind: [key, forMs] },
  );
}
