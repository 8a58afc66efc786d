// The whole telephony door: recorded Asterisk streams replayed by a local AMI server into the
// real connector and platform; assertions on the call log, the pops on each operator's own
// push channel, the call-back list, ticket-from-call and recordings.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Op } from "sequelize";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Call, CallLeg, CallTicket } from "../../src/models/Call.ts";
import { Resident, ResidentApartment } from "../../src/models/Resident.ts";
import { Ticket } from "../../src/models/Ticket.ts";
import type { User } from "../../src/models/User.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, category, createTicket, makeUser, makeWorld, type World } from "../support/factories.ts";
import { loginAs, type Client } from "../support/app.ts";
import { AmiTestServer, loadFixture } from "../support/amiServer.ts";
import { block, CALLER, linkReady, openStream, startTelephonyApp, waitFor, type Stream, type TelephonyApp } from "./support.ts";

let db: TestDb;
let ami: AmiTestServer;
let t: TelephonyApp;
let w: World;
let op: User;
let op2: User;
let opClient: Client;
let op2Client: Client;
let s1: Stream;
let s2: Stream;
let residentId: number;

async function lastCallId(): Promise<number> {
  return ((await Call.max("id")) as number | null) ?? 0;
}
/** The next call of this file's PBX (other files replay the same streams at the same time). */
async function callAfter(id: number, status = "ended"): Promise<Call> {
  return waitFor(() => Call.findOne({ where: { id: { [Op.gt]: id }, status, pbx: `127.0.0.1:${ami.port}` }, order: [["id", "ASC"]] }), `a call ${status}`);
}

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  op = await makeUser("operator", w.callCentre, { extension: "201" });
  op2 = await makeUser("operator", w.callCentre, { extension: "202" });
  const existing = await Resident.findOne({ where: { phone: CALLER } });
  const r = existing ?? (await Resident.create({ fullName: "Иванова Анна", phone: CALLER, email: null, consentAt: new Date(), consentVersion: "t", anonymisedAt: null }));
  await ResidentApartment.findOrCreate({ where: { residentId: r.id, apartmentId: w.apartments[0]!.id } });
  residentId = r.id;
  ami = new AmiTestServer();
  await ami.start();
  t = await startTelephonyApp(ami);
  await linkReady(t);
  opClient = await loginAs(t.app.url, op);
  op2Client = await loginAs(t.app.url, op2);
  s1 = await openStream(t.app.url, opClient);
  s2 = await openStream(t.app.url, op2Client);
});

afterAll(async () => {
  s1?.close();
  s2?.close();
  await t?.app.stop();
  await ami?.stop();
  await db?.close();
});

