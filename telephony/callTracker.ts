// The third layer: typed call events → commands. Events are handled one at a time, in the
// order the PBX sent them, each as one command (one transaction) by the system actor. A failed
// event is logged with its context and the next one goes on: the link never crashes.
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

export class CallTracker {
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  readonly mapper: CallMapper;
  private readonly log;
  /** Resolves waiters when the queue is empty (tests, graceful stop). */
  private idleWaiters: Array<() => void> = [];
  resyncs = 0;

  constructor(
    private readonly conn: AmiConnection,
    private readonly pbx: string,
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
      .finally(() => {
        if (--this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
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
    for (const e of events) await this.record(e);
  }

  /** One event, one command; a database hiccup is retried a few times before the event is given up. */
  private async record(e: CallEvent): Promise<void> {
    const context = { type: e.type, pbxCallId: "call" in e ? e.call.pbxCallId : undefined };
    for (let attempt = 1; ; attempt++) {
      try {
        await runCommand(PBX_ACTOR, (ctx) => this.apply(ctx, e));
        return;
      } catch (err) {
        const transient = !(err instanceof AppError) && attempt < RETRY_DELAYS_MS.length + 1;
        if (!transient) {
          this.log.error({ err, ...context, attempt }, "call event not recorded");
          return;
        }
        this.log.warn({ err: (err as Error).message, ...context, attempt }, "call event not recorded yet; retrying");
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt - 1]));
      }
    }
  }

  private async apply(ctx: Parameters<typeof callStartRecorder>[0]["ctx"], e: CallEvent): Promise<void> {
    switch (e.type) {
      case "started":
        await callStartRecorder({ ctx, facts: this.facts(e.call), at: e.at });
        return;
      case "ringing":
        await callRingRecorder({ ctx, facts: this.facts(e.call), legKey: e.legKey, extension: e.extension, at: e.at });
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
