// The scheduled work. Each task scans current state (so a late or caught-up tick does the right
// thing), raises each notice once (scheduled_notices) through the outbox, and changes tickets
// only through the workflow engine as the system actor.
import { DateTime } from "luxon";
import { QueryTypes } from "sequelize";
import { config } from "../config.ts";
import { runCommand, systemActor, type Ctx } from "../context.ts";
import { sequelize } from "../db/sequelize.ts";
import { ticketActionTaker } from "../commands/ticketActionTaker.ts";
import { staleDialResolver } from "../commands/callRecorder.ts";
import { logger } from "../logger.ts";
import { emit } from "../outbox/index.ts";
import { buildDigest } from "./digest.ts";
import { runRetention } from "../onboarding/retention.ts";
import type { ScheduledJob } from "./scheduler.ts";

export const DEFAULT_SCHEDULE_SETTINGS = {
  deadlineSoonHours: 4,
  confirmationReminderHours: 24,
  closeNoAnswerDays: 15,
  outageNoticeHours: 24,
  digestHour: 8,
};
export type ScheduleSettings = typeof DEFAULT_SCHEDULE_SETTINGS;

export async function scheduleSettings(): Promise<ScheduleSettings> {
  const rows = await sequelize().query<{ value: Partial<ScheduleSettings> }>("SELECT value FROM settings WHERE key = 'notifications.schedule'", {
    type: QueryTypes.SELECT,
  });
  return { ...DEFAULT_SCHEDULE_SETTINGS, ...(rows[0]?.value ?? {}) };
}

