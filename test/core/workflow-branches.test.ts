// Every branch of the workflow through the real commands on the database: allowed moves,
// refusals that change nothing, deadlines recomputed, closure rules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, addWorkOrder, category, createTicket, makeOrg, makeUser, makeWorld, system, type World } from "../support/factories.ts";
import { ContactAttempt, Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { residentActor, runCommand } from "../../src/context.ts";
import { contactAttemptRecorder } from "../../src/commands/contactAttemptRecorder.ts";
import { AppError } from "../../src/errors.ts";
import { nextActions } from "../../src/workflow/engine.ts";

let db: TestDb;
let w: World;
beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
});
afterAll(() => db.close());

const op = () => actorOf(w.users.operator);
const uo = () => actorOf(w.users.uo);
const po = () => actorOf(w.users.contractor);
const res = () => residentActor(w.resident);

async function routed(extra: Parameters<typeof createTicket>[1] = {}) {
  return createTicket(op(), { buildingId: w.building.id, apartmentId: w.apartments[0]!.id, residentId: w.resident.id, ...extra });
}
async function reported() {
  const t = await routed();
  await act(uo(), t.id, "assign", { executorOrgId: w.contractor.id });
  await act(po(), t.id, "accept");
  const wo = await addWorkOrder(po(), t.id);
  await act(po(), t.id, "report", { worksDone: "Работы выполнены", workOrderAttachmentId: wo.id });
  return t;
}
const reload = (id: number) => Ticket.findByPk(id).then((t) => t!);
const historyCount = (id: number) => TicketHistory.count({ where: { ticketId: id } });

async function refused(p: Promise<unknown>, id: string) {
  const err = await p.then(
    () => null,
    (e) => e,
  );
  expect(err, `expected ${id}`).toBeInstanceOf(AppError);
  expect((err as AppError).id).toBe(id);
}

describe("intake", () => {
  it("unknown address waits for the operator, who routes it", async () => {
    const t = await createTicket(op(), { buildingId: null, addressText: "ул. Неизвестная, 5" });
    expect(t.status).toBe("awaiting_routing");
    await refused(act(op(), t.id, "route", {}), "validation_failed");
    await act(op(), t.id, "route", { uoId: w.uo.id });
    expect((await reload(t.id)).status).toBe("routed");
  });

  it("a web submission waits for the call centre's confirmation, then routes by address", async () => {
    const t = await createTicket(op(), { channel: "web", buildingId: w.building.id });
    expect(t.status).toBe("pending_confirmation");
    await refused(act(uo(), t.id, "assign", { executorOrgId: w.contractor.id }), "ticket_not_found");
    await act(op(), t.id, "confirm_intake");
    await act(op(), t.id, "route");
    expect((await reload(t.id)).uoId).toBe(w.uo.id);
  });

  it("the operator may decline registration with an explanation", async () => {
    const t = await createTicket(op(), { buildingId: null, addressText: "другой район" });
    await refused(act(op(), t.id, "decline_intake", {}), "validation_failed");
    await act(op(), t.id, "decline_intake", { reason: "Дом не обслуживается в МР «Печора»" });
    const after = await reload(t.id);
    expect([after.status, after.closureKind]).toEqual(["closed", "declined"]);
  });

  it("routing to something that is not a management company is refused", async () => {
    const t = await createTicket(op(), { buildingId: null, addressText: "где-то" });
    await refused(act(op(), t.id, "route", { uoId: w.contractor.id }), "validation_failed");
    expect((await reload(t.id)).status).toBe("awaiting_routing");
  });
});

