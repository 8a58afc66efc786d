// Click-to-call from a ticket (AMI Originate, async, from the operator's phone): every attempt
// logged on the ticket with its outcome; the "resident unreachable" closure counts the ones the resident did not answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Op } from "sequelize";
import { Call } from "../../src/models/Call.ts";
import { ContactAttempt } from "../../src/models/Ticket.ts";
import type { User } from "../../src/models/User.ts";
import { runCommand } from "../../src/context.ts";
import { unansweredAttempts } from "../../src/commands/ticketLoader.ts";
import { telephonyDoor } from "../../telephony/index.ts";
import { setupTestDb, testConfig, type TestDb } from "../support/db.ts";
import { actorOf, createTicket, makeUser, makeWorld, system, type World } from "../support/factories.ts";
import { loginAs, startTestApp, type Client } from "../support/app.ts";
import { AmiTestServer } from "../support/amiServer.ts";
import { linkReady, startTelephonyApp, waitFor, type TelephonyApp } from "./support.ts";

let db: TestDb;
let ami: AmiTestServer;
let t: TelephonyApp;
let w: World;
let op: User;
let c: Client;
// The recorded resident number (89121234567) is changed so that this file's call-backs never
// touch those of calls.test.ts, which may run at the same time on the same database.
const PHONE = "+79125550000";
const edit = (raw: string) => raw.replaceAll("89121234567", "89125550000");

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  // Extension 203: this file never replays inbound streams, whose operator is 201.
  op = await makeUser("operator", w.callCentre, { extension: "203" });
  ami = new AmiTestServer();
  await ami.start();
  t = await startTelephonyApp(ami);
  await linkReady(t);
  c = await loginAs(t.app.url, op);
});

afterAll(async () => {
  await t?.app.stop();
  await ami?.stop();
  await db?.close();
});

async function attemptOutcome(id: number, not = "pending") {
  return waitFor(async () => {
    const a = await ContactAttempt.findByPk(id);
    return a && a.outcome !== not && a;
  }, "attempt outcome");
}

