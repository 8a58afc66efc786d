// The durable job queue: pg-boss (jobs in PostgreSQL, retries with back-off, expiry of jobs
// whose worker died). Jobs are enqueued inside the transaction that makes them necessary.
import { createHash } from "node:crypto";
import PgBoss from "pg-boss";
import pg from "pg";
import type { Transaction } from "sequelize";
import { logger } from "../logger.ts";

export const DELIVER_QUEUE = "deliver";

export interface DeliverJob {
  deliveryId: number;
}

const STARTUP_LOCK = 727_002;

export async function startQueue(url: string): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, max: 4, application_name: "open-pechora-jobs", schedule: false, supervise: true });
  boss.on("error", (err) => logger.warn({ err: err.message }, "job queue error"));
  // Instances starting at the same moment would create the queue's tables concurrently and
  // deadlock: the set-up runs under a session advisory lock, one instance at a time.
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [STARTUP_LOCK]);
    await boss.start();
    // A job whose worker died is retried after it expires; the delivery row says whether it was sent.
    if (!(await boss.getQueue(DELIVER_QUEUE)))
      await boss.createQueue(DELIVER_QUEUE, { name: DELIVER_QUEUE, retryLimit: 10, retryDelay: 5, retryBackoff: true, expireInSeconds: 120 });
  } finally {
    await lock.query("SELECT pg_advisory_unlock($1)", [STARTUP_LOCK]).catch(() => {});
    await lock.end().catch(() => {});
  }
  return boss;
}

/** pg-boss talks through this transaction's connection, so the job exists only if it commits. */
export function inTransaction(t: Transaction): PgBoss.Db {
  const conn = (t as unknown as { connection: { query(text: string, values: unknown[]): Promise<{ rows: unknown[] }> } }).connection;
  return { executeSql: async (text, values) => ({ rows: (await conn.query(text, values)).rows }) };
}

/** A stable job id (UUID form) from a name: the same delivery attempt is never queued twice. */
export function jobId(name: string): string {
  const h = createHash("sha1").update(name).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function enqueueDelivery(boss: PgBoss, deliveryId: number, opts: { firstOf?: boolean; startAfterMs?: number; t?: Transaction }): Promise<void> {
  await boss.send(
    DELIVER_QUEUE,
    { deliveryId } satisfies DeliverJob,
    {
      // The first job of a delivery has a stable id; later ones (retries, reschedules) need none:
      // a duplicate job finds the delivery claimed or sent and does nothing.
      ...(opts.firstOf ? { id: jobId(`delivery:${deliveryId}`) } : {}),
      ...(opts.startAfterMs ? { startAfter: new Date(Date.now() + opts.startAfterMs) } : {}),
      ...(opts.t ? { db: inTransaction(opts.t) } : {}),
    },
  );
}
