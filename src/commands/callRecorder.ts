// Records what the PBX reports about calls: the call log row, which operator phones rang (and
// gets the screen-pop), who answered (others' pops are withdrawn), how it ended, the call-back
// list, and the outcome of click-to-call attempts. Called by the telephony door as the system.
import { Op, QueryTypes } from "sequelize";
import type { Ctx } from "../context.ts";
import { config } from "../config.ts";
import { sequelize } from "../db/sequelize.ts";
import { logger } from "../logger.ts";
import { normalizePhone } from "../lib/phone.ts";
import { Call, CallLeg, type CallDirection, type CallOutcome, type LegEndReason } from "../models/Call.ts";
import { ContactAttempt, type ContactOutcome } from "../models/Ticket.ts";
import { User } from "../models/User.ts";
import { publishPush } from "../push/publish.ts";
import { contactAttemptResolver } from "./contactAttemptRecorder.ts";
import { callPopLoader } from "./callPopLoader.ts";
import { columnsOf, instanceOf } from "../db/joinedRow.ts";
import { preparedQuery } from "../db/prepared.ts";

/** What the telephony door knows about a call, in PBX-neutral terms. */
export interface CallFacts {
  pbx: string;
  pbxCallId: string;
  direction: CallDirection;
  callerRaw: string | null;
  calledRaw: string | null;
  queue: string | null;
  partial: boolean;
}

type Push = { event: string; userIds: number[]; data: unknown };

async function push(ctx: Ctx, p: Push): Promise<void> {
  if (!p.userIds.length) return;
  await publishPush(sequelize(), { event: p.event, audience: { userIds: p.userIds }, data: p.data }, ctx.transaction);
}

async function callbacksChanged(ctx: Ctx): Promise<void> {
  await publishPush(sequelize(), { event: "callbacks.changed", audience: { roles: ["operator"] }, data: {} }, ctx.transaction);
}

function numbers(f: CallFacts) {
  return f.direction === "inbound"
    ? { callerNumber: normalizePhone(f.callerRaw), calledNumber: f.calledRaw || null }
    : { callerNumber: null, calledNumber: normalizePhone(f.calledRaw) ?? (f.calledRaw || null) };
}

// The live record of a call, created or brought up to date and locked in one statement (every
// AMI event of a call starts here): a live call is unique by (pbx, pbx_call_id) (calls_live).
// A later event keeps a number the PBX has stopped reporting, except an outbound call's caller.
let startSql: string | undefined;
const START_SQL = () =>
  (startSql ??= `
INSERT INTO calls AS c (pbx, pbx_call_id, direction, caller_number, called_number, queue, status, started_at, partial, ringing_at)
VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $9::timestamptz IS NULL THEN 'new' ELSE 'ringing' END, $7, $8, $9)
ON CONFLICT (pbx, pbx_call_id) WHERE status <> 'ended' DO UPDATE SET
  direction = EXCLUDED.direction,
  status = CASE WHEN c.status = 'new' AND EXCLUDED.ringing_at IS NOT NULL THEN 'ringing' ELSE c.status END,
  ringing_at = coalesce(c.ringing_at, EXCLUDED.ringing_at),
  queue = coalesce(EXCLUDED.queue, c.queue),
  caller_number = CASE WHEN EXCLUDED.direction = 'outbound' OR EXCLUDED.caller_number IS NOT NULL OR c.caller_number IS NULL
                       THEN EXCLUDED.caller_number ELSE c.caller_number END,
  called_number = coalesce(EXCLUDED.called_number, c.called_number),
  updated_at = CASE WHEN c.direction IS DISTINCT FROM EXCLUDED.direction
                      OR c.queue IS DISTINCT FROM coalesce(EXCLUDED.queue, c.queue)
                      OR c.caller_number IS DISTINCT FROM (CASE WHEN EXCLUDED.direction = 'outbound' OR EXCLUDED.caller_number IS NOT NULL OR c.caller_number IS NULL
                                                                THEN EXCLUDED.caller_number ELSE c.caller_number END)
                      OR c.called_number IS DISTINCT FROM coalesce(EXCLUDED.called_number, c.called_number)
                      OR (c.ringing_at IS NULL AND EXCLUDED.ringing_at IS NOT NULL)
                    THEN now() ELSE c.updated_at END
RETURNING ${columnsOf(Call, "c")}`);

/**
 * Finds the live record of a call, creating it when this is the first we hear of it.
 * `ringingAt`: the call rings (a new call's status becomes ringing; the first ring time is kept).
 */
