// Raw AMI events → typed call events. Channels are correlated by Linkedid (shared by every
// channel of one call; equal to the first channel's Uniqueid). A call ends when every channel
// seen under its Linkedid has hung up. Works for direct dialling (DialBegin/DialEnd), queues
// (AgentCalled/AgentConnect/QueueCallerAbandon) and our own click-to-call (Originate: the
// operator's leg has a DialBegin without a calling channel). No AMI field name leaves this folder.
import type { AmiBlock } from "./amiConnection.ts";

export type CallOutcome = "answered" | "missed" | "abandoned" | "busy" | "failed";
export type RemoteResult = "answered" | "busy" | "no_answer" | "failed";

export interface CallInfo {
  pbxCallId: string;
  direction: "inbound" | "outbound";
  /** As the PBX gave it (may be "<unknown>"); normalised by the tracker. */
  callerRaw: string | null;
  calledRaw: string | null;
  queue: string | null;
  /** Seen from the middle (events of a call whose start we missed). */
  partial: boolean;
}

export type CallEvent =
  | { type: "started"; call: CallInfo; at: Date }
  | { type: "ringing"; call: CallInfo; legKey: string; extension: string; at: Date }
  | { type: "ring_ended"; call: CallInfo; legKey: string; at: Date }
  | { type: "answered"; call: CallInfo; legKey: string | null; extension: string | null; at: Date }
  | { type: "transferred"; call: CallInfo; toExtension: string; at: Date }
  | { type: "recording"; call: CallInfo; file: string }
  | {
      type: "ended";
      call: CallInfo;
      outcome: CallOutcome;
      cause: number | null;
      causeText: string | null;
      talkSec: number | null;
      /** Outbound: what happened on the resident's leg. */
      remote: RemoteResult | null;
      at: Date;
    }
  | { type: "originate_result"; actionId: string; ok: boolean; reason: number | null; pbxCallId: string | null };

interface Live {
  info: CallInfo;
  channels: Map<string, { hungUp: boolean }>;
  rings: Map<string, { extension: string; ended: boolean }>;
  answered: boolean;
  abandoned: boolean;
  leftQueueUnanswered: boolean;
  lastDialStatus: string | null;
  remoteLeg: string | null;
  remoteStatus: string | null;
  talkSec: number | null;
  causes: Array<{ first: boolean; cause: number | null; text: string | null }>;
}

const RECORDING_VARIABLES = new Set(["mixmonitor_filename", "recording_file", "callfilename"]);
const ADOPTING = new Set([
  "newchannel", "newstate", "newcallerid", "dialbegin", "dialend", "agentcalled", "agentconnect", "bridgeenter", "hangup",
  "queuecallerjoin", "queuecallerabandon", "coreshowchannel",
]);

const num = (v: string | undefined): number | null => {
  const n = Number(v);
  return v !== undefined && v !== "" && Number.isFinite(n) ? n : null;
};
/** The longest call or channel id Asterisk makes (AST_MAX_UNIQUEID); longer ones are not from a PBX. */
const MAX_ID = 150;
const MAX_SECONDS = 7 * 86_400;
/** A duration in whole seconds, or null when the field is not one (negative, beyond a week). */
const seconds = (v: string | undefined): number | null => {
  const n = num(v);
  return n !== null && n >= 0 && n <= MAX_SECONDS ? Math.round(n) : null;
};
/** A Q.850 hang-up cause (0–127), or null. */
const causeOf = (v: string | undefined): number | null => {
  const n = num(v);
  return n !== null && Number.isInteger(n) && n >= 0 && n <= 127 ? n : null;
};

function remoteOf(status: string | null): RemoteResult | null {
  switch (status) {
    case null:
      return null;
    case "ANSWER":
      return "answered";
    case "BUSY":
      return "busy";
    case "NOANSWER":
    case "CANCEL":
      return "no_answer";
    default:
      return "failed";
  }
}

export interface MapperLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export class CallMapper {
  private calls = new Map<string, Live>();
  private byChannel = new Map<string, string>();
  private ended: string[] = [];
  private endedSet = new Set<string>();

  constructor(private readonly log: MapperLog) {}

  /** Live calls (for status pages and tests). */
  get liveCount(): number {
    return this.calls.size;
  }

