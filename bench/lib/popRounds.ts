// The P2 measurement loop, shared by the app and the bare baseline: in each round one call rings at
// every operator's extension at once (AMI blocks written to the local AMI server's clients); the
// latency of a call is from the write of its blocks to the arrival of the call.ringing event on
// that operator's own SSE connection. Then every call is answered and hung up, and the round ends
// when each operator's connection got call.ended (so no state leaks into the next round).
// Bounded: a pop not there within popTimeoutMs is a miss, the loop stops at maxMs.
import type { AmiTestServer } from "../../test/support/amiServer.ts";
import { answerAndHangupBlocks, ringBlocks, type SyntheticCall } from "./amiCalls.ts";
import type { SseEvent } from "./sse.ts";

interface Expected {
  call: SyntheticCall;
  t0: number;
  popAt: number | null;
  callId: unknown;
  ended: boolean;
}

export interface PopResult {
  /** Latencies (ms) of the measured rounds. */
  lat: number[];
  rounds: number;
  /** Rounds played, warm-up included. */
  played: number;
  calls: number;
  misses: number;
  /** call.ended that never came (after a pop). */
  endMisses: number;
  /** Pops that reached a connection whose operator's phone did not ring for that call. */
  wrongOperator: number;
  /** Duplicate or late pops (after the call was given up). */
  strays: number;
  /** call.ringing events per connection over the whole run (warm-up included). */
  popsPerConnection: number[];
  elapsedMs: number;
  /** CPU time (ms) the measured process spent from the first ring of a round to its last pop, summed over measured rounds. */
  ringCpuMs: number;
}

/** Routes each connection's events; `onEvent(i, e)` is what every SSE stream calls. */
export class PopBoard {
  private expected: Array<Expected | null>;
  readonly popsPerConnection: number[];
  wrongOperator = 0;
  strays = 0;
  /** Sizes (JSON bytes) of the pops received. */
  popBytes: number[] = [];

  constructor(readonly connections: number) {
    this.expected = Array.from({ length: connections }, () => null);
    this.popsPerConnection = Array.from({ length: connections }, () => 0);
  }

  onEvent = (i: number, e: SseEvent): void => {
    const x = this.expected[i];
    if (e.event === "call.ringing") {
      this.popsPerConnection[i]!++;
      this.popBytes.push(Buffer.byteLength(JSON.stringify(e.data)));
      if (x && x.popAt === null && e.data?.callerNumber === x.call.caller) {
        x.popAt = e.at;
        x.callId = e.data.callId;
      } else if (this.expected.some((o, j) => j !== i && o?.call.caller === e.data?.callerNumber)) this.wrongOperator++;
      else this.strays++;
    } else if (e.event === "call.ended" && x && x.callId !== undefined && e.data?.callId === x.callId) x.ended = true;
  };

  set(i: number, x: Expected | null): void {
    this.expected[i] = x;
  }

  get(i: number): Expected | null {
    return this.expected[i] ?? null;
  }
}

async function until(ok: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}

export interface RoundsOptions {
  ami: AmiTestServer;
  board: PopBoard;
  extensions: string[];
  /** The caller numbers of round r (one per extension, distinct). */
  callers(round: number): string[];
  newCall(caller: string, extension: string): SyntheticCall;
  rounds: number;
  warmupRounds: number;
  popTimeoutMs: number;
  endTimeoutMs: number;
  maxMs: number;
  /** CPU time (ms) of the process under test so far (for ringCpuMs). */
  cpuMs?: () => number;
}

export async function runPopRounds(o: RoundsOptions): Promise<PopResult> {
  const lat: number[] = [];
  let misses = 0;
  let endMisses = 0;
  let calls = 0;
  let rounds = 0;
  let played = 0;
  let ringCpuMs = 0;
  const start = performance.now();
  for (let r = 0; r < o.warmupRounds + o.rounds; r++) {
    if (performance.now() - start > o.maxMs) break;
    const measured = r >= o.warmupRounds;
    played++;
    const callers = o.callers(r);
    const xs = o.extensions.map((ext, i) => ({ call: o.newCall(callers[i]!, ext), t0: 0, popAt: null, callId: undefined, ended: false }) as Expected);
    xs.forEach((x, i) => o.board.set(i, x));
    const cpu0 = o.cpuMs?.() ?? 0;
    for (const x of xs) {
      x.t0 = performance.now();
      o.ami.inject(ringBlocks(x.call));
    }
    await until(() => xs.every((x) => x.popAt !== null), o.popTimeoutMs);
    if (measured) {
      ringCpuMs += (o.cpuMs?.() ?? 0) - cpu0;
      rounds++;
      calls += xs.length;
      for (const x of xs) {
        if (x.popAt === null) misses++;
        else lat.push(x.popAt - x.t0);
      }
    }
    for (const x of xs) o.ami.inject(answerAndHangupBlocks(x.call));
    await until(() => xs.every((x) => x.popAt === null || x.ended), o.endTimeoutMs);
    if (measured) endMisses += xs.filter((x) => x.popAt !== null && !x.ended).length;
    xs.forEach((_, i) => o.board.set(i, null));
  }
  lat.sort((a, b) => a - b);
  return {
    lat,
    rounds,
    played,
    calls,
    misses,
    endMisses,
    wrongOperator: o.board.wrongOperator,
    strays: o.board.strays,
    popsPerConnection: [...o.board.popsPerConnection],
    elapsedMs: performance.now() - start,
    ringCpuMs,
  };
}