describe("click-to-call", () => {
  it("the resident answers: Originate from the operator's phone, attempt answered, call logged outbound, call-back closed", async () => {
    const ticket = await createTicket(actorOf(op), { buildingId: w.building.id, contactPhone: PHONE });
    // A missed call from this number waits on the call-back list.
    const missed = await Call.create({
      pbx: "other",
      pbxCallId: "x1",
      direction: "inbound",
      callerNumber: PHONE,
      calledNumber: "100",
      queue: null,
      operatorUserId: null,
      operatorExtension: null,
      status: "ended",
      outcome: "missed",
      hangupCause: 16,
      hangupCauseText: null,
      startedAt: new Date(),
      ringingAt: null,
      answeredAt: null,
      endedAt: new Date(),
      durationSec: 5,
      talkSec: 0,
      recordingFile: null,
      contactAttemptId: null,
      callbackStatus: "open",
      callbackDueAt: new Date(Date.now() + 600_000),
      callbackReason: null,
      callbackClosedAt: null,
      callbackClosedByUserId: null,
      callbackCallId: null,
    });
    ami.onOriginate = { name: "click2call_answered", speed: Infinity, edit };
    const r = await c.post(`/api/tickets/${ticket.id}/call`, {});
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ outcome: "pending", phone: PHONE });
    const sent = ami.actions.filter((a) => a.fields.action === "Originate").at(-1)!.fields;
    expect(sent).toMatchObject({ channel: "SIP/operator", context: "from-operator", exten: "89125550000", async: "true", priority: "1" });
    const a = await attemptOutcome(r.body.id);
    expect(a.outcome).toBe("answered");
    expect(a.userId).toBe(op.id);
    const call = await waitFor(() => Call.findOne({ where: { contactAttemptId: a.id, status: "ended" } }), "outbound call");
    expect(call).toMatchObject({ direction: "outbound", calledNumber: PHONE, callerNumber: null, outcome: "answered", operatorUserId: op.id, callbackStatus: null });
    expect(await Call.findByPk(missed.id)).toMatchObject({ callbackStatus: "done", callbackCallId: call.id });
    const card = await c.get(`/api/tickets/${ticket.id}`);
    expect(card.body.history.filter((h: { action: string }) => h.action === "contact_attempt")).toHaveLength(1);
  });

  it("the operator's phone busy or not answering: the attempt fails and does not count towards 'unreachable'", async () => {
    const ticket = await createTicket(actorOf(op), { buildingId: w.building.id, contactPhone: PHONE });
    for (const name of ["click2call_operator_busy", "click2call_operator_noanswer"]) {
      ami.onOriginate = { name, speed: Infinity, edit };
      const r = await c.post(`/api/tickets/${ticket.id}/call`, {});
      expect(r.status).toBe(202);
      expect((await attemptOutcome(r.body.id)).outcome).toBe("failed");
    }
    // The resident was never called: these failures are ours, not the resident's silence.
    expect(await runCommand(system, (ctx) => unansweredAttempts(ctx, ticket.id))).toBe(0);
    const calls = await waitFor(async () => {
      const rows = await Call.findAll({ where: { pbx: `127.0.0.1:${ami.port}`, status: "ended", pbxCallId: { [Op.in]: ["1796312906.19", "c2c-3-operator-leg"] } } });
      return rows.length === 2 && rows;
    }, "both outbound calls ended");
    expect(calls.map((x) => [x.direction, x.outcome]).sort()).toEqual([["outbound", "busy"], ["outbound", "failed"]]);
  });

  it("refused by the PBX, no phone, no extension, not an operator: clear errors, nothing pending left", async () => {
    const ticket = await createTicket(actorOf(op), { buildingId: w.building.id, contactPhone: PHONE });
    ami.onOriginate = null;
    ami.refuseOriginate = true;
    const refused = await c.post(`/api/tickets/${ticket.id}/call`, {});
    ami.refuseOriginate = false;
    expect(refused.status).toBe(409);
    expect(refused.body.error.id).toBe("call_not_placed");
    expect((await ContactAttempt.findAll({ where: { ticketId: ticket.id } })).map((x) => x.outcome)).toEqual(["failed"]);

    const noPhone = await createTicket(actorOf(op), { buildingId: w.building.id });
    const r1 = await c.post(`/api/tickets/${noPhone.id}/call`, {});
    expect([r1.status, r1.body.error.id]).toEqual([400, "no_phone"]);
    const r2 = await c.post(`/api/tickets/${noPhone.id}/call`, { phone: "12" });
    expect([r2.status, r2.body.error.id]).toEqual([400, "validation_failed"]);

    const noExt = await makeUser("operator", w.callCentre);
    const r3 = await (await loginAs(t.app.url, noExt)).post(`/api/tickets/${ticket.id}/call`, {});
    expect([r3.status, r3.body.error.id]).toEqual([400, "no_extension"]);
    const r4 = await (await loginAs(t.app.url, w.users.uo)).post(`/api/tickets/${ticket.id}/call`, {});
    expect(r4.status).toBe(403);
    expect(await ContactAttempt.count({ where: { ticketId: [ticket.id, noPhone.id], outcome: "pending" } })).toBe(0);
  });

  it("telephony is off until AMI host, user and secret are configured", async () => {
    expect(await telephonyDoor()({ cfg: testConfig(), db: t.app.db, hub: t.app.hub })).toBeNull();
    expect(await telephonyDoor()({ cfg: testConfig({ AMI_HOST: "127.0.0.1", AMI_USER: "cti" }), db: t.app.db, hub: t.app.hub })).toBeNull();
  });
});

describe("click-to-call without telephony", () => {
  it("answers 503 telephony_unavailable and logs no attempt", async () => {
    await t.app.stop();
    const plain = await startTestApp();
    try {
      const ticket = await createTicket(actorOf(op), { buildingId: w.building.id, contactPhone: PHONE });
      const r = await (await loginAs(plain.url, op)).post(`/api/tickets/${ticket.id}/call`, {});
      expect([r.status, r.body.error.id]).toEqual([503, "telephony_unavailable"]);
      expect(await ContactAttempt.count({ where: { ticketId: ticket.id } })).toBe(0);
    } finally {
      await plain.stop();
    }
  });
});
