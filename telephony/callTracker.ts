// The third layer: typed call events → commands. Blocks are mapped one at a time, in the order
// the PBX sent them; each call event is then recorded as one command (one transaction) by the
// system actor in its call's lane: one call's events in order, different calls in parallel (30
// calls ringing at once must not wait for each other's screen-pops). Call ends are also recorded
// in PBX order among themselves (an answered call closes the earlier call-backs of its number),
// and a resync waits for every lane. A failed event is logged with its context and the next one
// goes on: the link never crashes.
import { runCommand, systemActor } from "../src/context.ts";
import { AppError } from "../src/errors.ts";
import { logger as rootLogger } from "../src/logger.ts";
import {
  callAnswerRecorder,
  callEndRecorder,
  callRecordingAttacher,
  callResyncer,
  callRingEndRecorder,
  callRingRecorder,
  callStartRecorder,
  callTransferRecorder,
  clickToCallResultRecorder,
  type CallFacts,
} from "../src/commands/callRecorder.ts";
import type { AmiBlock, AmiConnection } from "./amiConnection.ts";
import { CallMapper, type CallEvent, type CallInfo } from "./callMapper.ts";

const PBX_ACTOR = systemActor("АТС");
const RETRY_DELAYS_MS = [200, 1000, 3000];

/** A call's start waiting for its turn: what it waits for, and whether its ringing took it over. */
interface WaitingStart {
  at: Date;
  before: Promise<void> | undefined;
  superseded: boolean;
}

export class CallTracker {
  private queue: Promise<void> = Promise.resolve();
  /** The last recording task of each live call (by PBX call id). */
  private lanes = new Map<string, Promise<void>>();
  private lastEnd: Promise<void> = Promise.resolve();
  /** Each lane's "started" event while it waits for its turn (see inLane). */
  private waitingStarts = new Map<string, WaitingStart>();
  /** Commands recording now, and those waiting for a free slot (at most `parallel` at once). */
  private running = 0;
  private slots = { goingOn: [] as Array<() => void>, fresh: [] as Array<() => void> };
  private pending = 0;
  readonly mapper: CallMapper;
  private readonly log;
  /** Resolves waiters when the queue is empty (tests, graceful stop). */
  private idleWaiters: Array<() => void> = [];
  resyncs = 0;
  /** "started" events left to the call's ringing, which was already queued behind them. */
  coalescedStarts = 0;

  /**
   * `parallel`: how many calls' events may be recorded at once (each holds a database connection
   * for its transaction; keep it well under the pool size).
   */
  constructor(
    private readonly conn: AmiConnection,
    private readonly pbx: string,
    private readonly parallel = 4,
  ) {
    this.log = rootLogger.child({ pbx });
    this.mapper = new CallMapper(this.log);
  }

  attach(): () => void {
    const onEvent = (b: AmiBlock) => this.enqueue(() => this.handleBlock(b));
    const onReady = () => this.enqueue(() => this.resync());
    this.conn.on("event", onEvent);
    this.conn.on("ready", onReady);
    return () => {
      this.conn.off("event", onEvent);
      this.conn.off("ready", onReady);
    };
  }

  private enqueue(task: () => Promise<void>): void {
    this.pending++;
    this.queue = this.queue
      .then(task)
      .catch((err) => this.log.error({ err }, "call tracking step failed"))
      .finally(() => this.settled());
  }

