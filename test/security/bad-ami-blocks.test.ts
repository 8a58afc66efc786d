// The bad-input corpus for the telephony link: malformed and hostile AMI blocks written by the
// local AMI server (test/support/amiServer.ts) into the real connector, call mapper and call log
// of the running platform. For every case: the link stays up (or comes back by itself), no
// unhandled rejection, no call rows, legs or pops for nonsense (the calls a case does describe are
// recorded sanely), nothing else in the database touched, and a recorded call replayed right
// after is still logged and popped correctly.
import type net from "node:net";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Op, QueryTypes } from "sequelize";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Call, CallLeg } from "../../src/models/Call.ts";
import type { User } from "../../src/models/User.ts";
import type { PushMessage } from "../../src/push/publish.ts";
import type { Platform } from "../../src/server.ts";
import { telephonyDoor, type TelephonyDoor } from "../../telephony/index.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { makeUser, makeWorld } from "../support/factories.ts";
import { loginAs, startTestApp, type Client } from "../support/app.ts";
import { AmiTestServer } from "../support/amiServer.ts";
import { block, CALLER, waitFor } from "../telephony/support.ts";

let db: TestDb;
let ami: AmiTestServer;
let app: Platform;
let door: TelephonyDoor;
let op: User;
let opClient: Client;
let pbx: string;
const pushes: PushMessage[] = [];
const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);

beforeAll(async () => {
  process.on("unhandledRejection", onCrash);
  process.on("uncaughtException", onCrash);
  db = await setupTestDb();
  const w = await makeWorld();
  op = await makeUser("operator", w.callCentre, { extension: "201" }); // the operator of the recordings
  ami = new AmiTestServer();
  await ami.start();
  pbx = `127.0.0.1:${ami.port}`;
  // A short keep-alive, so a link the PBX's bytes wedged is noticed and re-made within seconds.
  app = await startTestApp({
    doors: [telephonyDoor({ leaderRetryMs: 50, backoffInitialMs: 20, backoffMaxMs: 300, actionTimeoutMs: 2000, pingIntervalMs: 250 })],
    env: {
      AMI_HOST: "127.0.0.1", AMI_PORT: String(ami.port), AMI_USER: "cti", AMI_SECRET: "cti_secret",
      AMI_OPERATOR_CHANNEL: "SIP/operator", AMI_ORIGINATE_CONTEXT: "from-operator", RECORDINGS_DIR: mkdtempSync(path.join(os.tmpdir(), "op-rec-")),
    },
  });
  door = app.doors.find((d) => d.name === "telephony") as TelephonyDoor;
  app.hub.onMessage((m) => pushes.push(m));
  await waitFor(async () => door.link()?.conn.status.state === "ready" && door.link()!.tracker.resyncs >= 1, "AMI link ready");
  opClient = await loginAs(app.url, op);
});
afterAll(async () => {
  await app?.stop();
  await ami?.stop();
  await db?.close();
  process.off("unhandledRejection", onCrash);
  process.off("uncaughtException", onCrash);
});

// --- writing to the link
const link = () => door.link()!;
/** The server's logged-in client sockets (AmiTestServer.inject writes strings, as UTF-8 only). */
const clientSockets = () => [...(ami as unknown as { sockets: Set<net.Socket & { authed?: boolean }> }).sockets].filter((s) => s.authed);
function injectBytes(bytes: Buffer): void {
  for (const s of clientSockets()) s.write(bytes);
}
/**
 * Writes a text one byte per socket write, letting the event loop run between. The server's own
 * answers (to the keep-alive Ping) are held until the end, as Asterisk never writes inside a block.
 */
