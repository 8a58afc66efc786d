// P3 helpers: the subscribed residents (made in SQL) and the figures of a send log
// (rate over the run, busiest 1-second window overall and per chat, duplicates, lost).
import pg from "pg";

/** The first chat id of the bench's residents; resident i has chat CHAT_BASE + i. */
export const CHAT_BASE = 800_000_000;

/**
 * `n` residents, each with a Telegram account and an apartment in buildings of the УО `uoId`
 * (100 apartments a building). Returns the building ids.
 */
export async function subscribers(url: string, uoId: number, n: number): Promise<number[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("SET synchronous_commit = off");
    const b = await c.query<{ id: number }>(
      `INSERT INTO buildings (settlement, street, house, uo_id) SELECT 'г. Печора', 'ул. Рассылочная', g::text, $1 FROM generate_series(1, $2::int) g RETURNING id`,
      [uoId, Math.ceil(n / 100)],
    );
    const buildingIds = b.rows.map((r) => r.id);
    await c.query(
      `WITH a AS (
         INSERT INTO apartments (building_id, number) SELECT ($1::int[])[1 + (g - 1) / 100], (1 + (g - 1) % 100)::text FROM generate_series(1, $2::int) g
         RETURNING id, building_id, number),
       r AS (
         INSERT INTO residents (full_name, phone, consent_at, consent_version)
         SELECT 'Бенч Подписчик ' || g, '+7914' || lpad(g::text, 7, '0'), now(), 'bench-p3' FROM generate_series(1, $2::int) g RETURNING id, phone)
       INSERT INTO resident_apartments (resident_id, apartment_id)
       SELECT r.id, a.id FROM r JOIN a ON substring(r.phone from 6)::int = (array_position($1::int[], a.building_id) - 1) * 100 + a.number::int`,
      [buildingIds, n],
    );
    await c.query(
      `INSERT INTO messenger_identities (channel, external_id, resident_id, username)
       SELECT 'telegram', ($1::bigint + substring(phone from 6)::int)::text, id, 'bench' || id FROM residents WHERE consent_version = 'bench-p3'`,
      [CHAT_BASE],
    );
    await c.query("ANALYZE buildings, apartments, residents, resident_apartments, messenger_identities");
    return buildingIds;
  } finally {
    await c.end();
  }
}

/** The most events within any window [t, t + ms) of sorted times. */
export function busiestWindow(sorted: number[], ms = 1000): number {
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + ms) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

export interface SendLog {
  /** Arrival times of the successful sends, per chat. */
  sent: Map<string, number[]>;
  /** Arrival times of every call (throttled ones included), per chat. */
  calls: Map<string, number[]>;
}

export function sendFigures(log: SendLog, chats: string[]) {
  const all = [...log.sent.values()].flat().sort((a, b) => a - b);
  const tries = [...log.calls.values()].flat().sort((a, b) => a - b);
  const spanMs = all.length > 1 ? all.at(-1)! - all[0]! : NaN;
  let minGapPerChat = Infinity;
  for (const t of log.calls.values()) {
    const s = [...t].sort((a, b) => a - b);
    for (let i = 1; i < s.length; i++) minGapPerChat = Math.min(minGapPerChat, s[i]! - s[i - 1]!);
  }
  return {
    sent: all.length,
    /** (n − 1) intervals over the span from the first to the last successful send. */
    ratePerS: ((all.length - 1) / spanMs) * 1000,
    spanMs,
    first: all[0] ?? NaN,
    duplicates: chats.filter((c) => (log.sent.get(c)?.length ?? 0) > 1).length,
    lost: chats.filter((c) => !log.sent.get(c)?.length).length,
    maxPerSecond: busiestWindow(all),
    maxCallsPerSecond: busiestWindow(tries),
    maxPerChatPerSecond: Math.max(0, ...[...log.sent.values()].map((t) => busiestWindow([...t].sort((a, b) => a - b)))),
    /** Closest two calls to one chat (a throttled call and its retry included). */
    minGapPerChatMs: minGapPerChat,
  };
}
