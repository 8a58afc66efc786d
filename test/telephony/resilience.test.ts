// A dropped AMI link mid-call, the resync of live calls after reconnecting, a wrong password,
// Asterisk not running, and several app instances sharing one PBX.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Op } from "sequelize";
import { Call } from "../../src/models/Call.ts";
import type { PushMessage } from "../../src/push/publish.ts";
import type { User } from "../../src/models/User.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, createTicket, makeUser, makeWorld, type World } from "../support/factories.ts";
import { loginAs } from "../support/app.ts";
import { ContactAttempt } from "../../src/models/Ticket.ts";
import { AmiTestServer, loadFixture } from "../support/amiServer.ts";
import { CALLER, linkReady, startTelephonyApp, waitFor, type TelephonyApp } from "./support.ts";

// Own operator extension and caller number, so that files running in parallel never meet.
const NUMBER = "+79125550001";
const edit = (raw: string) => raw.replaceAll(CALLER, NUMBER).replaceAll("DestCallerIDNum: 201", "DestCallerIDNum: 204");
const LINKEDID = "1796312801.0";

let db: TestDb;
let ami: AmiTestServer;
let t: TelephonyApp;
let op: User;
let w: World;
const pushes: PushMessage[] = [];
const started: Array<{ stop(): Promise<void> }> = [];

const indexOf = (name: string, prefix: string) => loadFixture(name).blocks.findIndex((b) => b.raw.startsWith(prefix));

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  op = await makeUser("operator", w.callCentre, { extension: "204" });
  ami = new AmiTestServer();
  await ami.start();
  // A configured call-back time (the default, 10 minutes, is checked in calls.test.ts).
  t = await startTelephonyApp(ami, { AMI_CALLBACK_DUE_MINUTES: "5" });
  t.app.hub.onMessage((m) => pushes.push(m));
  await linkReady(t);
});

afterAll(async () => {
  for (const s of started.reverse()) await s.stop();
  await t?.app.stop();
  await ami?.stop();
  await db?.close();
});

async function lastCallId(): Promise<number> {
  return ((await Call.max("id")) as number | null) ?? 0;
}
/** Calls of this file's PBX after `id` (other files replay the same streams at the same time). */
const mine = (id: number, extra: object = {}) => ({ where: { id: { [Op.gt]: id }, pbx: `127.0.0.1:${ami.port}`, ...extra } });