describe("УО branches", () => {
  it("assigns only to a serving ПО/РСО or to its own staff", async () => {
    const t = await routed();
    const stranger = await makeOrg("contractor");
    await refused(act(uo(), t.id, "assign", { executorOrgId: stranger.id }), "validation_failed");
    await refused(act(uo(), t.id, "assign", { executorOrgId: w.uo.id }), "validation_failed"); // own staff needs a person
    await act(uo(), t.id, "assign", { executorOrgId: w.uo.id, executorUserId: w.users.uoStaff.id });
    const after = await reload(t.id);
    expect([after.status, after.executorOrgId, after.executorUserId]).toEqual(["assigned", w.uo.id, w.users.uoStaff.id]);
    // The УО's own staff then act as the executor.
    await act(actorOf(w.users.uoStaff), t.id, "accept");
    expect((await reload(t.id)).status).toBe("accepted");
  });

  it("reassigns with a reason; the old executor loses the ticket", async () => {
    const t = await routed();
    await act(uo(), t.id, "assign", { executorOrgId: w.contractor.id });
    await refused(act(uo(), t.id, "reassign", { executorOrgId: w.supplier.id }), "validation_failed");
    await act(uo(), t.id, "reassign", { executorOrgId: w.supplier.id, reason: "Авария на сетях РСО" });
    await refused(act(po(), t.id, "accept"), "ticket_not_found");
    await act(actorOf(w.users.supplier), t.id, "accept");
  });

  it("postpones until a date, moving the deadline, and resumes", async () => {
    const t = await routed();
    const until = new Date(Date.now() + 3 * 86_400_000);
    await refused(act(uo(), t.id, "postpone", { until, reason: "" }), "validation_failed");
    await refused(act(uo(), t.id, "postpone", { until: new Date(Date.now() - 1000), reason: "Нет доступа" }), "postpone_date_in_past");
    await act(uo(), t.id, "postpone", { until, reason: "Нет доступа в квартиру до понедельника" });
    const p = await reload(t.id);
    expect(p.status).toBe("postponed");
    expect(p.deadlineAt.getTime()).toBeGreaterThan(t.deadlineAt.getTime() + 2.9 * 86_400_000);
    await act(system, t.id, "resume");
    const r = await reload(t.id);
    expect([r.status, r.postponedUntil]).toEqual(["routed", null]);
  });

  it("extends the deadline only forward and with a reason", async () => {
    const t = await routed();
    const later = new Date(t.deadlineAt.getTime() + 86_400_000);
    await refused(act(uo(), t.id, "extend", { deadlineAt: later }), "validation_failed");
    await refused(act(uo(), t.id, "extend", { deadlineAt: new Date(t.deadlineAt.getTime() - 1000), reason: "x" }), "deadline_not_later");
    await act(uo(), t.id, "extend", { deadlineAt: later, reason: "Ожидание запчастей" });
    const after = await reload(t.id);
    expect(after.deadlineAt.getTime()).toBe(later.getTime());
    expect(after.status).toBe("routed");
  });

  it("changes the type and recomputes the deadline from registration", async () => {
    const t = await routed(); // tap_leak: 1 day
    const sewer = await category("sewer_blockage"); // 2 hours, emergency
    await act(uo(), t.id, "change_type", { categoryId: sewer.id, reason: "Это засор, а не течь" });
    const after = await reload(t.id);
    expect(after.categoryId).toBe(sewer.id);
    expect(after.deadlineAt.getTime()).toBe(t.createdAt.getTime() + 2 * 3_600_000);
    expect(after.emergency).toBe(true);
    expect(after.dispatchDeadlineAt!.getTime()).toBe(t.createdAt.getTime() + 30 * 60_000);
    const h = await TicketHistory.findOne({ where: { ticketId: t.id, action: "change_type" } });
    expect(Object.keys(h!.changes)).toEqual(expect.arrayContaining(["categoryId", "deadlineAt"]));
  });

  it("rejects as not its zone: back to the call centre, invisible to the УО", async () => {
    const t = await routed();
    await act(uo(), t.id, "reject", { reason: "Дом передан другой УК" });
    const after = await reload(t.id);
    expect([after.status, after.uoId]).toEqual(["awaiting_routing", null]);
    await refused(act(uo(), t.id, "assign", { executorOrgId: w.contractor.id }), "ticket_not_found");
    const otherUo = await makeOrg("management_company");
    await act(op(), t.id, "route", { uoId: otherUo.id });
    expect((await reload(t.id)).uoId).toBe(otherUo.id);
  });

  it("returns reported work to the executor, then verifies", async () => {
    const t = await reported();
    await refused(act(uo(), t.id, "return_work", {}), "validation_failed");
    await act(uo(), t.id, "return_work", { reason: "Течь осталась" });
    expect((await reload(t.id)).status).toBe("accepted");
  });
});

describe("executor branches", () => {
  it("declines with a reason back to the УО", async () => {
    const t = await routed();
    await act(uo(), t.id, "assign", { executorOrgId: w.contractor.id });
    await refused(act(po(), t.id, "decline", { reason: "нет" }), "validation_failed");
    await act(po(), t.id, "decline", { reason: "Течь не обнаружена", declineReason: "fault_not_confirmed" });
    const after = await reload(t.id);
    expect([after.status, after.executorOrgId]).toEqual(["routed", null]);
  });

  it("marks a crew dispatched only on emergencies", async () => {
    const t = await routed();
    await act(uo(), t.id, "assign", { executorOrgId: w.contractor.id });
    await refused(act(po(), t.id, "dispatch_crew"), "not_emergency");
    const e = await routed({ categoryId: (await category("emergency_pipe_burst")).id });
    await act(uo(), e.id, "assign", { executorOrgId: w.contractor.id });
    await act(po(), e.id, "dispatch_crew");
    const after = await reload(e.id);
    expect(after.status).toBe("crew_dispatched");
    expect(after.crewDispatchedAt).toBeInstanceOf(Date);
  });

  it("cannot report without the works and a work order", async () => {
    const t = await routed();
    await act(uo(), t.id, "assign", { executorOrgId: w.contractor.id });
    await act(po(), t.id, "accept");
    const before = await historyCount(t.id);
    await refused(act(po(), t.id, "report", { worksDone: "Сделано" }), "validation_failed");
    await refused(act(po(), t.id, "report", { worksDone: "Сделано", workOrderAttachmentId: 999999 }), "validation_failed");
    expect(await historyCount(t.id)).toBe(before);
    expect((await reload(t.id)).status).toBe("accepted");
  });
});