async function injectByteByByte(text: string): Promise<void> {
  const sockets = clientSockets();
  const held: Array<() => void> = [];
  const writes = sockets.map((s) => {
    const write = s.write.bind(s) as (b: Buffer | string) => boolean;
    (s as { write: unknown }).write = (b: Buffer | string) => (held.push(() => write(b)), true);
    return write;
  });
  try {
    for (const byte of Buffer.from(text)) {
      for (const write of writes) write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    for (const s of sockets) delete (s as { write?: unknown }).write; // back to the prototype's
    for (const flush of held) flush();
  }
}
let probes = 0;
/** Writes a marker event after the case and waits until the connector passed it on and the tracker is idle. */
async function settle(): Promise<void> {
  const token = `probe-${++probes}`;
  const seen = new Promise<void>((resolve, reject) => {
    const conn = link().conn;
    const timer = setTimeout(() => reject(new Error(`the connector never passed ${token} on`)), 8000);
    const on = (b: Record<string, string>) => {
      if (b.userevent !== token) return;
      clearTimeout(timer);
      conn.off("event", on);
      resolve();
    };
    conn.on("event", on);
  });
  // A blank line first: whatever the case left unfinished is closed off as a block of its own.
  ami.inject(`\r\n\r\nEvent: UserEvent\r\nPrivilege: user,all\r\nUserEvent: ${token}\r\n\r\n`);
  await seen;
  await link().tracker.whenIdle();
}

// --- building blocks of hand-made calls (linked ids apart from the recordings')
let seq = 0;
const nextCall = () => `1900000${String(++seq).padStart(3, "0")}`;
interface HandCall {
  id?: string;
  caller?: string;
  ext?: string;
  status?: string;
  cause?: string;
  /** Blocks between the dial and the hang-ups (Cdr, AgentComplete, VarSet…). */
  during?: (a: string, b: string) => string[];
}
/** A direct call: the trunk leg `a` dials the operator leg `b`, then both hang up. */
function handCall(c: HandCall = {}): string {
  const id = c.id ?? nextCall();
  const a = `${id}.1`;
  const b = `${id}.2`;
  const ch = { Channel: "SIP/trunk-0000aa01", Uniqueid: a, Linkedid: a };
  const dial = { ...ch, DestChannel: "SIP/operator-0000aa02", DestUniqueid: b, DestLinkedid: a, DestCallerIDNum: c.ext ?? "201" };
  return [
    block({ Event: "Newchannel", ...ch, CallerIDNum: c.caller ?? "+79125550101", Exten: "101" }),
    block({ Event: "Newchannel", Channel: "SIP/operator-0000aa02", CallerIDNum: c.ext ?? "201", Uniqueid: b, Linkedid: a }),
    block({ Event: "DialBegin", ...dial }),
    block({ Event: "DialEnd", ...dial, DialStatus: c.status ?? "BUSY" }),
    ...(c.during?.(a, b) ?? []),
    block({ Event: "Hangup", Channel: "SIP/operator-0000aa02", Uniqueid: b, Linkedid: a, Cause: c.cause ?? "16", "Cause-txt": "Normal Clearing" }),
    block({ Event: "Hangup", ...ch, Cause: c.cause ?? "16", "Cause-txt": "Normal Clearing" }),
  ].join("");
}

// --- what a case expects
interface AmiCase {
  name: string;
  send: () => void | Promise<void>;
  /** Call rows the case describes (0: it is nonsense). */
  calls?: number;
  /** Screen-pops those calls give the operator. */
  pops?: number;
  /** The link is expected to drop and come back. */
  reconnects?: boolean;
  check?: (calls: Call[]) => void | Promise<void>;
}

const lastCallId = async () => ((await Call.max("id")) as number | null) ?? 0;
const callsAfter = (id: number) => Call.findAll({ where: { id: { [Op.gt]: id }, pbx }, order: [["id", "ASC"]] });
const callPushes = (from: number) => pushes.slice(from).filter((p) => p.event.startsWith("call."));
const callIdOf = (p: PushMessage) => (p.data as { callId?: number }).callId;
/** Tables a hostile block must never touch, as count + content hash. */
async function untouched(): Promise<string> {
  const [row] = await db.sequelize.query<{ f: string }>(
    `SELECT (SELECT count(*) || md5(coalesce(string_agg(u::text, ',' ORDER BY u.id), '')) FROM users u) || '|' ||
            (SELECT count(*) FROM tickets) || '|' || (SELECT count(*) FROM contact_attempts) || '|' || (SELECT count(*) FROM residents) AS f`,
    { type: QueryTypes.SELECT },
  );
  return row!.f;
}

/** A recorded call (the operator's phone is busy) replayed as Asterisk sent it: logged and popped as always. */
async function recordedCallStillMapped(): Promise<number> {
  const before = await lastCallId();
  const from = pushes.length;
  await ami.play("inbound_busy");
  const call = await waitFor(async () => (await callsAfter(before)).find((c) => c.status === "ended"), "the recorded call ended");
  expect([call.outcome, call.hangupCause, call.callerNumber, call.partial]).toEqual(["busy", 17, CALLER, false]);
  const mine = await waitFor(async () => {
    const p = callPushes(from).filter((x) => callIdOf(x) === call.id);
    return p.some((x) => x.event === "call.withdrawn") && p;
  }, "the recorded call's pushes");
  expect(mine.map((p) => p.event)).toEqual(["call.ringing", "call.withdrawn"]);
  expect(mine[0]!.data).toMatchObject({ callerNumber: CALLER });
  expect(mine[0]!.audience).toEqual({ userIds: [op.id] });
  return call.id;
}

async function run(c: AmiCase): Promise<void> {
  const conn = link().conn;
  let downs = 0;
  const onDown = () => downs++;
  conn.on("down", onDown);
  const crashesBefore = crashes.length;
  const resyncs = link().tracker.resyncs;
  const before = await lastCallId();
  const from = pushes.length;
  const fixed = await untouched();
  try {
    await c.send();
    if (c.reconnects) await waitFor(async () => downs > 0 && conn.status.state === "ready" && link().tracker.resyncs > resyncs, "the link re-made and live calls re-read");
    await settle();
    expect(conn.status.state).toBe("ready");
    if (!c.reconnects) expect(downs, "the link dropped").toBe(0);

    // The calls the case describes, closed; nothing for nonsense; nothing else touched.
    const calls = await callsAfter(before);
    expect(calls.map((x) => x.pbxCallId.slice(0, 40)), "call rows").toHaveLength(c.calls ?? 0);
    expect(calls.filter((x) => x.status !== "ended").map((x) => x.pbxCallId.slice(0, 40)), "calls left open").toEqual([]);
    if (!calls.length) expect(await CallLeg.count({ where: { callId: { [Op.gt]: before } } })).toBe(0);
    await c.check?.(calls);
    expect(await untouched()).toBe(fixed);

    // A recorded call right after is mapped as always. Pushes arrive in commit order, so any the
    // case caused came before the recorded call's last one: all are for the case's calls or that call.
    const control = await recordedCallStillMapped();
    const ids = new Set([...calls.map((x) => x.id), control]);
    expect(callPushes(from).filter((p) => !ids.has(callIdOf(p)!))).toEqual([]);
    expect(callPushes(from).filter((p) => p.event === "call.ringing" && callIdOf(p) !== control), "pops of the case's calls").toHaveLength(c.pops ?? 0);
    expect(crashes.slice(crashesBefore)).toEqual([]);
  } finally {
    conn.off("down", onDown);
  }
}

const kb = (n: number, ch = "x") => ch.repeat(n * 1024);
/** 100 KB of hex digits that do not repeat (PostgreSQL cannot compress them into an index entry). */
const noise = (seed: number) => {
  let x = seed;
  return Array.from({ length: 100 * 1024 }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31), (x >> 16) & 15).toString(16)).join("");
};
const INJECT = "'; DROP TABLE calls; --";
const onlyCall = (calls: Call[]) => calls[0]!;