export async function callStartRecorder({ ctx, facts, at, ringingAt = null }: { ctx: Ctx; facts: CallFacts; at: Date; ringingAt?: Date | null }): Promise<Call> {
  const n = numbers(facts);
  const [row] = await preparedQuery<Record<string, unknown>>(ctx.transaction, "op_call_start", START_SQL(), [
    facts.pbx,
    facts.pbxCallId,
    facts.direction,
    n.callerNumber,
    n.calledNumber,
    facts.queue,
    at,
    facts.partial,
    ringingAt,
  ]);
  const call = row && instanceOf(Call, row, "c");
  if (!call) throw new Error("the call was neither found nor created");
  return call;
}

async function operatorFor(ctx: Ctx, extension: string): Promise<User | null> {
  return User.findOne({ where: { extension, active: true }, transaction: ctx.transaction });
}

// The leg, with the operator of the extension, in one statement; an existing leg (the PBX said
// it twice) is left as it is and gets no second pop.
const RING_LEG_SQL = `
WITH u AS (SELECT id FROM users WHERE extension = $3 AND active ORDER BY id LIMIT 1),
     ins AS (
       INSERT INTO call_legs (call_id, leg_key, extension, user_id, rang_at)
       SELECT $1, $2, $3, (SELECT id FROM u), $4
       ON CONFLICT (call_id, leg_key) DO NOTHING
       RETURNING id, user_id)
SELECT id, user_id AS "userId" FROM ins`;

/**
 * A call rings at an extension: the leg is logged and that operator alone gets the screen-pop.
 * `startedAt`: when the call began, if its start was not recorded on its own.
 */
export async function callRingRecorder({ ctx, facts, legKey, extension, at, startedAt }: { ctx: Ctx; facts: CallFacts; legKey: string; extension: string; at: Date; startedAt?: Date }) {
  const call = await callStartRecorder({ ctx, facts, at: startedAt ?? at, ringingAt: at });
  const [leg] = await preparedQuery<{ id: number; userId: number | null }>(ctx.transaction, "op_call_ring_leg", RING_LEG_SQL, [call.id, legKey, extension, at]);
  if (!leg) return { call, legId: null };
  if (!leg.userId) {
    logger.warn({ callId: call.id, pbxCallId: call.pbxCallId, extension }, "call rings at an extension mapped to no user: no screen-pop");
    return { call, legId: leg.id };
  }
  const pop = await callPopLoader({ ctx, call });
  await push(ctx, { event: "call.ringing", userIds: [leg.userId], data: pop });
  return { call, legId: leg.id };
}

async function endLegs(ctx: Ctx, call: Call, legs: CallLeg[], reason: LegEndReason, at: Date, event: string): Promise<void> {
  const userIds: number[] = [];
  for (const l of legs) {
    l.set({ endedAt: at, endReason: reason });
    await l.save({ transaction: ctx.transaction });
    if (l.userId) userIds.push(l.userId);
  }
  await push(ctx, { event, userIds, data: { callId: call.id, reason } });
}

async function openLegs(ctx: Ctx, call: Call, except?: string | null): Promise<CallLeg[]> {
  const legs = await CallLeg.findAll({ where: { callId: call.id, endedAt: null }, transaction: ctx.transaction, lock: ctx.transaction.LOCK.UPDATE });
  return legs.filter((l) => l.legKey !== except);
}

/** One operator phone stopped ringing without an answer (the call may ring on elsewhere). */
export async function callRingEndRecorder({ ctx, facts, legKey, at }: { ctx: Ctx; facts: CallFacts; legKey: string; at: Date }) {
  const call = await callStartRecorder({ ctx, facts, at });
  const legs = (await openLegs(ctx, call)).filter((l) => l.legKey === legKey);
  await endLegs(ctx, call, legs, "not_answered", at, "call.withdrawn");
}