describe("inbound calls", () => {
  it("a queue call answered: the ringing operator alone gets the pop, then answered and ended; the call is logged", async () => {
    const own = await createTicket(actorOf(op), { residentId, buildingId: w.building.id, apartmentId: w.apartments[0]!.id });
    const neighbour = await createTicket(actorOf(op), { buildingId: w.building.id, apartmentId: w.apartments[1]!.id, contactPhone: "+79990001122" });
    const before = await lastCallId();
    const [n1, n2] = [s1.events.length, s2.events.length];
    await ami.play("inbound_answered_queue", { speed: 40 });
    const call = await callAfter(before);
    await waitFor(async () => s1.events.slice(n1).some((e) => e.event === "call.ended"), "call.ended push");
    const mine = s1.events.slice(n1).filter((e) => e.event.startsWith("call."));
    expect(mine.map((e) => e.event)).toEqual(["call.ringing", "call.answered", "call.ended"]);
    const pop = mine[0]!.data;
    expect(pop).toMatchObject({ callId: call.id, callerNumber: CALLER, withheld: false, unknownNumber: false, queue: "operators" });
    expect(pop.residents[0]).toMatchObject({ id: residentId, phone: CALLER });
    expect(pop.residents[0].addresses[0]).toMatchObject({ buildingId: w.building.id, apartmentId: w.apartments[0]!.id });
    expect(pop.tickets.map((x: { id: number }) => x.id)).toContain(own.id);
    expect(pop.buildingTickets.map((x: { id: number }) => x.id)).toContain(neighbour.id);
    expect(pop.buildingTickets.map((x: { id: number }) => x.id)).not.toContain(own.id);
    expect(Array.isArray(pop.outages)).toBe(true);
    expect(s2.events.slice(n2).filter((e) => e.event.startsWith("call."))).toEqual([]);

    const log = await opClient.get(`/api/calls/${call.id}`);
    expect(log.status).toBe(200);
    expect(log.body).toMatchObject({
      direction: "inbound",
      callerNumber: CALLER,
      calledNumber: "100",
      outcome: "answered",
      hangupCause: 16,
      talkSec: 6,
      operator: { id: op.id, extension: "201" },
      callback: null,
    });
    expect(log.body.legs).toEqual([expect.objectContaining({ extension: "201", userId: op.id, endReason: "call_ended" })]);
    expect(log.body.ringingAt <= log.body.answeredAt && log.body.answeredAt <= log.body.endedAt).toBe(true);
    const uoView = await (await loginAs(t.app.url, w.users.uo)).get("/api/calls");
    expect(uoView.status).toBe(403);
  });

  it("the pop lists active outages at the caller's building (when the outages feature is installed)", async () => {
    const [{ t: table }] = (await db.sequelize.query("SELECT to_regclass('public.outage_buildings')::text AS t"))[0] as Array<{ t: string | null }>;
    let outageId: number | null = null;
    if (table) {
      const [rows] = (await db.sequelize.query(
        `INSERT INTO outages (resource, kind, starts_at, expected_end_at, reason, org_id) VALUES ('hot_water','planned', now() - interval '1 hour', now() + interval '1 day', 'ремонт теплотрассы', $1) RETURNING id`,
        { bind: [w.uo.id] },
      )) as [Array<{ id: number }>, unknown];
      outageId = rows[0]!.id;
      await db.sequelize.query("INSERT INTO outage_buildings (outage_id, building_id) VALUES ($1, $2)", { bind: [outageId, w.building.id] });
    }
    const before = await lastCallId();
    const n1 = s1.events.length;
    await ami.play("inbound_abandoned_ringing");
    await callAfter(before);
    const pop = s1.events.slice(n1).find((e) => e.event === "call.ringing")!.data;
    if (outageId) expect(pop.outages).toEqual([expect.objectContaining({ id: outageId, resource: "hot_water", reason: "ремонт теплотрассы", buildingIds: [w.building.id] })]);
    else expect(pop.outages).toEqual([]);
    expect(pop.recentCalls.length).toBeGreaterThan(0);
  });

  it("the calls API: pops ringing now (after a page reload), one pop, filters, bad filters", async () => {
    const before = await lastCallId();
    const cut = loadFixture("inbound_answered_queue").blocks.findIndex((b) => b.raw.startsWith("Event: DialState"));
    await ami.play("inbound_answered_queue", { stopAfter: cut });
    const ringing = await callAfter(before, "ringing");
    await waitFor(async () => (await CallLeg.count({ where: { callId: ringing.id } })) > 0, "leg");
    const now = await opClient.get("/api/calls/ringing");
    expect(now.body.items.map((x: { callId: number }) => x.callId)).toEqual([ringing.id]);
    expect((await op2Client.get("/api/calls/ringing")).body.items).toEqual([]);
    const pop = await opClient.get(`/api/calls/${ringing.id}/pop`);
    expect(pop.body).toMatchObject({ callId: ringing.id, callerNumber: CALLER, residents: [expect.objectContaining({ id: residentId })] });
    await ami.play("inbound_answered_queue", { from: cut });
    await callAfter(before);
    expect((await opClient.get("/api/calls/ringing")).body.items).toEqual([]);

    const byNumber = await opClient.get(`/api/calls?number=${encodeURIComponent("8 912 123-45-67")}&outcome=answered&direction=inbound&perPage=200`);
    expect(byNumber.status).toBe(200);
    expect(byNumber.body.items.length).toBeGreaterThan(0);
    expect(byNumber.body.items.every((x: { callerNumber: string; outcome: string }) => x.callerNumber === CALLER && x.outcome === "answered")).toBe(true);
    const bad = await opClient.get("/api/calls?number=abc&outcome=lost");
    expect(bad.status).toBe(400);
    expect(bad.body.error.id).toBe("validation_failed");
    expect((await opClient.get("/api/calls/abc")).body.error.id).toBe("call_not_found");
    const oversight = await loginAs(t.app.url, w.users.oversight);
    expect((await oversight.get(`/api/calls/${ringing.id}`)).status).toBe(200);
    expect((await oversight.get(`/api/calls/${ringing.id}/pop`)).status).toBe(403);
  });

  it("ring-all: the pop is withdrawn from the operator who did not answer", async () => {
    const before = await lastCallId();
    const [n1, n2] = [s1.events.length, s2.events.length];
    const uid2 = "1796312801.99";
    await ami.play("inbound_answered_queue", {
      edit: (raw) => {
        if (raw.startsWith("Event: AgentCalled"))
          return raw + raw.replace(/DestCallerIDNum: 201/, "DestCallerIDNum: 202").replace(/DestUniqueid: \S+/, `DestUniqueid: ${uid2}`).replace(/SIP\/operator-00000001/g, "SIP/operator2-00000099");
        if (raw.startsWith("Event: AgentConnect"))
          return (
            raw +
            block({ Event: "DialEnd", Channel: "SIP/trunk-00000000", Uniqueid: "1796312801.0", Linkedid: "1796312801.0", DestChannel: "SIP/operator2-00000099", DestCallerIDNum: "202", DestUniqueid: uid2, DestLinkedid: "1796312801.0", DialStatus: "CANCEL" }) +
            block({ Event: "Hangup", Channel: "SIP/operator2-00000099", Uniqueid: uid2, Linkedid: "1796312801.0", Cause: "26", "Cause-txt": "Answered elsewhere" })
          );
        return raw;
      },
    });
    const call = await callAfter(before);
    await waitFor(async () => s1.events.slice(n1).some((e) => e.event === "call.ended"), "call.ended push");
    const other = s2.events.slice(n2).filter((e) => e.event.startsWith("call."));
    expect(other.map((e) => e.event)).toEqual(["call.ringing", "call.withdrawn"]);
    expect(other[1]!.data).toEqual({ callId: call.id, reason: "answered_elsewhere" });
    expect(s1.events.slice(n1).map((e) => e.event)).toEqual(expect.arrayContaining(["call.ringing", "call.answered", "call.ended"]));
    expect(s1.events.slice(n1).some((e) => e.event === "call.withdrawn")).toBe(false);
    const legs = await CallLeg.findAll({ where: { callId: call.id }, order: [["extension", "ASC"]] });
    expect(legs.map((l) => [l.extension, l.endReason])).toEqual([["201", "call_ended"], ["202", "answered_elsewhere"]]);
    expect(call.operatorUserId).toBe(op.id);
  });

  it("missed calls go to the call-back list with a due time; an operator dismisses one with a reason", async () => {
    const before = await lastCallId();
    await ami.play("inbound_abandoned_queue");
    const abandoned = await callAfter(before);
    await ami.play("inbound_busy");
    const busy = await callAfter(abandoned.id);
    await ami.play("inbound_abandoned_ringing");
    const cancelled = await callAfter(busy.id);
    expect([abandoned.outcome, busy.outcome, cancelled.outcome]).toEqual(["abandoned", "busy", "abandoned"]);
    expect(busy.hangupCause).toBe(17);
    for (const c of [abandoned, busy, cancelled]) {
      expect(c.callbackStatus).toBe("open");
      expect(c.callbackDueAt!.getTime() - c.endedAt!.getTime()).toBe(10 * 60_000);
    }
    const list = await opClient.get("/api/callbacks");
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: { id: number }) => x.id)).toEqual(expect.arrayContaining([abandoned.id, busy.id, cancelled.id]));
    expect((await (await loginAs(t.app.url, w.users.contractor)).get("/api/callbacks")).status).toBe(403);

    const empty = await opClient.post(`/api/calls/${busy.id}/callback/dismiss`, { reason: "  " });
    expect(empty.status).toBe(400);
    expect(empty.body.error.id).toBe("validation_failed");
    expect((await Call.findByPk(busy.id))!.callbackStatus).toBe("open");
    const ok = await opClient.post(`/api/calls/${busy.id}/callback/dismiss`, { reason: "дозвонились с мобильного" });
    expect(ok.status).toBe(200);
    expect(ok.body.callback).toMatchObject({ status: "dismissed", reason: "дозвонились с мобильного", closedByUserId: op.id });
    const again = await opClient.post(`/api/calls/${busy.id}/callback/dismiss`, { reason: "ещё раз" });
    expect(again.status).toBe(409);
    expect(again.body.error.id).toBe("callback_not_open");
    const notFound = await opClient.post(`/api/calls/999999/callback/dismiss`, { reason: "x" });
    expect(notFound.body.error.id).toBe("call_not_found");
    const after = await opClient.get("/api/callbacks");
    expect(after.body.items.map((x: { id: number }) => x.id)).not.toContain(busy.id);
  });

  it("a withheld number is 'no number': never a resident, no call-back", async () => {
    const before = await lastCallId();
    const n1 = s1.events.length;
    await ami.play("inbound_abandoned_queue", { edit: (raw) => raw.replaceAll(CALLER, "anonymous") });
    const call = await callAfter(before);
    expect(call.callerNumber).toBeNull();
    expect(call.callbackStatus).toBeNull();
    const pop = s1.events.slice(n1).find((e) => e.event === "call.ringing")!.data;
    expect(pop).toMatchObject({ callerNumber: null, withheld: true, unknownNumber: true, residents: [], tickets: [], recentCalls: [] });
  });

  it("an extension mapped to no operator: the call is logged, nobody gets a pop", async () => {
    const before = await lastCallId();
    const [n1, n2] = [s1.events.length, s2.events.length];
    await ami.play("inbound_abandoned_ringing", { edit: (raw) => raw.replaceAll("DestCallerIDNum: 201", "DestCallerIDNum: 299") });
    const call = await callAfter(before);
    expect(call.outcome).toBe("abandoned");
    const legs = await CallLeg.findAll({ where: { callId: call.id } });
    expect(legs.map((l) => [l.extension, l.userId])).toEqual([["299", null]]);
    expect(s1.events.slice(n1).some((e) => e.event === "call.ringing")).toBe(false);
    expect(s2.events.slice(n2).some((e) => e.event === "call.ringing")).toBe(false);
  });

  it("a ticket created from the pop is linked to the call and pre-filled; bad input writes nothing", async () => {
    const before = await lastCallId();
    await ami.play("local_originate_incoming");
    const call = await callAfter(before);
    expect(call).toMatchObject({ direction: "inbound", callerNumber: CALLER, outcome: "answered" });
    const tickets = await Ticket.count();
    const bad = await opClient.post(`/api/calls/${call.id}/tickets`, { description: "", categoryId: "x" });
    expect(bad.status).toBe(400);
    const wrongCall = await opClient.post(`/api/calls/987654/tickets`, { description: "Нет воды", categoryId: (await category("tap_leak")).id });
    expect(wrongCall.status).toBe(404);
    expect(await Ticket.count()).toBe(tickets);
    const r = await opClient.post(`/api/calls/${call.id}/tickets`, { description: "Течёт кран", categoryId: (await category("tap_leak")).id });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ channel: "phone", residentId, contact: { phone: CALLER }, buildingId: w.building.id, apartment: w.apartments[0]!.number });
    expect(await CallTicket.findAll({ where: { callId: call.id } })).toEqual([expect.objectContaining({ ticketId: r.body.id, kind: "created", userId: op.id })]);
    const byTicket = await opClient.get(`/api/calls?ticketId=${r.body.id}`);
    expect(byTicket.body.items.map((x: { id: number }) => x.id)).toEqual([call.id]);
    // An earlier ticket linked to the same call; twice is refused.
    const older = await createTicket(actorOf(op), { buildingId: w.building.id });
    const link = await opClient.post(`/api/calls/${call.id}/tickets/${older.id}/link`, {});
    expect([link.status, link.body]).toEqual([201, { callId: call.id, ticketId: older.id, kind: "linked" }]);
    expect((await opClient.post(`/api/calls/${call.id}/tickets/${older.id}/link`, {})).body.error.id).toBe("already_linked");
    expect((await opClient.post(`/api/calls/${call.id}/tickets/999999/link`, {})).body.error.id).toBe("ticket_not_found");
    expect((await opClient.get(`/api/calls/${call.id}`)).body.tickets).toHaveLength(2);
    const uo = await loginAs(t.app.url, w.users.uo);
    expect((await uo.post(`/api/calls/${call.id}/tickets`, { description: "x", categoryId: (await category("tap_leak")).id })).status).toBe(403);
  });

  it("a recording reference is stored and played to authorised users only, never outside the folder", async () => {
    const before = await lastCallId();
    await ami.play("inbound_answered_queue", {
      edit: (raw) =>
        raw.startsWith("Event: BridgeCreate")
          ? raw + block({ Event: "VarSet", Channel: "SIP/trunk-00000000", Uniqueid: "1796312801.0", Linkedid: "1796312801.0", Variable: "MIXMONITOR_FILENAME", Value: "/var/spool/asterisk/monitor/in-1796312801.0.wav" })
          : raw,
    });
    const call = await callAfter(before);
    expect(call.recordingFile).toBe("/var/spool/asterisk/monitor/in-1796312801.0.wav");
    const missing = await opClient.get(`/api/calls/${call.id}/recording`);
    expect(missing.status).toBe(404);
    writeFileSync(path.join(t.recordings, "in-1796312801.0.wav"), Buffer.from("RIFF....WAVEfmt "));
    const res = await fetch(`${t.app.url}/api/calls/${call.id}/recording`, { headers: { cookie: opClient.cookie! } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/wav");
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe("RIFF....WAVEfmt ");
    const uo = await loginAs(t.app.url, w.users.uo);
    expect((await uo.get(`/api/calls/${call.id}/recording`)).status).toBe(403);
    await Call.update({ recordingFile: "../../../etc/passwd" }, { where: { id: call.id } });
    expect((await opClient.get(`/api/calls/${call.id}/recording`)).status).toBe(404);
  });
});
