// Hand-made AMI streams of inbound calls that ring straight at an operator's phone, modelled on the
// recorded test/fixtures/ami/inbound_abandoned_ringing (extension 101: the trunk channel dials the
// operator's SIP peer) with the VarSet/DeviceStateChange noise left out. Each call has its own
// Uniqueid/Linkedid pair and caller number; the operator's extension appears as DestCallerIDNum.
const CRLF = "\r\n";

export interface SyntheticCall {
  /** Caller channel's Uniqueid = the call's Linkedid. */
  linkedid: string;
  /** The operator channel's Uniqueid. */
  legid: string;
  caller: string;
  extension: string;
  trunkChannel: string;
  operatorChannel: string;
}

const block = (fields: Array<[string, string]>) => fields.map(([k, v]) => `${k}: ${v}`).join(CRLF) + CRLF + CRLF;

/** Uniqueids like Asterisk's "<epoch>.<sequence>", unique within one bench run. */
export function callFactory(epoch = Math.floor(Date.now() / 1000)) {
  let seq = 0;
  return (caller: string, extension: string): SyntheticCall => {
    const a = seq++;
    const b = seq++;
    const hex = (n: number) => n.toString(16).padStart(8, "0");
    return {
      linkedid: `${epoch}.${a}`,
      legid: `${epoch}.${b}`,
      caller,
      extension,
      trunkChannel: `SIP/trunk-${hex(a)}`,
      operatorChannel: `SIP/operator${extension}-${hex(b)}`,
    };
  };
}

function channel(c: SyntheticCall, side: "caller" | "operator", state: [string, string], exten: string, priority = "1"): Array<[string, string]> {
  const caller = side === "caller";
  return [
    ["Privilege", "call,all"],
    ["Channel", caller ? c.trunkChannel : c.operatorChannel],
    ["ChannelState", state[0]],
    ["ChannelStateDesc", state[1]],
    ["CallerIDNum", caller ? c.caller : c.extension],
    ["CallerIDName", caller ? c.caller : `Operator ${c.extension}`],
    ["ConnectedLineNum", caller ? "<unknown>" : c.caller],
    ["ConnectedLineName", caller ? "<unknown>" : c.caller],
    ["Language", "en"],
    ["AccountCode", ""],
    ["Context", caller ? "incoming" : "from-operator"],
    ["Exten", exten],
    ["Priority", priority],
    ["Uniqueid", caller ? c.linkedid : c.legid],
    ["Linkedid", c.linkedid],
  ];
}

function dest(c: SyntheticCall, state: [string, string]): Array<[string, string]> {
  return [
    ["DestChannel", c.operatorChannel],
    ["DestChannelState", state[0]],
    ["DestChannelStateDesc", state[1]],
    ["DestCallerIDNum", c.extension],
    ["DestCallerIDName", `Operator ${c.extension}`],
    ["DestConnectedLineNum", c.caller],
    ["DestConnectedLineName", c.caller],
    ["DestLanguage", "en"],
    ["DestAccountCode", ""],
    ["DestContext", "from-operator"],
    ["DestExten", "101"],
    ["DestPriority", "1"],
    ["DestUniqueid", c.legid],
    ["DestLinkedid", c.linkedid],
  ];
}

const DOWN: [string, string] = ["0", "Down"];
const RING: [string, string] = ["4", "Ring"];
const RINGING: [string, string] = ["5", "Ringing"];
const UP: [string, string] = ["6", "Up"];

/** The caller's channel appears, the operator's channel is created and dialled, and it rings. */
export function ringBlocks(c: SyntheticCall): string {
  return (
    block([["Event", "Newchannel"], ...channel(c, "caller", DOWN, "101")]) +
    block([["Event", "Newstate"], ...channel(c, "caller", RING, "101")]) +
    block([["Event", "Newchannel"], ...channel(c, "operator", DOWN, "s")]) +
    block([["Event", "DialBegin"], ...channel(c, "caller", RING, "101", "2"), ...dest(c, DOWN), ["DialString", `operator${c.extension}`]]) +
    block([["Event", "Newstate"], ...channel(c, "operator", RINGING, "101")])
  );
}

/** The operator answers, then hangs up; both channels end with cause 16. */
export function answerAndHangupBlocks(c: SyntheticCall): string {
  const hangup = (side: "caller" | "operator"): string =>
    block([["Event", "Hangup"], ...channel(c, side, UP, "101", side === "caller" ? "2" : "1"), ["Cause", "16"], ["Cause-txt", "Normal Clearing"]]);
  return (
    block([["Event", "Newstate"], ...channel(c, "operator", UP, "101")]) +
    block([["Event", "DialEnd"], ...channel(c, "caller", RING, "101", "2"), ...dest(c, UP), ["DialStatus", "ANSWER"]]) +
    hangup("operator") +
    hangup("caller")
  );
}