describe("closing", () => {
  it("the resident disputes: reopened, back to the УО", async () => {
    const t = await reported();
    await act(uo(), t.id, "verify");
    await refused(act(res(), t.id, "dispute", {}), "validation_failed");
    await act(res(), t.id, "dispute", { reason: "Кран снова течёт" });
    const after = await reload(t.id);
    expect([after.status, after.reopenedCount, after.executorOrgId]).toEqual(["routed", 1, null]);
  });

  it("the operator closes with the resident's agreement; the resident rates later", async () => {
    const t = await reported();
    await act(uo(), t.id, "verify");
    await act(op(), t.id, "confirm");
    await act(res(), t.id, "rate", { rating: 4, comment: "Спасибо" });
    const after = await reload(t.id);
    expect([after.status, after.rating]).toEqual(["closed", 4]);
  });

  it("closes as unreachable only after more than three unanswered call-backs", async () => {
    const t = await reported();
    await act(uo(), t.id, "verify");
    for (let i = 0; i < 3; i++) await runCommand(op(), (ctx) => contactAttemptRecorder({ ctx, ticketId: t.id, outcome: "no_answer" }));
    await refused(act(op(), t.id, "close_unreachable"), "resident_reachable");
    const tk = await reload(t.id);
    expect(nextActions(tk, op(), { unansweredAttempts: 3 }).map((a) => a.action)).not.toContain("close_unreachable");
    // A call that failed on our side (the operator's phone) is not the resident's silence.
    await runCommand(op(), (ctx) => contactAttemptRecorder({ ctx, ticketId: t.id, outcome: "failed" }));
    await refused(act(op(), t.id, "close_unreachable"), "resident_reachable");
    await runCommand(op(), (ctx) => contactAttemptRecorder({ ctx, ticketId: t.id, outcome: "busy" }));
    expect(await ContactAttempt.count({ where: { ticketId: t.id } })).toBe(5);
    await act(op(), t.id, "close_unreachable");
    expect((await reload(t.id)).closureKind).toBe("unreachable");
  });

  it("closes as unreachable at once when no phone was given", async () => {
    const t = await createTicket(op(), { channel: "web", buildingId: w.building.id, residentId: null, contactPhone: null });
    expect(t.contactPhone).toBeNull();
    await act(op(), t.id, "close_unreachable");
    expect((await reload(t.id)).closureKind).toBe("unreachable");
  });

  it("only the system closes for no answer, and it is recorded as such", async () => {
    const t = await reported();
    await act(uo(), t.id, "verify");
    await refused(act(op(), t.id, "close_no_answer"), "forbidden");
    await act(system, t.id, "close_no_answer");
    const h = await TicketHistory.findOne({ where: { ticketId: t.id, action: "close_no_answer" } });
    expect([h!.actorKind, (await reload(t.id)).closureKind]).toEqual(["system", "no_answer"]);
  });
});

describe("refusals change nothing", () => {
  it("illegal transitions, wrong roles, stale versions", async () => {
    const t = await routed();
    const before = await historyCount(t.id);
    await refused(act(uo(), t.id, "verify"), "transition_not_allowed");
    await refused(act(po(), t.id, "accept"), "ticket_not_found"); // not assigned to it: invisible
    await refused(act(op(), t.id, "assign", { executorOrgId: w.contractor.id }), "forbidden");
    await refused(act(uo(), t.id, "no_such_action"), "unknown_action");
    await refused(
      runCommand(uo(), async (ctx) =>
        (await import("../../src/commands/ticketActionTaker.ts")).ticketActionTaker({ ctx, ticketId: t.id, action: "assign", input: { executorOrgId: w.contractor.id }, expectedVersion: 0 }),
      ),
      "ticket_changed",
    );
    const after = await reload(t.id);
    expect([after.status, after.version, await historyCount(t.id)]).toEqual(["routed", t.version, before]);
  });

  it("a different УО's staff cannot see or touch the ticket", async () => {
    const t = await routed();
    const other = await makeUser("uo", await makeOrg("management_company"));
    await refused(act(actorOf(other), t.id, "assign", { executorOrgId: w.contractor.id }), "ticket_not_found");
  });
});
