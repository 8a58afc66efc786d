// Scheduled jobs on node-cron, safe with several app instances: each tick of each job is claimed
// by inserting (job, tick) into schedule_runs — the one instance whose insert succeeds runs it.
// At start, the latest tick missed while no instance was running is caught up.
import cron, { type ScheduledTask } from "node-cron";
import { QueryTypes } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import { logger } from "../logger.ts";

export interface ScheduledJob {
  name: string;
  /** node-cron expression; 6 fields (with seconds) or 5. */
  cron: string;
  run(tick: Date): Promise<void>;
}

cron.setLogger({
  info: (m) => logger.debug({ m }, "cron"),
  warn: (m) => logger.warn({ m }, "cron"),
  error: (m) => logger.error({ m: String(m) }, "cron"),
  debug: () => {},
});

const secondsField = (expr: string) => expr.trim().split(/\s+/).length === 6;

/** The tick a firing belongs to: the moment truncated to the expression's resolution. */
export function tickOf(expr: string, at: Date): Date {
  const step = secondsField(expr) ? 1000 : 60_000;
  return new Date(Math.floor(at.getTime() / step) * step);
}

export class Scheduler {
  private tasks: ScheduledTask[] = [];
  private running = new Set<Promise<unknown>>();

  constructor(
    private readonly jobs: ScheduledJob[],
    private readonly opts: { instance: string; timezone: string; catchUpWindowMs?: number },
  ) {}

  async start(): Promise<void> {
    for (const job of this.jobs) {
      if (!cron.validate(job.cron)) throw new Error(`invalid cron expression for ${job.name}: ${job.cron}`);
      const task = cron.schedule(job.cron, (c) => this.track(this.runTick(job, tickOf(job.cron, c.date))), {
        name: `op:${job.name}:${this.opts.instance}`,
        timezone: this.opts.timezone,
        noOverlap: true,
      });
      this.tasks.push(task);
      // A missed tick is caught up in the background: after a long stop it may be a large run
      // (every overdue ticket's notice), and the platform must not wait for it to serve requests.
      // stop() waits for it.
      this.track(this.catchUp(job, task)).catch((err) => logger.error({ err, job: job.name }, "catch-up failed"));
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }

  /** Claims and runs one tick; returns false when another instance has it. */
  async runTick(job: ScheduledJob, tick: Date): Promise<boolean> {
    const claimed = await sequelize().query<{ job: string }>(
      `INSERT INTO schedule_runs (job, tick, instance) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING job`,
      { bind: [job.name, tick, this.opts.instance], type: QueryTypes.SELECT },
    );
    if (!claimed.length) return false;
    let error: string | null = null;
    try {
      await job.run(tick);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      logger.error({ err, job: job.name }, "scheduled job failed");
    }
    await sequelize().query("UPDATE schedule_runs SET finished_at = now(), error = $3 WHERE job = $1 AND tick = $2", {
      bind: [job.name, tick, error],
    });
    return true;
  }

  /** Runs the latest tick between the last recorded run and now, if one was missed. */
  async catchUp(job: ScheduledJob, task: ScheduledTask, now = new Date()): Promise<Date | null> {
    const rows = await sequelize().query<{ last: Date | null }>("SELECT max(tick) AS last FROM schedule_runs WHERE job = $1", {
      bind: [job.name],
      type: QueryTypes.SELECT,
    });
    const last = rows[0]?.last;
    if (!last) return null; // never ran here: nothing was missed
    const step = secondsField(job.cron) ? 1000 : 60_000;
    const floor = Math.max(last.getTime(), now.getTime() - (this.opts.catchUpWindowMs ?? 2 * 86_400_000));
    // The current tick is node-cron's to fire; look from the previous one back to the last run.
    for (let t = tickOf(job.cron, now).getTime() - step; t > floor; t -= step) {
      if (task.match(new Date(t))) {
        const tick = new Date(t);
        await this.track(this.runTick(job, tick));
        return tick;
      }
    }
    return null;
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.destroy();
    this.tasks = [];
    await Promise.allSettled([...this.running]);
  }
}
