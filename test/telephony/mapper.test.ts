// The mapper alone, fed the recorded streams block by block (keys lower-cased as the client
// library delivers them), and bad input: unknown events, Hangup before Newchannel, late events.
import { describe, expect, it } from "vitest";
import { CallMapper, type CallEvent } from "../../telephony/callMapper.ts";
import { loadFixture } from "../support/amiServer.ts";

const quiet = { warn: () => {}, debug: () => {} };

function blocks(raw: string): Record<string, string>[] {
  return raw
    .split("\r\n\r\n")
    .filter((b) => b.trim())
    .map((b) => {
      const o: Record<string, string> = {};
      for (const line of b.split("\r\n")) {
        const i = line.indexOf(": ");
        const k = (i >= 0 ? line.slice(0, i) : line).trim().toLowerCase();
        if (!(k in o)) o[k] = i >= 0 ? line.slice(i + 2) : "";
      }
      return o;
    });
}

function run(name: string, m = new CallMapper(quiet)): CallEvent[] {
  const { blocks: recorded } = loadFixture(name);
  return recorded.flatMap((b) => blocks(b.raw)).flatMap((b) => m.map(b));
}

const types = (ev: CallEvent[]) => ev.map((e) => e.type + ("extension" in e && e.extension ? `:${e.extension}` : ""));
const ended = (ev: CallEvent[]) => ev.find((e) => e.type === "ended") as Extract<CallEvent, { type: "ended" }>;

describe("call mapper on recorded streams", () => {
  it("queue call answered by the operator", () => {
    const ev = run("inbound_answered_queue");
    expect(types(ev)).toEqual(["started", "ringing:201", "answered:201", "ended"]);
    const e = ended(ev);
    expect(e.call).toMatchObject({ direction: "inbound", callerRaw: "+79121234567", calledRaw: "100", queue: "operators", partial: false });
    expect(e).toMatchObject({ outcome: "answered", cause: 16, talkSec: 6 });
  });

  it("queue call abandoned while ringing", () => {
    const ev = run("inbound_abandoned_queue");
    expect(types(ev)).toEqual(["started", "ringing:201", "ring_ended", "ended"]);
    expect(ended(ev).outcome).toBe("abandoned");
  });

  it("direct call cancelled by the caller, and a busy operator", () => {
    expect(ended(run("inbound_abandoned_ringing"))).toMatchObject({ outcome: "abandoned", cause: 16 });
    const busy = run("inbound_busy");
    expect(types(busy)).toEqual(["started", "ringing:201", "ring_ended", "ended"]);
    expect(ended(busy)).toMatchObject({ outcome: "busy", cause: 17 });
  });

  it("a Local-channel originate is an inbound call whose number arrives late", () => {
    const ev = run("local_originate_incoming");
    expect(types(ev)).toEqual(["started", "originate_result", "ringing:201", "answered:201", "ended"]);
    expect(ended(ev).call).toMatchObject({ direction: "inbound", callerRaw: "+79121234567" });
    expect(ended(ev).outcome).toBe("answered");
  });

  it("click-to-call: outbound, never a screen-pop, the resident's leg decides", () => {
    const ok = run("click2call_answered");
    expect(types(ok)).toEqual(["started", "originate_result", "answered", "ended"]);
    expect(ok[1]).toMatchObject({ type: "originate_result", actionId: "c2c-1", ok: true, reason: 4, pbxCallId: "1796312883.15" });
    expect(ended(ok)).toMatchObject({ outcome: "answered", remote: "answered", call: { direction: "outbound", calledRaw: "89121234567", callerRaw: null } });

    const busy = run("click2call_operator_busy");
    expect(busy.find((e) => e.type === "originate_result")).toMatchObject({ ok: false, reason: 5, pbxCallId: null });
    expect(ended(busy)).toMatchObject({ outcome: "busy", remote: "failed" });
    expect(busy.some((e) => e.type === "ringing")).toBe(false);

    const na = run("click2call_operator_noanswer");
    expect(na.find((e) => e.type === "originate_result")).toMatchObject({ ok: false, reason: 3, pbxCallId: "c2c-3-operator-leg" });
    expect(ended(na).outcome).toBe("failed");
  });

  it("list answers and noise produce nothing; a live call is adopted on resync", () => {
    const m = new CallMapper(quiet);
    expect(run("login_ping", m)).toEqual([]);
    const chans = blocks(
      "Event: CoreShowChannel\r\nChannel: SIP/trunk-1\r\nChannelStateDesc: Up\r\nCallerIDNum: +79121234567\r\nUniqueid: 9.1\r\nLinkedid: 9.1\r\nBridgeId: b1\r\n\r\n" +
        "Event: CoreShowChannel\r\nChannel: SIP/operator-2\r\nChannelStateDesc: Up\r\nCallerIDNum: 201\r\nUniqueid: 9.2\r\nLinkedid: 9.1\r\nBridgeId: b1\r\n\r\n",
    );
    const r = m.resync(chans);
    expect([...r.live]).toEqual(["9.1"]);
    expect(r.events).toHaveLength(1);
    expect(m.map({ event: "Hangup", uniqueid: "9.2", linkedid: "9.1", cause: "16" })).toEqual([]);
    const end = m.map({ event: "Hangup", uniqueid: "9.1", linkedid: "9.1", cause: "16" });
    expect(end[0]).toMatchObject({ type: "ended", outcome: "answered", call: { partial: true } });
  });
});