/** Emits `topic` once per (kind, ref), whatever the number of ticks or instances. */
export async function noticeOnce(ctx: Ctx, kind: string, ref: string, topic: string, payload: Record<string, unknown>): Promise<boolean> {
  const rows = await sequelize().query<{ kind: string }>(
    "INSERT INTO scheduled_notices (kind, ref) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING kind",
    { bind: [kind, ref], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  if (!rows.length) return false;
  await emit(ctx, topic, payload);
  return true;
}

interface Notice {
  kind: string;
  ref: string;
  topic: string;
  payload: Record<string, unknown>;
}

/**
 * noticeOnce for many at once: every (kind, ref) is claimed in one statement, and only those
 * claimed now are emitted. A watch over thousands of long-overdue tickets costs one round trip
 * per tick, not one per ticket.
 */
export async function noticesOnce(ctx: Ctx, notices: Notice[]): Promise<number> {
  if (!notices.length) return 0;
  const fresh = await sequelize().query<{ kind: string; ref: string }>(
    "INSERT INTO scheduled_notices (kind, ref) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING RETURNING kind, ref",
    { bind: [notices.map((n) => n.kind), notices.map((n) => n.ref)], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  const claimed = new Set(fresh.map((r) => `${r.kind}\u0000${r.ref}`));
  let n = 0;
  for (const x of notices) {
    if (!claimed.delete(`${x.kind}\u0000${x.ref}`)) continue;
    await emit(ctx, x.topic, x.payload);
    n++;
  }
  return n;
}

const ids = async (sql: string, bind: unknown[]) =>
  (await sequelize().query<{ id: number; ref: string }>(sql, { bind, type: QueryTypes.SELECT })).map((r) => r);

const sys = (label: string) => systemActor(label);

/** Deadlines about to pass and passed: УО and executor hear once per deadline. */
export async function deadlineWatch(now: Date): Promise<number> {
  const s = await scheduleSettings();
  const rows = await ids(
    `SELECT id, CASE WHEN deadline_at <= $1 THEN 'passed' ELSE 'soon' END || ':' || to_char(deadline_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MI') AS ref
       FROM tickets WHERE status IN ('routed','assigned','accepted','crew_dispatched','reported')
        AND deadline_at <= $1::timestamptz + $2 * interval '1 hour'`,
    [now, s.deadlineSoonHours],
  );
  return runCommand(sys("контроль сроков"), (ctx) =>
    noticesOnce(
      ctx,
      rows.map((r) => {
        const passed = r.ref.startsWith("passed");
        return { kind: passed ? "deadline_passed" : "deadline_soon", ref: `${r.id}:${r.ref}`, topic: passed ? "ticket.deadline_passed" : "ticket.deadline_soon", payload: { ticketId: r.id } };
      }),
    ),
  );
}

/** Emergencies with no crew dispatched N minutes after registration (children of incidents excepted). */
export async function emergencyDispatchWatch(now: Date): Promise<number> {
  const minutes = config().workflow.emergencyDispatchMinutes;
  const rows = await ids(
    `SELECT t.id, t.id::text AS ref FROM tickets t
      WHERE t.emergency AND t.crew_dispatched_at IS NULL AND t.status IN ('awaiting_routing','routed','assigned','accepted')
        AND t.created_at <= $1::timestamptz - $2 * interval '1 minute'
        AND NOT EXISTS (SELECT 1 FROM outage_tickets ot WHERE ot.ticket_id = t.id)`,
    [now, minutes],
  );
  return runCommand(sys("контроль выезда аварийных бригад"), (ctx) =>
    noticesOnce(ctx, rows.map((r) => ({ kind: "dispatch_overdue", ref: r.ref, topic: "ticket.dispatch_overdue", payload: { ticketId: r.id } }))),
  );
}

/** Runs one workflow action per ticket as the system; a refusal (state moved on) is logged, not fatal. */
async function actOnEach(label: string, ticketIds: number[], action: string): Promise<number> {
  let n = 0;
  for (const id of ticketIds) {
    try {
      await runCommand(sys(label), (ctx) => ticketActionTaker({ ctx, ticketId: id, action, input: {} }));
      n++;
    } catch (err) {
      logger.warn({ err, ticketId: id, action }, "scheduled action refused");
    }
  }
  return n;
}

/** Postponed tickets whose date has come wake up ("resume"). */
export async function postponedWake(now: Date): Promise<number> {
  const rows = await ids("SELECT id, '' AS ref FROM tickets WHERE status = 'postponed' AND postponed_until <= $1 ORDER BY id", [now]);
  return actOnEach("возобновление отложенной заявки", rows.map((r) => r.id), "resume");
}

/** Verified but unconfirmed: a reminder after a day, closure "no answer" after the period. */
export async function confirmationWatch(now: Date): Promise<{ reminded: number; closed: number }> {
  const s = await scheduleSettings();
  const stale = await ids("SELECT id, '' AS ref FROM tickets WHERE status = 'verified' AND verified_at <= $1::timestamptz - $2 * interval '1 day' ORDER BY id", [now, s.closeNoAnswerDays]);
  const closed = await actOnEach("нет ответа жителя", stale.map((r) => r.id), "close_no_answer");
  const due = await ids(
    `SELECT id, id::text || ':' || to_char(verified_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS') AS ref FROM tickets
      WHERE status = 'verified' AND verified_at <= $1::timestamptz - $2 * interval '1 hour' AND resident_id IS NOT NULL`,
    [now, s.confirmationReminderHours],
  );
  const reminded = await runCommand(sys("напоминание о подтверждении"), (ctx) =>
    noticesOnce(ctx, due.map((r) => ({ kind: "confirmation_reminder", ref: r.ref, topic: "ticket.confirmation_reminder", payload: { ticketId: r.id } }))),
  );
  return { reminded, closed };
}

/** Click-to-calls whose result the PBX never reported are settled (src/commands/callRecorder.ts). */
export async function staleDialWatch(now: Date): Promise<number> {
  return runCommand(sys("звонок из панели без ответа АТС"), (ctx) => staleDialResolver({ ctx, now }));
}

/** Planned outages starting soon are announced once more to the residents. */
export async function outageAnnouncements(now: Date): Promise<number> {
  const s = await scheduleSettings();
  const rows = await ids(
    `SELECT id, id::text || ':' || to_char(starts_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MI') AS ref FROM outages
      WHERE cancelled_at IS NULL AND ended_at IS NULL AND starts_at > $1::timestamptz AND starts_at <= $1::timestamptz + $2 * interval '1 hour'
        AND created_at < starts_at - $2 * interval '1 hour'`,
    [now, s.outageNoticeHours],
  );
  return runCommand(sys("оповещение об отключениях"), (ctx) =>
    noticesOnce(ctx, rows.map((r) => ({ kind: "outage_starting", ref: r.ref, topic: "outage.changed", payload: { outageId: r.id, moment: "starting" } }))),
  );
}

/**
 * The hourly tick of the digest: sends when it is the district's `digestHour` (settings row
 * notifications.schedule, default 08:00), so a changed hour takes effect without a restart.
 */
export async function digestTick(tick: Date): Promise<number> {
  const hour = DateTime.fromJSDate(tick, { zone: config().district.timezone }).hour;
  if (hour !== (await scheduleSettings()).digestHour) return 0;
  return dailyDigests(tick);
}

/** One e-mail digest per УО per day. */
export async function dailyDigests(now: Date): Promise<number> {
  const day = DateTime.fromJSDate(now, { zone: config().district.timezone }).toISODate()!;
  const uos = await ids("SELECT id, '' AS ref FROM organisations WHERE type = 'management_company' AND active ORDER BY id", []);
  let n = 0;
  for (const uo of uos) {
    const d = await buildDigest(uo.id, now);
    if (!d.emails.length) continue;
    await runCommand(sys("ежедневная сводка"), async (ctx) => {
      if (await noticeOnce(ctx, "digest", `${uo.id}:${day}`, "digest.uo", { uoId: uo.id, date: day, ...d })) n++;
    });
  }
  return n;
}

/** Bookkeeping tables stay small: old runs, stale per-chat slots, notices of closed matters. */
export async function housekeeping(now: Date): Promise<void> {
  await sequelize().query("DELETE FROM schedule_runs WHERE tick < $1::timestamptz - interval '30 days'", { bind: [now] });
  await sequelize().query("DELETE FROM schedule_runs WHERE job = 'report-summary-fold' AND tick < $1::timestamptz - interval '1 day'", { bind: [now] });
  await sequelize().query("DELETE FROM rate_slots WHERE key LIKE '%:chat:%' AND next_at < $1::timestamptz - interval '1 day'", { bind: [now] });
  await sequelize().query("DELETE FROM scheduled_notices WHERE created_at < $1::timestamptz - interval '180 days'", { bind: [now] });
  await sequelize().query("DELETE FROM idempotency_keys WHERE created_at < $1::timestamptz - interval '1 day'", { bind: [now] });
  await sequelize().query("DELETE FROM request_budgets WHERE window_start < $1::timestamptz - interval '1 day'", { bind: [now] });
}

/** Moves the report summary's appended contributions into its folded rows (migration
 * 20261213000100); reports read both, so this only keeps the delta small. Returns rows folded. */
export async function foldReportSummary(): Promise<number> {
  const [r] = await sequelize().query<{ n: string }>("SELECT ticket_summary_fold() AS n", { type: QueryTypes.SELECT });
  return Number(r?.n ?? 0);
}

export function scheduledJobs(): ScheduledJob[] {
  const at = (f: (now: Date) => Promise<unknown>) => async (tick: Date) => void (await f(tick));
  return [
    { name: "emergency-dispatch-watch", cron: "* * * * *", run: at(emergencyDispatchWatch) },
    { name: "postponed-wake", cron: "* * * * *", run: at(postponedWake) },
    { name: "deadline-watch", cron: "*/5 * * * *", run: at(deadlineWatch) },
    { name: "outage-announcements", cron: "*/5 * * * *", run: at(outageAnnouncements) },
    { name: "confirmation-watch", cron: "*/15 * * * *", run: at(confirmationWatch) },
    { name: "stale-dial-watch", cron: "*/5 * * * *", run: at(staleDialWatch) },
    { name: "daily-digest", cron: "0 * * * *", run: at(digestTick) },
    { name: "report-summary-fold", cron: "*/10 * * * * *", run: async () => void (await foldReportSummary()) },
    { name: "housekeeping", cron: "30 3 * * *", run: at(housekeeping) },
    { name: "personal-data-retention", cron: "30 3 * * *", run: async (tick) => void (await runRetention({ now: tick })) },
  ];
}