const cases: AmiCase[] = [
  // --- blocks missing what identifies them
  { name: "Event line alone", send: () => ami.inject("Event: Newchannel\r\n\r\n") },
  { name: "missing Event", send: () => ami.inject(block({ Channel: "SIP/trunk-1", Uniqueid: "1901.1", Linkedid: "1901.1", CallerIDNum: "+79125550102" })) },
  { name: "empty Event name", send: () => ami.inject(block({ Event: "", Uniqueid: "1902.1", Linkedid: "1902.1" })) },
  { name: "Newchannel missing Linkedid", send: () => ami.inject(block({ Event: "Newchannel", Channel: "SIP/trunk-1", Uniqueid: "1903.1", CallerIDNum: "+79125550103" })) },
  { name: "Newchannel missing Uniqueid", send: () => ami.inject(block({ Event: "Newchannel", Channel: "SIP/trunk-1", Linkedid: "1904.1", CallerIDNum: "+79125550104" })) },
  { name: "DialBegin missing Uniqueid and Linkedid", send: () => ami.inject(block({ Event: "DialBegin", Channel: "SIP/trunk-1", DestChannel: "SIP/operator-1", DestCallerIDNum: "201" })) },
  { name: "unknown event names", send: () => ami.inject(["FooBar", "Newchannel2", "HANGUP_ALL", `Hangup${INJECT}`].map((e) => block({ Event: e, Uniqueid: "1905.1", Linkedid: "1905.1" })).join("")) },
  { name: "an answer to nobody's action", send: () => ami.inject(block({ Response: "Success", ActionID: "nobody-asked", Message: "ok" })) },
  { name: "OriginateResponse for no known attempt", send: () => ami.inject(block({ Event: "OriginateResponse", ActionID: INJECT, Response: "Success", Uniqueid: "1906.1", Reason: "4" })) },
  { name: "BlindTransfer of an unknown call", send: () => ami.inject(block({ Event: "BlindTransfer", TransfereeLinkedid: "1907.1", Extension: "201" })) },
  // --- bytes that are not AMI
  { name: "garbage lines without colon", send: () => ami.inject("garbage line\r\nmore garbage\r\n\r\nEvent Hangup Uniqueid 1908.1\r\n\r\n") },
  { name: "header line of 100 KB", send: () => ami.inject(block({ Event: "VarSet", Uniqueid: "1909.1", Linkedid: "1909.1", Variable: "X", Value: kb(100) })) },
  { name: "a block of 10,000 headers", send: () => ami.inject(`Event: Newexten\r\n${Array.from({ length: 10_000 }, (_, i) => `H${i}: ${i}`).join("\r\n")}\r\n\r\n`) },
  { name: "non-UTF-8 bytes", send: () => injectBytes(Buffer.concat([Buffer.from("Event: Newstate\r\nCallerIDName: "), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]), Buffer.from("\r\nUniqueid: 1910.1\r\n\r\n")])) },
  { name: "binary blob", send: () => injectBytes(Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256))) },
  { name: "bare CR line endings", send: () => ami.inject("Event: Newchannel\rUniqueid: 1911.1\rLinkedid: 1911.1\rCallerIDNum: +79125550105\r\r") },
  { name: "a thousand blank lines", send: () => ami.inject("\r\n".repeat(1000)) },
  { name: "a block cut off mid-line", send: () => ami.inject("Event: Hangup\r\nUniqueid: 1912.1\r\nLinked") },
  { name: "a command output that never ends (Response: Follows)", send: () => ami.inject("Response: Follows\r\nPrivilege: Command\r\n\r\n"), reconnects: true },
  // --- the same call, sent in odd ways
  {
    name: "a call with LF line endings",
    send: () => ami.inject(handCall({ id: "1913000" }).replaceAll("\r\n", "\n")),
    calls: 1,
    pops: 1,
    check: (calls) => expect([onlyCall(calls).outcome, onlyCall(calls).callerNumber]).toEqual(["busy", "+79125550101"]),
  },
  {
    name: "a call split at every byte",
    send: () => injectByteByByte(handCall({ id: "1914000" })),
    calls: 1,
    pops: 1,
    check: (calls) => expect([onlyCall(calls).outcome, onlyCall(calls).partial]).toEqual(["busy", false]),
  },
  // --- calls the PBX tells in a strange order
  {
    name: "a Hangup for an unknown call",
    send: () => ami.inject(block({ Event: "Hangup", Channel: "SIP/operator-1", Uniqueid: "1915000.2", Linkedid: "1915000.1", Cause: "16" })),
    calls: 1, // documented: one record of a call seen only at its end, closed at once, without a pop
    check: (calls) => expect([onlyCall(calls).partial, onlyCall(calls).callbackStatus]).toEqual([true, null]),
  },
  {
    name: "a duplicate Newchannel",
    send: () => {
      const nc = block({ Event: "Newchannel", Channel: "SIP/trunk-1", Uniqueid: "1916000.1", Linkedid: "1916000.1", CallerIDNum: "+79125550106", Exten: "101" });
      ami.inject(nc + nc + block({ Event: "Hangup", Channel: "SIP/trunk-1", Uniqueid: "1916000.1", Linkedid: "1916000.1", Cause: "16" }));
    },
    calls: 1,
    check: (calls) => expect([onlyCall(calls).outcome, onlyCall(calls).callerNumber]).toEqual(["abandoned", "+79125550106"]),
  },
  {
    name: "Newstate before Newchannel",
    send: () =>
      ami.inject(
        block({ Event: "Newstate", Channel: "SIP/trunk-1", Uniqueid: "1917000.1", Linkedid: "1917000.1", ChannelStateDesc: "Ring" }) +
          block({ Event: "Newchannel", Channel: "SIP/trunk-1", Uniqueid: "1917000.1", Linkedid: "1917000.1", CallerIDNum: "+79125550107" }) +
          block({ Event: "Hangup", Channel: "SIP/trunk-1", Uniqueid: "1917000.1", Linkedid: "1917000.1", Cause: "16" }),
      ),
    calls: 1,
    check: (calls) => expect([onlyCall(calls).status, onlyCall(calls).partial]).toEqual(["ended", true]),
  },
  {
    name: "repeated Event and Linkedid headers in one block",
    send: () => ami.inject(`Event: Newchannel\r\nEvent: Hangup\r\nChannel: SIP/trunk-1\r\nUniqueid: 1918000.1\r\nLinkedid: 1918000.1\r\nLinkedid: ${INJECT}\r\n\r\n${block({ Event: "Hangup", Uniqueid: "1918000.1", Linkedid: "1918000.1", Cause: "16" })}`),
    calls: 1,
    check: (calls) => expect(onlyCall(calls).pbxCallId).toBe("1918000.1"),
  },
  // --- caller id and extension fields
  ...[
    ["injection string", INJECT],
    ["very long number", "7".repeat(500)],
    ["letters", "ABCDEFGHIJK"],
    ["100 KB", kb(100, "9")],
  ].map(([what, caller]) => ({
    name: `caller id with ${what}`,
    send: () => ami.inject(handCall({ caller })),
    calls: 1,
    pops: 1,
    check: async (calls: Call[]) => {
      expect([onlyCall(calls).callerNumber, onlyCall(calls).outcome]).toEqual([null, "busy"]);
      expect(onlyCall(calls).callbackStatus).toBeNull(); // no number to call back
    },
  })),
  {
    name: "an extension with SQL in it",
    send: () => ami.inject(handCall({ ext: `201${INJECT}` })),
    calls: 1,
    pops: 0, // rings at an extension of no user: logged, no screen-pop
    check: async (calls) => expect((await CallLeg.findAll({ where: { callId: onlyCall(calls).id } })).map((l) => [l.extension, l.userId])).toEqual([[`201${INJECT}`, null]]),
  },
  {
    name: "Uniqueid and Linkedid of 100 KB",
    send: () => {
      const id = noise(1);
      ami.inject(block({ Event: "Newchannel", Channel: "SIP/trunk-1", Uniqueid: id, Linkedid: id, CallerIDNum: "+79125550108" }) + block({ Event: "Hangup", Uniqueid: id, Linkedid: id, Cause: "16" }));
    },
  },
  {
    name: "a ringing leg (DestUniqueid) of 100 KB",
    send: () => ami.inject(handCall({ id: "1919000" }).replaceAll("DestUniqueid: 1919000.2", `DestUniqueid: ${noise(2)}`)),
    calls: 1,
    check: async (calls) => expect(await CallLeg.count({ where: { callId: onlyCall(calls).id } })).toBe(0),
  },
  // --- numbers that are not numbers
  ...[
    ["negative", "-30"],
    ["non-numeric", "тридцать"],
    ["beyond integer range", "99999999999"],
    ["fractional", "12.5"],
  ].map(([what, secs]) => ({
    name: `Cdr with a ${what} duration`,
    send: () => ami.inject(handCall({ status: "ANSWER", during: (a) => [block({ Event: "Cdr", Uniqueid: a, Disposition: "ANSWERED", BillableSeconds: secs!, Duration: secs! })] })),
    calls: 1,
    pops: 1,
    check: (calls: Call[]) => {
      const c = onlyCall(calls);
      expect(c.outcome).toBe("answered");
      expect(Number.isInteger(c.talkSec) && c.talkSec! >= 0 && c.talkSec! < 86_400, `talkSec ${c.talkSec}`).toBe(true);
    },
  })),
  {
    name: "AgentComplete with a negative talk time",
    send: () => ami.inject(handCall({ status: "ANSWER", during: (a, b) => [block({ Event: "AgentComplete", Uniqueid: a, Linkedid: a, DestUniqueid: b, TalkTime: "-500", HoldTime: "-1" })] })),
    calls: 1,
    pops: 1,
    check: (calls) => expect(onlyCall(calls).talkSec! >= 0, `talkSec ${onlyCall(calls).talkSec}`).toBe(true),
  },
  ...[
    ["beyond integer range", "99999999999"],
    ["negative", "-16"],
    ["non-numeric", "sixteen"],
  ].map(([what, cause]) => ({
    name: `Hangup cause ${what}`,
    send: () => ami.inject(handCall({ cause })),
    calls: 1,
    pops: 1,
    check: (calls: Call[]) => expect([onlyCall(calls).status, onlyCall(calls).hangupCause]).toEqual(["ended", null]),
  })),
  {
    name: "a recording file name that climbs out of the recordings folder",
    send: () => ami.inject(handCall({ status: "ANSWER", during: (a) => [block({ Event: "VarSet", Uniqueid: a, Linkedid: a, Variable: "MIXMONITOR_FILENAME", Value: "../../../../etc/passwd" })] })),
    calls: 1,
    pops: 1,
    check: async (calls) => {
      const r = await opClient.request("GET", `/api/calls/${onlyCall(calls).id}/recording`);
      expect(r.status).toBe(404);
      expect(r.body.error.message).toMatch(/[а-яё]/i);
    },
  },
];

describe("bad AMI blocks", () => {
  for (const c of cases) it(c.name, { timeout: 20_000 }, () => run(c));
});
