// Schedules: two instances run each tick once, a missed tick is caught up, and each watch does
// its work once (deadlines, emergency dispatch, postponed tickets, confirmations, outages).
import { QueryTypes } from "sequelize";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sequelize } from "../../src/db/sequelize.ts";
import { runCommand } from "../../src/context.ts";
import { outageRegistrar } from "../../src/commands/outageRegistrar.ts";
import { Scheduler, tickOf, type ScheduledJob } from "../../src/jobs/scheduler.ts";
import { confirmationWatch, deadlineWatch, emergencyDispatchWatch, housekeeping, outageAnnouncements, postponedWake, scheduledJobs } from "../../src/jobs/tasks.ts";
import { loadRules, noticesFor } from "../../src/notifications/rules.ts";
import { Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, addWorkOrder, category, createTicket, makeWorld, uid, type World } from "../support/factories.ts";
import { waitFor } from "./support.ts";

let db: TestDb;
let w: World;
beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
});
afterAll(async () => db?.close());

const min = 60_000;
const outboxFor = (topic: string, ticketId: number) =>
  sequelize().query<{ id: number }>("SELECT id FROM outbox WHERE topic = $1 AND (payload->>'ticketId')::int = $2", { bind: [topic, ticketId], type: QueryTypes.SELECT });
const shift = (id: number, sql: string, bind: unknown[] = []) => sequelize().query(`UPDATE tickets SET ${sql} WHERE id = $1`, { bind: [id, ...bind] });