  private settled(): void {
    if (--this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Records `e` after the earlier events of its call (and, for an end, after the earlier ends).
   * A call's start still waiting for its turn when the call's ringing arrives is left to the
   * ringing, which records the call with the start's time: when thirty calls ring at once, each
   * pop then waits for one command of its own instead of two.
   */
  private inLane(e: CallEvent): void {
    const key = "call" in e ? e.call.pbxCallId : (e.pbxCallId ?? `originate:${e.actionId}`);
    let before = this.lanes.get(key);
    let start: WaitingStart | undefined;
    let startedAt: Date | undefined;
    // only a start that is still the last event of its lane can be taken over
    const waiting = this.waitingStarts.get(key);
    this.waitingStarts.delete(key);
    if (e.type === "started") this.waitingStarts.set(key, (start = { at: e.at, before, superseded: false }));
    else if (e.type === "ringing" && waiting) {
      // the ringing takes the start's place in the lane: it waits for what the start waited for
      waiting.superseded = true;
      before = waiting.before;
      startedAt = waiting.at;
      this.coalescedStarts++;
    }
    const after = [before, e.type === "ended" ? this.lastEnd : undefined];
    const goesOn = !!before;
    const task = async () => {
      if (start && this.takeStart(key, start)) return; // its ringing took it over while it waited
      await this.record(e, startedAt);
    };
    this.pending++;
    const run: Promise<void> = Promise.all(after)
      .then(() => (start?.superseded ? undefined : this.limited(task, goesOn)))
      .catch((err) => this.log.error({ err }, "call tracking step failed"))
      .finally(() => {
        if (this.lanes.get(key) === run) this.lanes.delete(key);
        this.settled();
      });
    this.lanes.set(key, run);
    if (e.type === "ended") this.lastEnd = run;
  }

  /** A start's turn came: from now on it is recorded, not left to a ringing. True when it was left. */
  private takeStart(key: string, start: WaitingStart): boolean {
    if (this.waitingStarts.get(key) === start) this.waitingStarts.delete(key);
    return start.superseded;
  }

  /**
   * Runs `task` in a free slot. A call already under way (`goesOn`: an earlier event of it was
   * just recorded) goes before calls not yet started, so a call's ringing follows its start
   * instead of waiting behind every other call's start.
   */
  private async limited(task: () => Promise<void>, goesOn: boolean): Promise<void> {
    if (this.running >= this.parallel) await new Promise<void>((r) => (goesOn ? this.slots.goingOn : this.slots.fresh).push(r));
    else this.running++;
    try {
      await task();
    } finally {
      const next = this.slots.goingOn.shift() ?? this.slots.fresh.shift();
      if (next) next();
      else this.running--;
    }
  }

  whenIdle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }

  private facts(c: CallInfo): CallFacts {
    return { pbx: this.pbx, ...c };
  }

  private async handleBlock(b: AmiBlock): Promise<void> {
    let events: CallEvent[];
    try {
      events = this.mapper.map(b);
    } catch (err) {
      this.log.warn({ err, event: b.event, linkedid: b.linkedid }, "AMI event could not be mapped; skipped");
      return;
    }
    for (const e of events) this.inLane(e);
  }

  /** One event, one command; a database hiccup (not bad data) is retried a few times before the event is given up. */
  private async record(e: CallEvent, startedAt?: Date): Promise<void> {
    const context = { type: e.type, pbxCallId: "call" in e ? e.call.pbxCallId : undefined };
    for (let attempt = 1; ; attempt++) {
      try {
        await runCommand(PBX_ACTOR, (ctx) => this.apply(ctx, e, startedAt));
        return;
      } catch (err) {
        const transient = !(err instanceof AppError) && !permanentDbError(err) && attempt < RETRY_DELAYS_MS.length + 1;
        if (!transient) {
          this.log.error({ err, ...context, attempt }, "call event not recorded");
          return;
        }
        this.log.warn({ err: (err as Error).message, ...context, attempt }, "call event not recorded yet; retrying");
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt - 1]));
      }
    }
  }

  private async apply(ctx: Parameters<typeof callStartRecorder>[0]["ctx"], e: CallEvent, startedAt?: Date): Promise<void> {
    switch (e.type) {
      case "started":
        await callStartRecorder({ ctx, facts: this.facts(e.call), at: e.at });
        return;
      case "ringing":
        await callRingRecorder({ ctx, facts: this.facts(e.call), legKey: e.legKey, extension: e.extension, at: e.at, startedAt });
        return;
      case "ring_ended":
        await callRingEndRecorder({ ctx, facts: this.facts(e.call), legKey: e.legKey, at: e.at });
        return;
      case "answered":
        await callAnswerRecorder({ ctx, facts: this.facts(e.call), legKey: e.legKey, extension: e.extension, at: e.at });
        return;
      case "transferred":
        await callTransferRecorder({ ctx, facts: this.facts(e.call), toExtension: e.toExtension, at: e.at });
        return;
      case "recording":
        await callRecordingAttacher({ ctx, facts: this.facts(e.call), file: e.file, at: new Date() });
        return;
      case "ended":
        await callEndRecorder({
          ctx,
          facts: this.facts(e.call),
          end: { outcome: e.outcome, cause: e.cause, causeText: e.causeText, talkSec: e.talkSec, remote: e.remote },
          at: e.at,
        });
        return;
      case "originate_result":
        await clickToCallResultRecorder({ ctx, pbx: this.pbx, callRef: e.actionId, ok: e.ok, reason: e.reason, pbxCallId: e.pbxCallId });
        return;
    }
  }

  /** After every (re)connect: re-read the live channels so no call stays "ringing" for ever. */
  private async resync(): Promise<void> {
    await Promise.all(this.lanes.values());
    let channels: AmiBlock[];
    try {
      channels = await this.conn.actionList({ action: "CoreShowChannels" }, 10_000);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "CoreShowChannels failed; live calls not re-read");
      return;
    }
    const { live, events } = this.mapper.resync(channels);
    for (const e of events) {
      if (e.type === "started") await runCommand(PBX_ACTOR, (ctx) => callStartRecorder({ ctx, facts: this.facts(e.call), at: e.at }));
    }
    const closed = await runCommand(PBX_ACTOR, (ctx) => callResyncer({ ctx, pbx: this.pbx, live: [...live], at: new Date() }));
    this.resyncs++;
    this.log.info({ live: live.size, closed }, "live calls re-read from the PBX");
  }
}

/**
 * A database refusal that a retry cannot change: bad data (SQLSTATE class 22, e.g. a value out of
 * range) or a broken constraint (class 23). Retrying those only held the call's later events back.
 */
function permanentDbError(err: unknown): boolean {
  const code = (err as { parent?: { code?: unknown }; original?: { code?: unknown } })?.parent?.code ?? (err as { original?: { code?: unknown } })?.original?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}
