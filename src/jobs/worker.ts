// The notification worker: wakes on NOTIFY op_outbox (and polls, in case a wake-up is lost),
// fans outbox events out into deliveries, and works the pg-boss delivery queue. A sweep puts back
// deliveries whose job was lost and marks claims of dead workers as uncertain.
import pg from "pg";
import type PgBoss from "pg-boss";
import { QueryTypes } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import { logger } from "../logger.ts";
import { OUTBOX_CHANNEL } from "../outbox/index.ts";
import { deliverOne, type DeliverOptions } from "../notifications/deliver.ts";
import { fanOutBatch } from "../notifications/fanout.ts";
import { configuredChannels } from "../notifications/channels.ts";
import { DELIVER_QUEUE, enqueueDelivery, startQueue, type DeliverJob } from "../notifications/queue.ts";

const FANOUT_BATCH = 50;

export interface WorkerOptions {
  deliver?: DeliverOptions;
  /** Jobs taken per fetch; each waits for its own send slot. */
  batchSize?: number;
  /** Delivery fetch loops working at once. */
  fetchLoops?: number;
  pollMs?: number;
  sweepMs?: number;
}

export class NotificationWorker {
  boss?: PgBoss;
  private listener?: pg.Client;
  private timers: NodeJS.Timeout[] = [];
  private fanning: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly opts: WorkerOptions = {},
  ) {}

  async start(): Promise<this> {
    this.boss = await startQueue(this.url);
    const boss = this.boss;
    // An instance without any sender (e.g. a test platform) fans out but leaves sending to others.
    if (configuredChannels().length) {
      const work = async (jobs: Array<{ data: DeliverJob }>) => {
        const results = await Promise.allSettled(jobs.map((j) => deliverOne(boss, j.data.deliveryId, this.opts.deliver)));
        const failed = results.find((r) => r.status === "rejected");
        // Re-running the batch is safe: sent and claimed deliveries are skipped.
        if (failed) throw (failed as PromiseRejectedResult).reason;
      };
      // Two fetch loops: one fetches and prepares its batch while the other's batch waits for its
      // send slots, so the schedule has no hole between batches (a broadcast runs at the full rate).
      for (let i = 0; i < (this.opts.fetchLoops ?? 2); i++)
        await boss.work<DeliverJob>(DELIVER_QUEUE, { batchSize: this.opts.batchSize ?? 15, pollingIntervalSeconds: 0.5 }, work);
    }
    await this.listen();
    this.timers.push(setInterval(() => this.kick(), this.opts.pollMs ?? 5_000));
    this.timers.push(setInterval(() => void this.sweep().catch((err) => logger.warn({ err }, "delivery sweep failed")), this.opts.sweepMs ?? 30_000));
    this.kick();
    return this;
  }

  private async listen(): Promise<void> {
    const c = new pg.Client({ connectionString: this.url });
    c.on("notification", (n) => {
      if (n.payload === "sweep") void this.sweep().catch((err) => logger.warn({ err }, "delivery sweep failed"));
      else this.kick();
    });
    c.on("error", (err) => logger.warn({ err: err.message }, "outbox listener lost; polling continues"));
    await c.connect();
    await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = c;
  }

  /** Runs fan-out until the outbox is empty; a kick during a run schedules one more run. */
  kick(): void {
    if (this.stopped || !this.boss) return;
    if (this.fanning) {
      this.again = true;
      return;
    }
    const boss = this.boss;
    this.fanning = (async () => {
      do {
        this.again = false;
        try {
          // A short batch means the outbox was drained; events committed meanwhile kick again.
          while (!this.stopped && (await fanOutBatch(boss, FANOUT_BATCH)) >= FANOUT_BATCH);
        } catch (err) {
          logger.error({ err }, "fan-out failed");
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.fanning = null;
    });
  }

  /** Re-enqueues deliveries whose job is gone (or held by a worker that died); returns how many. */
  async sweep(claimTimeoutMs = this.opts.deliver?.claimTimeoutMs ?? 60_000): Promise<number> {
    const boss = this.boss;
    if (!boss || this.stopped) return 0;
    const rows = await sequelize().query<{ id: number }>(
      `SELECT d.id FROM deliveries d
        WHERE ((d.status IN ('queued', 'retry') AND d.next_attempt_at < now() - interval '10 seconds')
            OR (d.status = 'sending' AND d.claimed_at < now() - $1 * interval '1 millisecond'))
          AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = $2 AND j.data->>'deliveryId' = d.id::text
                           AND (j.state IN ('created', 'retry')
                                OR (j.state = 'active' AND j.started_on > now() - $1 * interval '1 millisecond')))
        ORDER BY d.id LIMIT 500`,
      { bind: [claimTimeoutMs, DELIVER_QUEUE], type: QueryTypes.SELECT },
    );
    for (const r of rows) await enqueueDelivery(boss, r.id, {});
    return rows.length;
  }

  /** Stops taking work; `graceful: false` drops in-flight jobs as a crash would (tests). */
  async stop({ graceful = true } = {}): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.listener?.end().catch(() => {});
    if (graceful) await this.fanning;
    await this.boss?.stop({ graceful, wait: true, timeout: graceful ? 10_000 : 1 }).catch(() => {});
  }
}
