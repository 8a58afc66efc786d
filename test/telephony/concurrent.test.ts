// Calls ringing at the same moment are recorded side by side (one lane per call): every operator
// gets the pop of the call ringing at their own phone only, and each call's pushes come in the
// PBX's order (ringing → answered → ended); every call is logged whole.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Call, CallLeg } from "../../src/models/Call.ts";
import type { User } from "../../src/models/User.ts";
import { answerAndHangupBlocks, callFactory, ringBlocks } from "../../bench/lib/amiCalls.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { makeOrg, makeUser } from "../support/factories.ts";
import { loginAs } from "../support/app.ts";
import { AmiTestServer } from "../support/amiServer.ts";
import { linkReady, openStream, startTelephonyApp, waitFor, type Stream, type TelephonyApp } from "./support.ts";

const N = 8;
let db: TestDb;
let ami: AmiTestServer;
let t: TelephonyApp;
let ops: User[];
let streams: Stream[];

beforeAll(async () => {
  db = await setupTestDb();
  const cc = await makeOrg("call_centre");
  ops = [];
  for (let i = 0; i < N; i++) ops.push(await makeUser("operator", cc, { extension: String(3101 + i) }));
  ami = new AmiTestServer();
  await ami.start();
  t = await startTelephonyApp(ami);
  await linkReady(t);
  streams = [];
  for (const op of ops) streams.push(await openStream(t.app.url, await loginAs(t.app.url, op)));
});

afterAll(async () => {
  for (const s of streams ?? []) s.close();
  await t?.app.stop();
  await ami?.stop();
  await db?.close();
});

describe("calls ringing at once", () => {
  it("each operator gets their own call's pushes, in order; every call is logged", async () => {
    const newCall = callFactory(1796400000);
    const calls = ops.map((op, i) => newCall(`+7912555${String(i).padStart(4, "0")}`, op.extension!));
    ami.inject(calls.map(ringBlocks).join(""));
    await waitFor(async () => streams.every((s) => s.events.some((e) => e.event === "call.ringing")), "every pop");
    ami.inject(calls.map(answerAndHangupBlocks).join(""));
    await waitFor(async () => streams.every((s) => s.events.some((e) => e.event === "call.ended")), "every call.ended");
    await t.door.link()!.tracker.whenIdle();
    for (let i = 0; i < N; i++) {
      const mine = streams[i]!.events.filter((e) => e.event.startsWith("call."));
      expect(mine.map((e) => e.event)).toEqual(["call.ringing", "call.answered", "call.ended"]);
      expect(mine[0]!.data.callerNumber).toBe(calls[i]!.caller);
      const call = await Call.findByPk(mine[0]!.data.callId);
      expect(call).toMatchObject({ pbxCallId: calls[i]!.linkedid, status: "ended", outcome: "answered", operatorUserId: ops[i]!.id });
      expect(await CallLeg.count({ where: { callId: call!.id } })).toBe(1);
      expect(call!.startedAt.getTime()).toBeLessThanOrEqual(call!.ringingAt!.getTime());
    }
    // the calls came at once: starts still waiting were left to their calls' ringing
    expect(t.door.link()!.tracker.coalescedStarts).toBeGreaterThan(0);
    expect(await Call.count({ where: { pbxCallId: calls.map((c) => c.linkedid) } })).toBe(N);
  });
});
