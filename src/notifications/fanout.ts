// Turns outbox events into deliveries: one transaction locks a batch of unprocessed events,
// writes one delivery per recipient (unique idempotency key), enqueues a job per delivery,
// publishes the panel push and marks the events processed. A crash anywhere rolls it all back,
// so every event is fanned out exactly once.
import type PgBoss from "pg-boss";
import { QueryTypes, type Transaction } from "sequelize";
import { preparedQuery } from "../db/prepared.ts";
import { sequelize } from "../db/sequelize.ts";
import { enqueueDelivery } from "./queue.ts";
import { logger } from "../logger.ts";
import { publishPush } from "../push/publish.ts";
import { recipientKey, type Recipient } from "./recipients.ts";
import { loadRules, noticesFor, prefetchTicketFacts, type Audience, type FactsMemo, type Notice, type Rules } from "./rules.ts";

const MAX_EVENT_ATTEMPTS = 5;

/** What one batch reads once: each ticket's facts and each organisation's staff. */
interface BatchMemo {
  facts: FactsMemo;
  staff: StaffMemo;
}

interface OutboxRow {
  id: number;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/** Staff ids of an organisation or role, read once per batch (keyed by the audience). */
type StaffMemo = Map<string, Promise<Array<{ id: number }>>>;

async function expand(a: Audience, n: Notice, t: Transaction, staff: StaffMemo): Promise<Recipient[]> {
  if ("resident" in a) return [{ residentId: a.resident }];
  if ("user" in a) return [{ userId: a.user }];
  if ("email" in a) return [{ email: a.email }];
  const key = JSON.stringify(a);
  let found = staff.get(key);
  if (!found) staff.set(key, (found = staffOf(a, t)));
  return (await found).filter((r) => r.id !== n.exceptUserId).map((r) => ({ userId: r.id }));
}

async function staffOf(a: Exclude<Audience, { resident: number } | { user: number } | { email: string }>, t: Transaction): Promise<Array<{ id: number }>> {
  // prepared: an organisation's staff are looked up for nearly every ticket change
  if ("org" in a)
    return preparedQuery<{ id: number }>(
      t,
      "op_org_staff",
      `SELECT id FROM users WHERE organisation_id = $1 AND active AND ($2::text[] IS NULL OR role = ANY($2::text[]))
         AND ($3::int IS NULL OR id = $3) ORDER BY id`,
      [a.org, a.roles ?? null, a.onlyUser ?? null],
    );
  return sequelize().query<{ id: number }>(`SELECT id FROM users WHERE role = $1 AND active ORDER BY id`, { bind: [a.role], type: QueryTypes.SELECT, transaction: t });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const textToHtml = (s: string) => `<p>${escapeHtml(s).replace(/\n/g, "<br>")}</p>`;

async function fanOutOne(boss: PgBoss, row: OutboxRow, t: Transaction, rules: Rules, memo: BatchMemo): Promise<number> {
  const notices = await noticesFor(row.topic, row.payload, rules, memo.facts);
  const base = typeof row.payload.key === "string" ? `${row.topic === "email.requested" ? "mail" : "msg"}:${row.payload.key}` : `ev:${row.id}`;
  const seen = new Set<string>();
  let created = 0;
  for (const n of notices) {
    const pushTo: number[] = [];
    for (const r of await expand(n.to, n, t, memo.staff)) {
      const rk = recipientKey(r);
      if (seen.has(rk)) continue;
      seen.add(rk);
      if ("userId" in r) pushTo.push(r.userId);
      // The channel is chosen when the delivery is sent, by a worker that has senders registered.
      const [rows] = (await sequelize().query(
        `INSERT INTO deliveries (key, outbox_id, kind, resident_id, user_id, email, subject, text, html, buttons, status)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10::jsonb,'queued')
         ON CONFLICT (key) DO NOTHING RETURNING id`,
        {
          bind: [
            `${base}:${rk}`,
            row.id,
            n.emailOnly ? `email:${n.kind}` : n.kind,
            "residentId" in r ? r.residentId : null,
            "userId" in r ? r.userId : null,
            "email" in r ? r.email : null,
            n.subject ?? null,
            n.text,
            n.html ?? textToHtml(n.text),
            n.buttons ? JSON.stringify(n.buttons) : null,
          ],
          transaction: t,
        },
      )) as [Array<{ id: number }>, unknown];
      const id = rows[0]?.id;
      if (id) {
        await enqueueDelivery(boss, id, { firstOf: true, t });
        created++;
      }
    }
    if (pushTo.length)
      await publishPush(sequelize(), { event: "notification", audience: { userIds: pushTo }, data: { kind: n.kind, text: n.text, ticketId: n.ticketId ?? null } }, t);
  }
  return created;
}

/**
 * Fans out up to `limit` pending events; returns how many events it handled (0: none left).
 * The batch runs in one transaction with the rules read once and each ticket's facts loaded once.
 * If an event fails, the whole batch is rolled back and run again with a savepoint per event, so
 * the failing event is put back for a later attempt and the others go through.
 */
export async function fanOutBatch(boss: PgBoss, limit = 50): Promise<number> {
  try {
    return await runBatch(boss, limit, false);
  } catch (err) {
    logger.warn({ err }, "fan-out batch failed; retrying event by event");
    return runBatch(boss, limit, true);
  }
}

async function runBatch(boss: PgBoss, limit: number, careful: boolean): Promise<number> {
  return sequelize().transaction(async (t) => {
    const rows = await sequelize().query<OutboxRow>(
      `SELECT id, topic, payload, attempts FROM outbox WHERE processed_at IS NULL
         AND (attempts = 0 OR created_at < now() - attempts * interval '30 seconds')
       ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      { bind: [limit], type: QueryTypes.SELECT, transaction: t },
    );
    if (!rows.length) return 0;
    const rules = await loadRules();
    const memo: BatchMemo = { facts: new Map(), staff: new Map() };
    // Every ticket the batch speaks of, read in one query rather than one per ticket.
    await prefetchTicketFacts(memo.facts, rows.map((r) => r.payload.ticketId).filter((id): id is number => typeof id === "number"));
    const done: number[] = [];
    for (const row of rows) {
      if (!careful) {
        await fanOutOne(boss, row, t, rules, memo);
        done.push(row.id);
        continue;
      }
      await sequelize().query("SAVEPOINT fanout", { transaction: t });
      try {
        await fanOutOne(boss, row, t, rules, memo);
        await sequelize().query("RELEASE SAVEPOINT fanout", { transaction: t });
        done.push(row.id);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        logger.error({ err, outboxId: row.id, topic: row.topic }, "fan-out failed");
        await sequelize().query("ROLLBACK TO SAVEPOINT fanout", { transaction: t });
        await sequelize().query(
          `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
             processed_at = CASE WHEN attempts + 1 >= $3 THEN now() ELSE NULL END WHERE id = $1`,
          { bind: [row.id, message, MAX_EVENT_ATTEMPTS], transaction: t },
        );
      }
    }
    if (done.length)
      await sequelize().query("UPDATE outbox SET processed_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])", { bind: [done], transaction: t });
    return rows.length;
  });
}