describe("scheduler with several instances", () => {
  it("runs a tick once whichever instance fires it", async () => {
    const runs: string[] = [];
    const job = (who: string): ScheduledJob => ({ name: `once-${uid()}`, cron: "* * * * *", run: async () => void runs.push(who) });
    const j = job("a");
    const a = new Scheduler([j], { instance: "a", timezone: "Europe/Moscow" });
    const b = new Scheduler([{ ...j, run: async () => void runs.push("b") }], { instance: "b", timezone: "Europe/Moscow" });
    const tick = tickOf(j.cron, new Date());
    const results = await Promise.all([a.runTick(j, tick), b.runTick({ ...j, run: async () => void runs.push("b") }, tick)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(runs).toHaveLength(1);
  });

  it("two running instances fire a every-second job once per tick", async () => {
    const name = `every-second-${uid()}`;
    const counts = new Map<number, number>();
    const mk = () => ({ name, cron: "* * * * * *", run: async (tick: Date) => void counts.set(tick.getTime(), (counts.get(tick.getTime()) ?? 0) + 1) });
    const a = new Scheduler([mk()], { instance: "a", timezone: "Europe/Moscow" });
    const b = new Scheduler([mk()], { instance: "b", timezone: "Europe/Moscow" });
    await Promise.all([a.start(), b.start()]);
    await waitFor(async () => counts.size >= 3, "three ticks");
    await Promise.all([a.stop(), b.stop()]);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const rows = await sequelize().query<{ instance: string }>("SELECT instance FROM schedule_runs WHERE job = $1", { bind: [name], type: QueryTypes.SELECT });
    expect(rows).toHaveLength(counts.size);
  });

  it("catches up the latest tick missed while no instance ran, once", async () => {
    const name = `catch-up-${uid()}`;
    const ticks: Date[] = [];
    const job: ScheduledJob = { name, cron: "* * * * *", run: async (t) => void ticks.push(t) };
    const longAgo = new Date(tickOf(job.cron, new Date()).getTime() - 10 * min);
    await sequelize().query("INSERT INTO schedule_runs (job, tick, instance, finished_at) VALUES ($1, $2, 'old', now())", { bind: [name, longAgo] });
    const a = new Scheduler([job], { instance: "a", timezone: "Europe/Moscow" });
    const b = new Scheduler([job], { instance: "b", timezone: "Europe/Moscow" });
    await a.start();
    await b.start();
    await a.stop();
    await b.stop();
    const caughtUp = ticks.filter((t) => t.getTime() > longAgo.getTime() && t.getTime() < tickOf(job.cron, new Date()).getTime());
    expect(caughtUp).toHaveLength(1);
    expect(caughtUp[0]!.getTime()).toBeGreaterThanOrEqual(tickOf(job.cron, new Date()).getTime() - 2 * min);
  });
});

describe("watches", () => {
  it("declares valid schedules and cleans old bookkeeping", async () => {
    const cron = await import("node-cron");
    for (const j of scheduledJobs()) expect(cron.validate(j.cron), j.name).toBe(true);
    const name = `old-${uid()}`;
    await sequelize().query("INSERT INTO schedule_runs (job, tick, instance) VALUES ($1, now() - interval '40 days', 'x'), ($1, now(), 'x')", { bind: [name] });
    await housekeeping(new Date());
    const rows = await sequelize().query("SELECT 1 FROM schedule_runs WHERE job = $1", { bind: [name], type: QueryTypes.SELECT });
    expect(rows).toHaveLength(1);
  });

  it("raises an overdue emergency dispatch once, to the УО and the agency", async () => {
    const burst = await category("emergency_pipe_burst");
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, categoryId: burst.id, description: "Затопление" });
    await shift(t.id, "created_at = now() - interval '31 minutes'");
    const now = new Date();
    expect(await emergencyDispatchWatch(now)).toBeGreaterThanOrEqual(1);
    await emergencyDispatchWatch(now);
    expect(await outboxFor("ticket.dispatch_overdue", t.id)).toHaveLength(1);
    const notices = await noticesFor("ticket.dispatch_overdue", { ticketId: t.id }, await loadRules());
    expect(notices.map((n) => n.to)).toEqual(expect.arrayContaining([{ org: w.uo.id, roles: ["uo"] }, { role: "agency" }]));
    expect(notices[0]!.text).toContain("без выезда бригады");
    // A dispatched crew ends the matter.
    const fresh = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, categoryId: burst.id, description: "Затопление 2" });
    await act(actorOf(w.users.uo), fresh.id, "assign", { executorOrgId: w.contractor.id });
    await act(actorOf(w.users.contractor), fresh.id, "dispatch_crew");
    await shift(fresh.id, "created_at = now() - interval '40 minutes'");
    await emergencyDispatchWatch(new Date());
    expect(await outboxFor("ticket.dispatch_overdue", fresh.id)).toHaveLength(0);
  });

  it("raises 'deadline soon' and then 'deadline passed' once each", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    await shift(t.id, "deadline_at = now() + interval '2 hours'");
    await deadlineWatch(new Date());
    await deadlineWatch(new Date());
    expect(await outboxFor("ticket.deadline_soon", t.id)).toHaveLength(1);
    await shift(t.id, "deadline_at = now() - interval '1 minute'");
    await deadlineWatch(new Date());
    await deadlineWatch(new Date());
    expect(await outboxFor("ticket.deadline_passed", t.id)).toHaveLength(1);
    const notices = await noticesFor("ticket.deadline_passed", { ticketId: t.id }, await loadRules());
    expect(notices[0]).toMatchObject({ kind: "uo.deadline_passed", to: { org: w.uo.id, roles: ["uo"] } });
  });

  it("wakes a postponed ticket through the workflow as the system", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    await act(actorOf(w.users.uo), t.id, "postpone", { until: new Date(Date.now() + 60 * min), reason: "Ждём запчасть" });
    await postponedWake(new Date());
    expect((await Ticket.findByPk(t.id))!.status).toBe("postponed");
    await postponedWake(new Date(Date.now() + 61 * min));
    const after = await Ticket.findByPk(t.id);
    expect(after!.status).toBe("routed");
    const h = await TicketHistory.findOne({ where: { ticketId: t.id, action: "resume" } });
    expect(h).toMatchObject({ actorKind: "system", fromStatus: "postponed", toStatus: "routed" });
  });

  it("reminds the resident after a day, then closes as 'no answer' after 15 days", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: w.resident.id });
    await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
    await act(actorOf(w.users.contractor), t.id, "accept");
    const order = await addWorkOrder(actorOf(w.users.contractor), t.id);
    await act(actorOf(w.users.contractor), t.id, "report", { worksDone: "Готово", workOrderAttachmentId: order.id });
    await act(actorOf(w.users.uo), t.id, "verify");
    await confirmationWatch(new Date());
    expect(await outboxFor("ticket.confirmation_reminder", t.id)).toHaveLength(0);
    await shift(t.id, "verified_at = now() - interval '25 hours'");
    await confirmationWatch(new Date());
    await confirmationWatch(new Date());
    expect(await outboxFor("ticket.confirmation_reminder", t.id)).toHaveLength(1);
    const [reminder] = await noticesFor("ticket.confirmation_reminder", { ticketId: t.id }, await loadRules());
    expect(JSON.stringify(reminder!.buttons)).toContain(`t:${t.id}:confirm`);
    await shift(t.id, "verified_at = now() - interval '15 days 1 hour'");
    const r = await confirmationWatch(new Date());
    expect(r.closed).toBeGreaterThanOrEqual(1);
    const closed = await Ticket.findByPk(t.id);
    expect(closed).toMatchObject({ status: "closed", closureKind: "no_answer" });
    expect(await TicketHistory.findOne({ where: { ticketId: t.id, action: "close_no_answer", actorKind: "system" } })).not.toBeNull();
  });

  it("announces a planned outage to residents once, the day before it starts", async () => {
    const o = await runCommand(actorOf(w.users.uo), (ctx) =>
      outageRegistrar({
        ctx,
        input: { resource: "cold_water", kind: "planned", startsAt: new Date(Date.now() + 10 * 60 * min), expectedEndAt: new Date(Date.now() + 12 * 60 * min), reason: "Промывка", buildingIds: [w.building.id] },
      }),
    );
    await sequelize().query("UPDATE outages SET created_at = now() - interval '3 days' WHERE id = $1", { bind: [o.id] });
    await outageAnnouncements(new Date());
    await outageAnnouncements(new Date());
    const rows = await sequelize().query<{ id: number }>("SELECT id FROM outbox WHERE topic = 'outage.changed' AND (payload->>'outageId')::int = $1 AND payload->>'moment' = 'starting'", {
      bind: [o.id],
      type: QueryTypes.SELECT,
    });
    expect(rows).toHaveLength(1);
    const notices = await noticesFor("outage.changed", { outageId: o.id, moment: "starting" }, await loadRules());
    expect(notices.some((n) => "resident" in n.to && n.to.resident === w.resident.id && n.text.includes("Промывка"))).toBe(true);
  });
});