  map(b: AmiBlock, at = new Date()): CallEvent[] {
    const name = (b.event ?? "").toLowerCase();
    if (!name) return [];
    if ([b.linkedid, b.uniqueid, b.destlinkedid, b.destuniqueid, b.transfereelinkedid].some((id) => id !== undefined && id.length > MAX_ID)) {
      this.log.debug({ event: b.event }, "AMI event with an over-long id ignored");
      return [];
    }
    if (name === "originateresponse") {
      if (!b.actionid) return [];
      const uid = b.uniqueid && b.uniqueid !== "<unknown>" ? b.uniqueid : null;
      return [{ type: "originate_result", actionId: b.actionid, ok: (b.response ?? "").toLowerCase() === "success", reason: num(b.reason), pbxCallId: uid }];
    }
    if (name === "cdr") {
      const call = b.uniqueid ? this.calls.get(this.byChannel.get(b.uniqueid) ?? "") : undefined;
      if (call && call.talkSec === null && b.disposition === "ANSWERED") call.talkSec = seconds(b.billableseconds);
      return [];
    }
    if (name === "blindtransfer") {
      const call = this.calls.get(b.transfereelinkedid ?? "");
      if (!call || !b.extension) return [];
      // The new extension rings and answers anew (and gets its own pop); the call stays answered in the log.
      call.answered = false;
      for (const r of call.rings.values()) r.ended = true;
      return [{ type: "transferred", call: { ...call.info }, toExtension: b.extension, at }];
    }
    const linkedid = b.linkedid || b.destlinkedid;
    if (!linkedid) return [];
    const out: CallEvent[] = [];
    let call = this.calls.get(linkedid);
    // A first channel starts a new call even under an id seen before (Asterisk restarted).
    if (!call && name === "newchannel" && b.uniqueid === linkedid) this.endedSet.delete(linkedid);
    if (!call) {
      // A call is opened by a channel of it: a block naming none describes nothing.
      if (this.endedSet.has(linkedid) || !ADOPTING.has(name) || !(b.uniqueid || b.destuniqueid)) return [];
      call = this.open(linkedid, b, name !== "newchannel" || b.uniqueid !== linkedid);
      out.push({ type: "started", call: { ...call.info }, at });
      if (name === "newchannel") return out;
    }
    this.handle(call, name, b, at, out);
    return out;
  }

  private open(linkedid: string, b: AmiBlock, partial: boolean): Live {
    const first = b.uniqueid === linkedid;
    const call: Live = {
      info: {
        pbxCallId: linkedid,
        direction: "inbound",
        callerRaw: first ? (b.calleridnum ?? null) : null,
        calledRaw: first ? (b.exten ?? null) : null,
        queue: b.queue ?? null,
        partial,
      },
      channels: new Map(),
      rings: new Map(),
      answered: false,
      abandoned: false,
      leftQueueUnanswered: false,
      lastDialStatus: null,
      remoteLeg: null,
      remoteStatus: null,
      talkSec: null,
      causes: [],
    };
    this.calls.set(linkedid, call);
    if (b.uniqueid && b.linkedid === linkedid) this.addChannel(call, b.uniqueid);
    return call;
  }

  private addChannel(call: Live, uid: string): void {
    if (!call.channels.has(uid)) call.channels.set(uid, { hungUp: false });
    this.byChannel.set(uid, call.info.pbxCallId);
  }

  private ring(call: Live, legKey: string | undefined, extension: string | undefined, at: Date, out: CallEvent[]): void {
    if (!legKey || !extension || call.rings.has(legKey) || call.answered) return;
    call.rings.set(legKey, { extension, ended: false });
    this.addChannel(call, legKey);
    out.push({ type: "ringing", call: { ...call.info }, legKey, extension, at });
  }

  private answer(call: Live, legKey: string | null, at: Date, out: CallEvent[]): void {
    if (call.answered) return;
    call.answered = true;
    const extension = legKey ? (call.rings.get(legKey)?.extension ?? null) : null;
    out.push({ type: "answered", call: { ...call.info }, legKey, extension, at });
  }

  private handle(call: Live, name: string, b: AmiBlock, at: Date, out: CallEvent[]): void {
    const first = b.uniqueid === call.info.pbxCallId;
    switch (name) {
      case "newchannel":
        if (b.uniqueid) this.addChannel(call, b.uniqueid);
        return;
      case "newcallerid":
        if (first && call.info.direction === "inbound" && call.rings.size === 0) call.info.callerRaw = b.calleridnum ?? null;
        return;
      case "queuecallerjoin":
        call.info.queue = b.queue ?? call.info.queue;
        return;
      case "dialbegin":
        if (b.destuniqueid) this.addChannel(call, b.destuniqueid);
        if (!b.channel) {
          // A leg Asterisk dials by itself: our Originate (or a Local channel standing in for a caller).
          if (b.destchannel && !b.destchannel.startsWith("Local/")) {
            call.info.direction = "outbound";
            call.info.callerRaw = null;
          }
          return;
        }
        if (call.info.direction === "outbound") {
          if (!call.remoteLeg) {
            call.remoteLeg = b.destuniqueid ?? null;
            call.info.calledRaw = b.destcalleridnum ?? null;
          }
          return;
        }
        this.ring(call, b.destuniqueid, b.destcalleridnum, at, out);
        return;
      case "agentcalled":
        call.info.queue = b.queue ?? call.info.queue;
        this.ring(call, b.destuniqueid, b.destcalleridnum, at, out);
        return;
      case "dialend": {
        if (!b.channel) return;
        const status = (b.dialstatus ?? "").toUpperCase();
        if (call.info.direction === "outbound") {
          if (b.destuniqueid && b.destuniqueid === call.remoteLeg) {
            call.remoteStatus = status;
            if (status === "ANSWER") this.answer(call, null, at, out);
          }
          return;
        }
        const leg = b.destuniqueid ? call.rings.get(b.destuniqueid) : undefined;
        if (!leg) return;
        call.lastDialStatus = status;
        if (status === "ANSWER") this.answer(call, b.destuniqueid!, at, out);
        else if (!leg.ended && !call.answered) {
          leg.ended = true;
          out.push({ type: "ring_ended", call: { ...call.info }, legKey: b.destuniqueid!, at });
        }
        return;
      }
      case "agentconnect":
        if (b.destuniqueid && call.rings.has(b.destuniqueid)) this.answer(call, b.destuniqueid, at, out);
        return;
      case "agentcomplete":
        call.talkSec = seconds(b.talktime) ?? call.talkSec;
        return;
      case "queuecallerabandon":
        if (!call.answered) call.abandoned = true;
        return;
      case "queuecallerleave":
        if (!call.answered && !call.abandoned) call.leftQueueUnanswered = true;
        return;
      case "varset": {
        const v = (b.variable ?? "").toLowerCase();
        if (RECORDING_VARIABLES.has(v) && b.value) out.push({ type: "recording", call: { ...call.info }, file: b.value });
        return;
      }
      case "hangup": {
        if (!b.uniqueid) return;
        this.addChannel(call, b.uniqueid);
        call.channels.get(b.uniqueid)!.hungUp = true;
        call.causes.push({ first, cause: causeOf(b.cause), text: b["cause-txt"] ?? null });
        if ([...call.channels.values()].every((c) => c.hungUp)) out.push(this.finish(call, at));
        return;
      }
      default:
        return;
    }
  }