/** Answered: the answering operator gets call.answered, every other ringing operator call.withdrawn. */
export async function callAnswerRecorder({ ctx, facts, legKey, extension, at }: { ctx: Ctx; facts: CallFacts; legKey: string | null; extension: string | null; at: Date }) {
  const call = await callStartRecorder({ ctx, facts, at });
  const legs = await openLegs(ctx, call);
  const mine = legKey ? legs.find((l) => l.legKey === legKey) : undefined;
  call.set({ status: "answered", answeredAt: call.answeredAt ?? at });
  if (extension) {
    call.operatorExtension = extension;
    call.operatorUserId = mine?.userId ?? (await operatorFor(ctx, extension))?.id ?? null;
  }
  await call.save({ transaction: ctx.transaction });
  if (mine) {
    mine.set({ answeredAt: at });
    await mine.save({ transaction: ctx.transaction });
    if (mine.userId) await push(ctx, { event: "call.answered", userIds: [mine.userId], data: { callId: call.id, answeredAt: at.toISOString() } });
  }
  await endLegs(ctx, call, legs.filter((l) => l !== mine), "answered_elsewhere", at, "call.withdrawn");
}

/** A blind transfer: the call now goes to another extension (its ringing pops there). */
export async function callTransferRecorder({ ctx, facts, toExtension, at }: { ctx: Ctx; facts: CallFacts; toExtension: string; at: Date }) {
  const call = await callStartRecorder({ ctx, facts, at });
  const answering = await CallLeg.findAll({ where: { callId: call.id, answeredAt: { [Op.ne]: null }, endedAt: null }, transaction: ctx.transaction });
  await endLegs(ctx, call, answering, "call_ended", at, "call.ended");
  const user = await operatorFor(ctx, toExtension);
  call.set({ operatorExtension: toExtension, operatorUserId: user?.id ?? null });
  await call.save({ transaction: ctx.transaction });
}

export async function callRecordingAttacher({ ctx, facts, file, at }: { ctx: Ctx; facts: CallFacts; file: string; at: Date }) {
  const call = await callStartRecorder({ ctx, facts, at });
  call.recordingFile = file;
  await call.save({ transaction: ctx.transaction });
}

const ATTEMPT_OUTCOME: Record<CallOutcome, Exclude<ContactOutcome, "pending">> = {
  answered: "answered",
  busy: "busy",
  missed: "no_answer",
  abandoned: "no_answer",
  failed: "failed",
};

/** How long a click-to-call may wait for its result before the call is looked for on its own. */
export const DIAL_RESULT_WAIT_MINUTES = 15;

/**
 * A click-to-call still "pending" long after it was placed: the PBX's answer to the Originate never
 * came (the AMI link dropped in between, the instance that dialled stopped). Its call, found by the
 * attempt or by the Originate's id (the call's own id), settles it when it has ended; without one
 * the call did not take place. A call still live is left to end by itself. Returns the attempts settled.
 */