describe("transfers and recordings", () => {
  it("a blind transfer moves the call to another extension; a MixMonitor file name is the recording", () => {
    const m = new CallMapper(quiet);
    m.map({ event: "Newchannel", uniqueid: "8.1", linkedid: "8.1", calleridnum: "+79121234567", exten: "101" });
    expect(types(m.map({ event: "DialBegin", channel: "SIP/t", uniqueid: "8.1", linkedid: "8.1", destuniqueid: "8.2", destcalleridnum: "201" }))).toEqual(["ringing:201"]);
    expect(types(m.map({ event: "DialEnd", channel: "SIP/t", uniqueid: "8.1", linkedid: "8.1", destuniqueid: "8.2", dialstatus: "ANSWER" }))).toEqual(["answered:201"]);
    expect(m.map({ event: "VarSet", uniqueid: "8.1", linkedid: "8.1", variable: "MIXMONITOR_FILENAME", value: "/rec/8.1.wav" })).toEqual([
      expect.objectContaining({ type: "recording", file: "/rec/8.1.wav" }),
    ]);
    expect(m.map({ event: "BlindTransfer", transfereelinkedid: "8.1", extension: "202" })).toEqual([expect.objectContaining({ type: "transferred", toExtension: "202" })]);
    expect(m.map({ event: "BlindTransfer", transfereelinkedid: "nope", extension: "202" })).toEqual([]);
    expect(types(m.map({ event: "DialBegin", channel: "SIP/t", uniqueid: "8.1", linkedid: "8.1", destuniqueid: "8.3", destcalleridnum: "202" }))).toEqual(["ringing:202"]);
  });
});

describe("call mapper on bad input", () => {
  it("ignores unknown events, blocks without Event, and events without Linkedid", () => {
    const m = new CallMapper(quiet);
    expect(m.map({ event: "SomethingNew", linkedid: "1.1", uniqueid: "1.1" })).toEqual([]);
    expect(m.map({ response: "Success" })).toEqual([]);
    expect(m.map({ event: "Newstate", channel: "SIP/x" })).toEqual([]);
    expect(m.map({ event: "VarSet", linkedid: "1.1", uniqueid: "1.1", variable: "X", value: "1" })).toEqual([]);
    expect(m.liveCount).toBe(0);
  });

  it("a Hangup before any Newchannel still gives one call record, without a pop", () => {
    const m = new CallMapper(quiet);
    const ev = m.map({ event: "Hangup", uniqueid: "5.1", linkedid: "5.1", calleridnum: "+79120000000", exten: "100", cause: "16" });
    expect(types(ev)).toEqual(["started", "ended"]);
    expect(ev[0]).toMatchObject({ call: { partial: true, callerRaw: "+79120000000" } });
    expect(ended(ev).outcome).toBe("abandoned");
    // Late events of a finished call do not resurrect it.
    expect(m.map({ event: "Newstate", uniqueid: "5.1", linkedid: "5.1" })).toEqual([]);
    expect(m.map({ event: "Cdr", uniqueid: "5.1", disposition: "ANSWERED", billableseconds: "3" })).toEqual([]);
  });

  it("a ring at an answered call, a DialEnd of an unknown leg, an AgentConnect without a ring", () => {
    const m = new CallMapper(quiet);
    m.map({ event: "Newchannel", uniqueid: "7.1", linkedid: "7.1", calleridnum: "anonymous", exten: "100" });
    expect(m.map({ event: "DialEnd", channel: "SIP/t", uniqueid: "7.1", linkedid: "7.1", destuniqueid: "7.9", dialstatus: "ANSWER" })).toEqual([]);
    expect(m.map({ event: "AgentConnect", uniqueid: "7.1", linkedid: "7.1", destuniqueid: "7.9" })).toEqual([]);
    const ev = m.map({ event: "Hangup", uniqueid: "7.1", linkedid: "7.1", cause: "0" });
    expect(ended(ev)).toMatchObject({ outcome: "abandoned", call: { callerRaw: "anonymous" } });
  });
});