  /** The caller's hang-up cause unless it says nothing (0 "Unknown" on a cancel); else another leg's. */
  private cause(call: Live): { cause: number | null; text: string | null } {
    const c = call.causes.find((x) => x.first && x.cause) ?? call.causes.find((x) => x.cause) ?? call.causes.find((x) => x.first) ?? call.causes[0];
    return { cause: c?.cause ?? null, text: c?.text ?? null };
  }

  private outcome(call: Live): CallOutcome {
    const cause = this.cause(call).cause;
    if (call.info.direction === "outbound") {
      const r = remoteOf(call.remoteStatus);
      if (r === "answered") return "answered";
      if (r === "busy" || cause === 17) return "busy";
      if (r === "no_answer") return "missed";
      return "failed";
    }
    if (call.answered) return "answered";
    if (call.abandoned) return "abandoned";
    if (call.leftQueueUnanswered) return "missed";
    switch (call.lastDialStatus) {
      case "BUSY":
        return "busy";
      case "CANCEL":
        return "abandoned";
      case "NOANSWER":
        return "missed";
      case "CONGESTION":
      case "CHANUNAVAIL":
        return "failed";
    }
    if (cause === 17) return "busy";
    if (cause === 34 || cause === 38) return "failed";
    return call.rings.size ? "missed" : "abandoned";
  }

  private finish(call: Live, at: Date): CallEvent {
    const id = call.info.pbxCallId;
    this.forget(id);
    return {
      type: "ended",
      call: { ...call.info },
      outcome: this.outcome(call),
      cause: this.cause(call).cause,
      causeText: this.cause(call).text,
      talkSec: call.talkSec,
      remote: call.info.direction === "outbound" ? (remoteOf(call.remoteStatus) ?? "failed") : null,
      at,
    };
  }

  private forget(id: string): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    for (const uid of call.channels.keys()) this.byChannel.delete(uid);
    this.ended.push(id);
    this.endedSet.add(id);
    while (this.ended.length > 5000) this.endedSet.delete(this.ended.shift()!);
  }

  /**
   * After a (re)connect: `channels` are the CoreShowChannel items. Calls no longer live are
   * forgotten (the tracker closes their records); live calls we did not know are adopted.
   * Returns the ids of live calls and "started" events for the adopted ones.
   */
  resync(channels: AmiBlock[], at = new Date()): { live: Set<string>; events: CallEvent[] } {
    const live = new Map<string, AmiBlock[]>();
    for (const c of channels) {
      if (!c.linkedid || !c.uniqueid) {
        this.log.warn({ channel: c.channel }, "CoreShowChannel without Linkedid ignored");
        continue;
      }
      live.set(c.linkedid, [...(live.get(c.linkedid) ?? []), c]);
    }
    for (const id of [...this.calls.keys()]) if (!live.has(id)) this.forget(id);
    const events: CallEvent[] = [];
    for (const [linkedid, chans] of live) {
      let call = this.calls.get(linkedid);
      if (!call) {
        const firstChan = chans.find((c) => c.uniqueid === linkedid) ?? chans[0]!;
        this.endedSet.delete(linkedid);
        call = this.open(linkedid, firstChan, true);
        if (chans.length > 1 && chans.every((c) => (c.channelstatedesc ?? "") === "Up" && !!c.bridgeid)) call.answered = true;
        events.push({ type: "started", call: { ...call.info }, at });
      }
      for (const c of chans) this.addChannel(call, c.uniqueid!);
    }
    return { live: new Set(live.keys()), events };
  }
}