export async function staleDialResolver({ ctx, now }: { ctx: Ctx; now: Date }): Promise<number> {
  const stale = await sequelize().query<{ id: number; live: boolean; outcome: CallOutcome | null }>(
    `SELECT a.id,
            EXISTS (SELECT 1 FROM calls c WHERE (c.contact_attempt_id = a.id OR c.pbx_call_id = a.call_ref) AND c.status <> 'ended') AS live,
            (SELECT c.outcome FROM calls c WHERE (c.contact_attempt_id = a.id OR c.pbx_call_id = a.call_ref) AND c.status = 'ended'
              ORDER BY c.ended_at DESC LIMIT 1) AS outcome
       FROM contact_attempts a
      WHERE a.outcome = 'pending' AND a.call_ref IS NOT NULL AND a.created_at <= $1::timestamptz - $2 * interval '1 minute'
      ORDER BY a.id`,
    { bind: [now, DIAL_RESULT_WAIT_MINUTES], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  let settled = 0;
  for (const a of stale) {
    if (a.live) continue;
    const outcome = a.outcome ? ATTEMPT_OUTCOME[a.outcome] : "failed";
    logger.info({ attemptId: a.id, outcome }, "click-to-call without a result from the PBX settled");
    await contactAttemptResolver({ ctx, attemptId: a.id, outcome });
    settled++;
  }
  return settled;
}

export interface CallEnd {
  outcome: CallOutcome;
  cause: number | null;
  causeText: string | null;
  talkSec: number | null;
  /** Outbound: the resident's leg. */
  remote: "answered" | "busy" | "no_answer" | "failed" | null;
}

/** The call is over: outcome, durations, call-back list, click-to-call attempt, pops closed. */
export async function callEndRecorder({ ctx, facts, end, at }: { ctx: Ctx; facts: CallFacts; end: CallEnd; at: Date }): Promise<Call> {
  const call = await callStartRecorder({ ctx, facts, at });
  return closeCall(ctx, call, end, at);
}

async function closeCall(ctx: Ctx, call: Call, end: CallEnd, at: Date): Promise<Call> {
  const t = ctx.transaction;
  const outcome: CallOutcome = call.answeredAt && end.outcome !== "answered" && call.direction === "inbound" ? "answered" : end.outcome;
  const talk = end.talkSec ?? (call.answeredAt ? Math.max(0, Math.round((at.getTime() - call.answeredAt.getTime()) / 1000)) : null);
  call.set({
    status: "ended",
    outcome,
    endedAt: at,
    hangupCause: end.cause,
    hangupCauseText: end.causeText,
    durationSec: Math.max(0, Math.round((at.getTime() - call.startedAt.getTime()) / 1000)),
    talkSec: outcome === "answered" ? talk : 0,
  });
  const needsCallback = call.direction === "inbound" && outcome !== "answered" && !!call.callerNumber;
  if (needsCallback) {
    call.set({ callbackStatus: "open", callbackDueAt: new Date(at.getTime() + config().ami.callbackDueMinutes * 60_000) });
  }
  await call.save({ transaction: t });
  await endLegs(ctx, call, await openLegs(ctx, call), "call_ended", at, "call.ended");

  const residentNumber = call.direction === "inbound" ? call.callerNumber : call.calledNumber;
  if (outcome === "answered" && residentNumber) {
    const [closed] = await Call.update(
      { callbackStatus: "done", callbackClosedAt: at, callbackCallId: call.id, callbackReason: call.direction === "outbound" ? "перезвонили" : "житель дозвонился" },
      { where: { callbackStatus: "open", callerNumber: residentNumber, id: { [Op.ne]: call.id } }, transaction: t },
    );
    if (closed) await callbacksChanged(ctx);
  }
  if (needsCallback) await callbacksChanged(ctx);
  if (call.contactAttemptId && call.direction === "outbound") {
    const result = end.remote ?? ATTEMPT_OUTCOME[outcome];
    await contactAttemptResolver({ ctx, attemptId: call.contactAttemptId, outcome: result });
  }
  return call;
}

/** After a reconnect: calls still open here but gone from the PBX are closed (never left ringing). */
export async function callResyncer({ ctx, pbx, live, at }: { ctx: Ctx; pbx: string; live: string[]; at: Date }): Promise<number> {
  const stale = await Call.findAll({
    where: { pbx, status: { [Op.ne]: "ended" }, ...(live.length ? { pbxCallId: { [Op.notIn]: live } } : {}) },
    transaction: ctx.transaction,
    lock: ctx.transaction.LOCK.UPDATE,
  });
  for (const call of stale) {
    call.partial = true;
    const outcome: CallOutcome = call.answeredAt ? "answered" : call.direction === "outbound" ? "failed" : call.ringingAt ? "missed" : "abandoned";
    await closeCall(ctx, call, { outcome, cause: null, causeText: null, talkSec: null, remote: null }, at);
    logger.warn({ callId: call.id, pbxCallId: call.pbxCallId, outcome }, "call ended while the PBX link was down: closed on resync");
  }
  return stale.length;
}

/** Asterisk's verdict on an Originate: a failure resolves the attempt; success links it to the call. */
export async function clickToCallResultRecorder({ ctx, pbx, callRef, ok, reason, pbxCallId }: { ctx: Ctx; pbx: string; callRef: string; ok: boolean; reason: number | null; pbxCallId: string | null }) {
  const attempt = await ContactAttempt.findOne({ where: { callRef }, transaction: ctx.transaction });
  if (!attempt) {
    logger.warn({ callRef }, "originate result for no known attempt ignored");
    return;
  }
  if (!ok) {
    logger.info({ attemptId: attempt.id, reason }, "click-to-call: the operator's phone did not take the call");
    await contactAttemptResolver({ ctx, attemptId: attempt.id, outcome: "failed" });
    return;
  }
  if (!pbxCallId) return;
  const call = await Call.findOne({ where: { pbx, pbxCallId }, order: [["id", "DESC"]], transaction: ctx.transaction, lock: ctx.transaction.LOCK.UPDATE });
  if (!call) return;
  call.set({ contactAttemptId: attempt.id, operatorUserId: call.operatorUserId ?? attempt.userId });
  await call.save({ transaction: ctx.transaction });
  if (call.status === "ended" && call.outcome) await contactAttemptResolver({ ctx, attemptId: attempt.id, outcome: ATTEMPT_OUTCOME[call.outcome] });
}
