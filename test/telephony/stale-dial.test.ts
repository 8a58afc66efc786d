// A click-to-call whose result the PBX never reported (the AMI link dropped between the Originate
// and its answer, or the instance that dialled stopped) does not stay "pending" for ever: after
// DIAL_RESULT_WAIT_MINUTES the scheduled watch settles it from its call, if that call has ended,
// and as "failed" when there is none; a call still live is left alone, and so is a recent attempt.
import { afterAll, beforeAll, expect, it } from "vitest";
import { QueryTypes } from "sequelize";
import { runCommand } from "../../src/context.ts";
import { sequelize } from "../../src/db/sequelize.ts";
import { contactAttemptRecorder } from "../../src/commands/contactAttemptRecorder.ts";
import { DIAL_RESULT_WAIT_MINUTES } from "../../src/commands/callRecorder.ts";
import { staleDialWatch } from "../../src/jobs/tasks.ts";
import { Call } from "../../src/models/Call.ts";
import { ContactAttempt, TicketHistory } from "../../src/models/Ticket.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, createTicket, makeUser, makeWorld } from "../support/factories.ts";

let db: TestDb;
beforeAll(async () => {
  db = await setupTestDb();
});
afterAll(async () => {
  await db?.close();
});

it("settles click-to-calls left pending: from their ended call, else failed; live and recent ones wait", async () => {
  const w = await makeWorld();
  const op = await makeUser("operator", w.callCentre, { extension: "291" });
  const ticket = await createTicket(actorOf(op), { buildingId: w.building.id, contactPhone: "+79125559900" });
  const attempt = (ref: string) => runCommand(actorOf(op), (ctx) => contactAttemptRecorder({ ctx, ticketId: ticket.id, outcome: "pending", callRef: ref, note: "звонок из панели" }));
  const lost = await attempt("stale-lost");
  const answered = await attempt("stale-answered");
  const live = await attempt("stale-live");
  const recent = await attempt("stale-recent");
  // the Originate's call was logged under its own id, but its result never linked it
  const call = (id: string, status: "ended" | "answered", outcome: "answered" | null) =>
    Call.create({ pbx: "p", pbxCallId: id, direction: "outbound", callerNumber: "291", calledNumber: "+79125559900", status, outcome, startedAt: new Date(), endedAt: status === "ended" ? new Date() : null, partial: false } as never);
  await call("stale-answered", "ended", "answered");
  await call("stale-live", "answered", null);
  await sequelize().query("UPDATE contact_attempts SET created_at = now() - $2 * interval '1 minute' WHERE id = ANY($1::int[])", {
    bind: [[lost.id, answered.id, live.id], DIAL_RESULT_WAIT_MINUTES + 1],
    type: QueryTypes.UPDATE,
  });

  expect(await staleDialWatch(new Date())).toBe(2);
  const outcome = async (id: number) => (await ContactAttempt.findByPk(id))!.outcome;
  expect(await outcome(lost.id)).toBe("failed");
  expect(await outcome(answered.id)).toBe("answered");
  expect(await outcome(live.id)).toBe("pending");
  expect(await outcome(recent.id)).toBe("pending");
  // each settlement is on the ticket's history, once
  const rows = await TicketHistory.findAll({ where: { ticketId: ticket.id, action: "contact_attempt" }, order: [["id", "ASC"]] });
  expect(rows.map((r) => (r.changes as { contactAttempt?: { to: string } }).contactAttempt?.to).slice(-2)).toEqual(["вызов не состоялся", "житель ответил"]);
  expect(await staleDialWatch(new Date())).toBe(0);
});
