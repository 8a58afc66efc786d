// The live record of a call (callStartRecorder, one upsert per AMI event): created once, kept up
// to date by later events without losing what they no longer report, locked, and handed back as
// an instance whose later saves write only what changed.
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCommand, systemActor } from "../../src/context.ts";
import { callStartRecorder } from "../../src/commands/callRecorder.ts";
import { Call } from "../../src/models/Call.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
let db: TestDb;
beforeAll(async () => { db = await setupTestDb(); });
afterAll(async () => { await db?.close(); });
it("creates a call once, updates it without losing numbers or queue, and saves only what changed", async () => {
  const facts = { pbx: "p", pbxCallId: "1.1", direction: "inbound" as const, callerRaw: "89121234567", calledRaw: "101", queue: null, partial: false };
  const at = new Date(Date.now() - 5000);
  const c1 = await runCommand(systemActor("t"), (ctx) => callStartRecorder({ ctx, facts, at }));
  expect(c1.changed()).toBe(false);
  expect(c1.isNewRecord).toBe(false);
  expect(c1).toMatchObject({ pbx: "p", pbxCallId: "1.1", callerNumber: "+79121234567", calledNumber: "101", status: "new", partial: false });
  expect(c1.startedAt.getTime()).toBe(at.getTime());
  const u1 = c1.updatedAt.getTime();
  const c2 = await runCommand(systemActor("t"), (ctx) => callStartRecorder({ ctx, facts: { ...facts, callerRaw: null, queue: "q1" }, at: new Date() }));
  expect(c2.id).toBe(c1.id);
  expect(c2).toMatchObject({ callerNumber: "+79121234567", queue: "q1" });
  expect(c2.startedAt.getTime()).toBe(at.getTime());
  expect(c2.updatedAt.getTime()).toBeGreaterThan(u1);
  const c3 = await runCommand(systemActor("t"), (ctx) => callStartRecorder({ ctx, facts: { ...facts, callerRaw: null, queue: null }, at: new Date() }));
  expect(c3.updatedAt.getTime()).toBe(c2.updatedAt.getTime());
  expect(c3.queue).toBe("q1");
  await runCommand(systemActor("t"), async (ctx) => { const c = await callStartRecorder({ ctx, facts, at }); c.set({ status: "ringing", ringingAt: new Date() }); expect(c.changed()).toEqual(["status", "ringingAt"]); await c.save({ transaction: ctx.transaction }); });
  const db1 = await Call.findByPk(c1.id);
  expect(db1).toMatchObject({ status: "ringing", queue: "q1", callerNumber: "+79121234567" });
  // a ring: a new call becomes ringing; the first ring time stays
  const r1 = new Date(Date.now() - 1000);
  const fresh = await runCommand(systemActor("t"), (ctx) => callStartRecorder({ ctx, facts: { ...facts, pbxCallId: "3.3" }, at, ringingAt: r1 }));
  expect(fresh).toMatchObject({ status: "ringing", ringingAt: r1, startedAt: at });
  const again = await runCommand(systemActor("t"), (ctx) => callStartRecorder({ ctx, facts: { ...facts, pbxCallId: "3.3" }, at: new Date(), ringingAt: new Date() }));
  expect(again).toMatchObject({ id: fresh.id, status: "ringing", ringingAt: r1, startedAt: at });
  await Call.update({ status: "answered" }, { where: { id: fresh.id } });
  const later = await runCommand(systemActor("t"), (ctx) => callStartRecorder({ ctx, facts: { ...facts, pbxCallId: "3.3" }, at: new Date(), ringingAt: new Date() }));
  expect(later).toMatchObject({ status: "answered", ringingAt: r1 });
  const out = await runCommand(systemActor("t"), (ctx) => callStartRecorder({ ctx, facts: { ...facts, pbxCallId: "2.2", direction: "outbound", callerRaw: "200", calledRaw: "89120000000" }, at }));
  expect(out).toMatchObject({ direction: "outbound", callerNumber: null, calledNumber: "+79120000000" });
});