describe("AMI link failures", () => {
  it("link dropped while ringing and the call gone on return: closed as missed, pop closed, call-back opened", async () => {
    const before = await lastCallId();
    await ami.play("inbound_answered_queue", { edit, stopAfter: indexOf("inbound_answered_queue", "Event: DialState") });
    const ringing = await waitFor(() => Call.findOne(mine(before, { status: "ringing" })), "ringing call");
    const resyncs = t.door.link()!.tracker.resyncs;
    ami.liveChannels = [];
    ami.dropClients();
    await linkReady(t, resyncs + 1);
    const call = await waitFor(async () => {
      const c = await Call.findByPk(ringing.id);
      return c?.status === "ended" && c;
    }, "call closed on resync");
    expect(call).toMatchObject({ outcome: "missed", partial: true, callbackStatus: "open", callerNumber: NUMBER });
    expect(call.callbackDueAt!.getTime() - call.endedAt!.getTime()).toBe(5 * 60_000);
    expect(pushes.filter((p) => p.event === "call.ended" && (p.data as { callId: number }).callId === call.id)).toEqual([
      expect.objectContaining({ audience: { userIds: [op.id] } }),
    ]);
  });

  it("link dropped while talking and the call still live: kept, and finished normally afterwards", async () => {
    const before = await lastCallId();
    const cut = indexOf("inbound_answered_queue", "Event: HangupRequest");
    await ami.play("inbound_answered_queue", { edit, stopAfter: cut });
    const answered = await waitFor(() => Call.findOne(mine(before, { status: "answered" })), "answered call");
    const resyncs = t.door.link()!.tracker.resyncs;
    ami.liveChannels = [
      `Channel: SIP/operator-00000001\r\nChannelStateDesc: Up\r\nCallerIDNum: 204\r\nUniqueid: 1796312801.1\r\nLinkedid: ${LINKEDID}\r\nBridgeId: b-1`,
      `Channel: SIP/trunk-00000000\r\nChannelStateDesc: Up\r\nCallerIDNum: ${NUMBER}\r\nUniqueid: ${LINKEDID}\r\nLinkedid: ${LINKEDID}\r\nBridgeId: b-1`,
    ];
    ami.dropClients();
    await linkReady(t, resyncs + 1);
    expect(ami.actions.filter((a) => a.fields.action === "CoreShowChannels").length).toBeGreaterThanOrEqual(2);
    expect((await Call.findByPk(answered.id))!.status).toBe("answered");
    ami.liveChannels = [];
    await ami.play("inbound_answered_queue", { edit, from: cut });
    const done = await waitFor(async () => {
      const c = await Call.findByPk(answered.id);
      return c?.status === "ended" && c;
    }, "call ended");
    expect(done).toMatchObject({ outcome: "answered", talkSec: 6, callbackStatus: null, operatorUserId: op.id });
    expect(await Call.count(mine(before))).toBe(1);
  });

  it("a wrong password: the platform runs, telephony reports the error and logs nothing", async () => {
    const other = new AmiTestServer({ secret: "right" });
    await other.start();
    started.push(other);
    const bad = await startTelephonyApp(other, { AMI_SECRET: "wrong" });
    started.push(bad.app);
    const link = await waitFor(async () => bad.door.link()?.conn.status.lastError === "auth_failed" && bad.door.link(), "auth failure");
    expect(link.conn.status.state).not.toBe("ready");
    expect((await fetch(`${bad.app.url}/healthz`)).status).toBe(200);
    expect(other.clients).toBe(0);
  });

  it("Asterisk not running at start: the platform starts, and the link comes up with it", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const later = new AmiTestServer();
    const app = await startTelephonyApp({ port } as AmiTestServer);
    started.push(app.app);
    await waitFor(async () => app.door.link()?.conn.status.lastError?.includes("ECONNREFUSED"), "connection refused");
    await later.start(port);
    started.push(later);
    await linkReady(app);
    expect(later.clients).toBe(1);
  });
});

describe("several app instances", () => {
  it("one instance holds the AMI link; each call is logged and popped once; another takes over when it stops", async () => {
    const second = await startTelephonyApp(ami);
    started.push(second.app);
    await new Promise((r) => setTimeout(r, 300));
    expect(ami.clients).toBe(1);
    expect(second.door.link()).toBeNull();
    const before = await lastCallId();
    const n = pushes.length;
    await ami.play("inbound_busy", { edit });
    const call = await waitFor(() => Call.findOne(mine(before, { status: "ended" })), "busy call");
    expect(call.outcome).toBe("busy");
    await new Promise((r) => setTimeout(r, 200));
    expect(await Call.count(mine(before))).toBe(1);
    expect(pushes.slice(n).filter((p) => p.event === "call.ringing")).toHaveLength(1);

    // Click-to-call asked on the instance without the link reaches the PBX through the holder.
    const ticket = await createTicket(actorOf(op), { buildingId: w.building.id, contactPhone: "+79125550002" });
    ami.onOriginate = { name: "click2call_operator_busy", speed: Infinity };
    const originates = ami.actions.filter((a) => a.fields.action === "Originate").length;
    const r = await (await loginAs(second.app.url, op)).post(`/api/tickets/${ticket.id}/call`, {});
    expect(r.status).toBe(202);
    const attempt = await waitFor(async () => {
      const a = await ContactAttempt.findByPk(r.body.id);
      return a?.outcome !== "pending" && a;
    }, "relayed attempt resolved");
    expect(attempt.outcome).toBe("failed");
    expect(ami.actions.filter((a) => a.fields.action === "Originate").length).toBe(originates + 1);
    ami.onOriginate = null;

    await t.app.stop();
    await linkReady(second);
    expect(ami.clients).toBe(1);
    const before2 = await lastCallId();
    await ami.play("inbound_busy", { edit });
    expect((await waitFor(() => Call.findOne(mine(before2, { status: "ended" })), "call via second instance")).outcome).toBe("busy");
  });
});
