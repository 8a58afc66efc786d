// The send schedule shared by every app instance: each channel has a total rate and, for
// Telegram, a rate per chat. A sender reserves the next free moment in PostgreSQL before it
// calls the service, and paces its own requests by their answers right before the call, so
// limits hold under bursts, across instances and through a stalled process, not by luck.
import { QueryTypes } from "sequelize";
import { config } from "../config.ts";
import { sequelize } from "../db/sequelize.ts";
import type { ChannelName } from "./channels.ts";

export interface ChannelLimit {
  /** Minimum gap between two requests on the channel as a whole. */
  totalGapMs: number;
  /** Minimum gap between two messages to one chat (0: no per-chat limit). */
  perChatGapMs: number;
  /** At most `count` requests from this process within any `ms` (see pace). */
  window?: { count: number; ms: number };
}

/** Allowance for jitter between instances and the service's clock: the schedule plans a second as 1010 ms. */
export const JITTER_MS = 10;

/** At most `perSecond` messages in any one second, and one a second to a chat, as the service sees them. */
export function telegramLimit(perSecond: number): ChannelLimit {
  const second = 1000 + JITTER_MS;
  return { totalGapMs: second / perSecond, perChatGapMs: second, window: { count: perSecond, ms: 1000 } };
}

/**
 * Telegram: about 30 messages/s in total, 1 message/s per chat. VK: 20 requests/s per community
 * token. We plan at 25/s (TELEGRAM_RATE_PER_SECOND) and 18/s so that network jitter between the
 * planned moment and the service's clock never adds up to more than the limit in any one second.
 */
export const DEFAULT_LIMITS: Record<ChannelName, ChannelLimit> = {
  telegram: telegramLimit(25),
  vk: { totalGapMs: 56, perChatGapMs: 0 },
  email: { totalGapMs: 100, perChatGapMs: 0 },
};

/** The limits in force: Telegram's total rate comes from the configuration (TELEGRAM_RATE_PER_SECOND). */
export function configuredLimits(): Record<ChannelName, ChannelLimit> {
  return { ...DEFAULT_LIMITS, telegram: telegramLimit(config().telegram.ratePerSecond) };
}

/** Relative to the database clock, so instances with skewed clocks agree. */
export type Reservation = { sendInMs: number } | { busyForMs: number };

/**
 * Reserves a moment to send one message to `address` on `channel`. Returns `{ sendInMs }` (send then,
 * usually at once or a few tens of ms later) or `{ busyForMs }` when the chat itself is busy, or
 * the channel's next free moment is more than `maxWaitMs` away (nothing reserved: come back then,
 * so one busy chat never holds the whole channel and no reserved moment is left unused).
 */
export async function reserveSlot(channel: ChannelName, address: string, limit: ChannelLimit, maxWaitMs = Infinity): Promise<Reservation> {
  return sequelize().transaction(async (transaction) => {
    const keys = [`${channel}`, ...(limit.perChatGapMs ? [`${channel}:chat:${address}`] : [])];
    await sequelize().query(
      `INSERT INTO rate_slots (key, next_at) SELECT unnest($1::text[]), now() ON CONFLICT (key) DO NOTHING`,
      { bind: [keys], transaction },
    );
    const rows = await sequelize().query<{ key: string; wait_ms: number }>(
      `SELECT key, extract(epoch FROM next_at - clock_timestamp()) * 1000 AS wait_ms FROM rate_slots WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
      { bind: [keys], type: QueryTypes.SELECT, transaction },
    );
    const chat = rows.find((r) => r.key !== channel);
    if (chat && Number(chat.wait_ms) > 0) return { busyForMs: Math.ceil(Number(chat.wait_ms)) };
    const total = Number(rows.find((r) => r.key === channel)!.wait_ms);
    if (total > maxWaitMs) return { busyForMs: Math.ceil(total) };
    // The moment and the next ones are computed in the database, to the microsecond: a gap of
    // 33.3 ms (30/s) must not be rounded to 33 ms (30.3/s).
    const [slot] = await sequelize().query<{ send_in_ms: number }>(
      `WITH t AS (SELECT greatest(next_at, clock_timestamp()) AS at FROM rate_slots WHERE key = $1)
       UPDATE rate_slots r SET next_at = t.at + CASE WHEN r.key = $1 THEN $2::float8 ELSE $3::float8 END * interval '1 millisecond'
         FROM t WHERE r.key = ANY($4::text[])
       RETURNING extract(epoch FROM t.at - clock_timestamp()) * 1000 AS send_in_ms`,
      { bind: [channel, limit.totalGapMs, limit.perChatGapMs, keys], type: QueryTypes.SELECT, transaction },
    );
    return { sendInMs: Math.max(0, Number(slot!.send_in_ms)) };
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

/** This process's recent requests per channel: when each one's answer came (Infinity: not yet). */
const recent = new Map<ChannelName, { calls: Array<{ end: number }>; waiters: Array<() => void> }>();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Called right before a request; call the function it returns once the answer has come. Waits
 * until fewer than `window.count` earlier requests of this process may have reached the service
 * within the last `window.ms`: a request answered before that surely did not, one still waiting
 * for its answer may have. So whatever the delays on the way (garbage collection, a busy CPU, the
 * network), the service never sees more than `count` of them in any `ms`. The schedule above
 * spaces the moments; this keeps a process that stalled from firing the ones it missed at once.
 */
export async function pace(channel: ChannelName, limit: ChannelLimit): Promise<() => void> {
  const w = limit.window;
  if (!w) return () => {};
  let log = recent.get(channel);
  if (!log) recent.set(channel, (log = { calls: [], waiters: [] }));
  for (;;) {
    const now = performance.now();
    log.calls = log.calls.filter((c) => c.end > now - w.ms);
    if (log.calls.length < w.count) break;
    const first = Math.min(...log.calls.map((c) => c.end));
    // Until the earliest answer leaves the window, or until one more answer comes.
    const answered = new Promise<void>((r) => log.waiters.push(r));
    await (Number.isFinite(first) ? Promise.race([sleep(first + w.ms - now), answered]) : answered);
  }
  const call = { end: Infinity };
  log.calls.push(call);
  return () => {
    call.end = performance.now();
    for (const wake of log.waiters.splice(0)) wake();
  };
}
