// 152-ФЗ retention: a configurable time after a resident's last ticket closed (and with none open),
// their personal data are anonymised. Tickets, ratings, categories and times stay, so every report
// figure is unchanged; only who they were and how to reach them is gone.
// The scheduler calls runRetention(); anonymiseResidents() is the part tests and admins call.
import { QueryTypes, type Sequelize, type Transaction } from "sequelize";
import { config } from "../config.ts";
import { sequelize } from "../db/sequelize.ts";
import { logger } from "../logger.ts";

const PHONE_RE = String.raw`\+?[78][\s(-]*\d{3,5}[\s)-]*\d{1,3}[\s-]*\d{2}[\s-]*\d{2}`;
const SCRUBBED = "[удалено]";

/** Residents due for anonymisation at `now`. */
export async function residentsDue(db: Sequelize, retentionDays: number, now: Date, limit: number, only?: number[]): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    `SELECT r.id FROM residents r
      WHERE r.anonymised_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.resident_id = r.id AND t.status <> 'closed')
        AND coalesce((SELECT max(t.closed_at) FROM tickets t WHERE t.resident_id = r.id), r.created_at) < $1::timestamptz - make_interval(days => $2)
        AND ($4::int[] IS NULL OR r.id = ANY($4))
      ORDER BY r.id LIMIT $3`,
    { bind: [now.toISOString(), retentionDays, limit, only ?? null], type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.id);
}

const tableExists = async (db: Sequelize, name: string, t: Transaction) =>
  ((await db.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", { bind: [name], type: QueryTypes.SELECT, transaction: t }))[0]?.ok ?? false);

/** Removes the personal data of the given residents in one transaction. Returns how many. */
export async function anonymiseResidents(ids: number[], db: Sequelize = sequelize()): Promise<number> {
  if (!ids.length) return 0;
  return db.transaction(async (t) => {
    const q = (sql: string, bind: unknown[]) => db.query(sql, { bind, transaction: t });
    const phones = (await db.query<{ phone: string }>("SELECT phone FROM residents WHERE id = ANY($1) AND phone IS NOT NULL", { bind: [ids], type: QueryTypes.SELECT, transaction: t })).map((r) => r.phone);
    const ticketIds = (await db.query<{ id: number }>("SELECT id FROM tickets WHERE resident_id = ANY($1)", { bind: [ids], type: QueryTypes.SELECT, transaction: t })).map((r) => r.id);
    await q(
      `UPDATE tickets SET contact_name = NULL, contact_phone = NULL,
              description = regexp_replace(description, $2, $3, 'g'),
              rating_comment = CASE WHEN rating_comment IS NULL THEN NULL ELSE regexp_replace(rating_comment, $2, $3, 'g') END
        WHERE id = ANY($1)`,
      [ticketIds, PHONE_RE, SCRUBBED],
    );
    await q(
      `UPDATE ticket_history SET changes = changes - 'contactName' - 'contactPhone' - 'phone' - 'fullName',
              reason = CASE WHEN reason IS NULL THEN NULL ELSE regexp_replace(reason, $2, $3, 'g') END
        WHERE ticket_id = ANY($1)`,
      [ticketIds, PHONE_RE, SCRUBBED],
    );
    await q("UPDATE contact_attempts SET phone = NULL, note = NULL WHERE ticket_id = ANY($1)", [ticketIds]);
    if (await tableExists(db, "bot_sessions", t))
      await q("DELETE FROM bot_sessions s USING messenger_identities m WHERE m.resident_id = ANY($1) AND s.channel = m.channel AND s.chat_id = m.external_id", [ids]);
    await q("UPDATE messenger_identities SET external_id = 'anon-' || id, username = NULL, updated_at = now() WHERE resident_id = ANY($1)", [ids]);
    if (phones.length && (await tableExists(db, "calls", t))) await q("UPDATE calls SET caller_number = NULL WHERE caller_number = ANY($1)", [phones]);
    if (await tableExists(db, "deliveries", t)) await q("UPDATE deliveries SET email = NULL, address = NULL, text = $2 WHERE resident_id = ANY($1)", [ids, SCRUBBED]);
    await q("DELETE FROM personal_data_views WHERE resident_id = ANY($1) AND created_at < now() - interval '1 year'", [ids]);
    const [, n] = (await db.query("UPDATE residents SET full_name = NULL, phone = NULL, email = NULL, anonymised_at = now(), updated_at = now() WHERE id = ANY($1) AND anonymised_at IS NULL", {
      bind: [ids],
      transaction: t,
    })) as [unknown, number];
    return typeof n === "number" ? n : ids.length;
  });
}

/** The scheduled job: anonymises everyone due, in batches. */
export async function runRetention(
  opts: { retentionDays?: number; now?: Date; batch?: number; db?: Sequelize; /** limit the run to these residents */ residentIds?: number[] } = {},
): Promise<{ anonymised: number }> {
  const db = opts.db ?? sequelize();
  const days = opts.retentionDays ?? config().personalData.retentionDays;
  const now = opts.now ?? new Date();
  let total = 0;
  for (;;) {
    const ids = await residentsDue(db, days, now, opts.batch ?? 500, opts.residentIds);
    if (!ids.length) break;
    total += await anonymiseResidents(ids, db);
    if (ids.length < (opts.batch ?? 500)) break;
  }
  if (total) logger.info({ anonymised: total, retentionDays: days }, "personal data retention");
  return { anonymised: total };
}
