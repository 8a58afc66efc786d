import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, addWorkOrder, createTicket, makeWorld, type World } from "../support/factories.ts";
import { Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { residentActor } from "../../src/context.ts";

let db: TestDb;
let w: World;
beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
});
afterAll(() => db.close());

describe("happy path through the workflow", () => {
  it("goes from the call to closure, one history row per step", async () => {
    const op = actorOf(w.users.operator);
    const t = await createTicket(op, { buildingId: w.building.id, apartmentId: w.apartments[0]!.id, residentId: w.resident.id });
    expect(t.status).toBe("routed");
    expect(t.uoId).toBe(w.uo.id);
    await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
    await act(actorOf(w.users.contractor), t.id, "accept");
    const wo = await addWorkOrder(actorOf(w.users.contractor), t.id);
    await act(actorOf(w.users.contractor), t.id, "report", { worksDone: "Заменена прокладка", workOrderAttachmentId: wo.id });
    await act(actorOf(w.users.uo), t.id, "verify");
    await act(residentActor(w.resident), t.id, "confirm", { rating: 5 });
    const after = await Ticket.findByPk(t.id);
    expect(after!.status).toBe("closed");
    expect(after!.closureKind).toBe("resident_confirmed");
    expect(after!.rating).toBe(5);
    const h = await TicketHistory.findAll({ where: { ticketId: t.id }, order: [["id", "ASC"]] });
    expect(h.map((x) => x.action)).toEqual(["create", "route", "assign", "accept", "attachment_added", "report", "verify", "confirm"]);
    expect(h.find((x) => x.action === "assign")!.actorUserId).toBe(w.users.uo.id);
  });
});
