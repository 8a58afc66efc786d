// P2 screen-pop latency: 30 operators, each with a push connection (GET /api/stream, API token);
// in every round one call rings at each of the 30 extensions at once (AMI events from the local
// AMI server) and the time is taken from the write of a call's AMI blocks to the call.ringing pop
// on that operator's connection. The path measured: AMI → connector → call mapper → commands
// (call, leg, pop loaded from the database) → NOTIFY → push listener → SSE.
// Baseline: bench/bare-sse-child.ts, the same AMI stream → SSE transport with no database.
// Target: p99 < 50 ms, no pop missed, no pop on another operator's connection.
import { readFileSync } from "node:fs";
import { QueryTypes } from "sequelize";
import { createApiToken } from "../../src/auth/sessions.ts";
import type { Apartment } from "../../src/models/Building.ts";
import type { Resident } from "../../src/models/Resident.ts";
import type { User } from "../../src/models/User.ts";
import { AmiTestServer } from "../../test/support/amiServer.ts";
import { actorOf, createTicket, makeBuilding, makeOrg, makeResident, makeUser } from "../../test/support/factories.ts";
import { callFactory } from "../lib/amiCalls.ts";
import { startChild, type Child } from "../lib/child.ts";
import { PopBoard, runPopRounds, type PopResult } from "../lib/popRounds.ts";
import { openSse, type SseStream } from "../lib/sse.ts";
import { percentile, round } from "../lib/stats.ts";
import { fig, type BenchContext, type Figure, type Scenario } from "../lib/types.ts";
import { appEnv, useBenchDb } from "../lib/world.ts";

const OPERATORS = 30;
const RESIDENTS = 2 * OPERATORS;
const AMI_USER = "cti";
const AMI_SECRET = "cti_secret";

interface Seed {
  operators: User[];
  tokens: string[];
  phones: string[];
}

/** 30 operators with extensions 2001…2030, 60 residents in 10 buildings, each with open tickets. */
async function seed(url: string): Promise<Seed> {
  useBenchDb(url);
  const callCentre = await makeOrg("call_centre", "Бенч колл-центр P2");
  const operators: User[] = [];
  const tokens: string[] = [];
  for (let i = 0; i < OPERATORS; i++) {
    const u = await makeUser("operator", callCentre, { extension: String(2001 + i) });
    operators.push(u);
    tokens.push(await createApiToken(u, "бенч P2"));
  }
  const uo = await makeOrg("management_company", "Бенч УО P2");
  const apartments: Apartment[] = [];
  const buildingIds: number[] = [];
  for (let b = 0; b < 10; b++) {
    const { building, apartments: apts } = await makeBuilding(uo, RESIDENTS / 10);
    apartments.push(...apts);
    buildingIds.push(building.id);
  }
  const residents: Resident[] = [];
  for (let k = 0; k < RESIDENTS; k++) residents.push(await makeResident(apartments[k], `+7922${String(k).padStart(7, "0")}`));
  // one or two open tickets per resident: the pop carries them and their buildings' other tickets
  const actor = actorOf(operators[0]!);
  for (let k = 0; k < RESIDENTS; k++) {
    const a = apartments[k]!;
    for (let n = 0; n < 1 + (k % 2); n++) {
      await createTicket(actor, { residentId: residents[k]!.id, buildingId: a.buildingId, apartmentId: a.id, contactPhone: residents[k]!.phone });
    }
  }
  // every other building has a dozen more open tickets from neighbours: its pops are over the
  // NOTIFY size limit (about 10 KB, sent by reference), the others' about 5 KB
  for (let b = 0; b < buildingIds.length; b += 2) {
    for (let n = 0; n < 12; n++) await createTicket(actor, { buildingId: buildingIds[b]!, contactPhone: `+7923${String(b * 100 + n).padStart(7, "0")}` });
  }
  return { operators, tokens, phones: residents.map((r) => r.phone!) };
}

/**
 * Waits (bounded) until the app has fanned out the events of the seeded tickets (and of any
 * scenario before this one): otherwise that backlog is worked off during the first rounds. This
 * app has no messenger or mail sender, so the deliveries wait for an instance that has one and are
 * looked at again every few seconds.
 */
async function backlogDrained(url: string, maxMs: number): Promise<number> {
  const s = useBenchDb(url);
  const t0 = Date.now();
  while (Date.now() - t0 < maxMs) {
    const [r] = await s.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM outbox WHERE processed_at IS NULL)::int
            + (SELECT count(*) FROM deliveries WHERE status = 'sending')::int AS n`,
      { type: QueryTypes.SELECT },
    );
    if (!r?.n) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  return Date.now() - t0;
}

/** CPU time (user + system, ms) a process has used so far. */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function until(ok: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Opens one stream per operator, runs the rounds, closes the streams. */
async function measure(
  ami: AmiTestServer,
  extensions: string[],
  open: (i: number, onEvent: (e: Parameters<PopBoard["onEvent"]>[1]) => void) => Promise<SseStream>,
  callers: (round: number) => string[],
  o: { rounds: number; maxMs: number; pid: number },
): Promise<PopResult & { closed: number; cpuMsPerCall: number; ringCpuMsPerCall: number; popBytes: number[] }> {
  const board = new PopBoard(extensions.length);
  const streams: SseStream[] = [];
  try {
    for (let i = 0; i < extensions.length; i++) streams.push(await open(i, (e) => board.onEvent(i, e)));
    const newCall = callFactory();
    const cpu0 = cpuMs(o.pid);
    const r = await runPopRounds({
      ami,
      board,
      extensions,
      callers,
      newCall,
      rounds: o.rounds,
      warmupRounds: 1,
      popTimeoutMs: 2_000,
      endTimeoutMs: 5_000,
      maxMs: o.maxMs,
      cpuMs: () => cpuMs(o.pid),
    });
    const cpuMsPerCall = (cpuMs(o.pid) - cpu0) / (r.played * extensions.length);
    const ringCpuMsPerCall = r.calls ? r.ringCpuMs / r.calls : NaN;
    await new Promise((res) => setTimeout(res, 200)); // late or duplicate pops
    return { ...r, popsPerConnection: [...board.popsPerConnection], strays: board.strays, wrongOperator: board.wrongOperator, closed: streams.filter((s) => s.closedReason).length, cpuMsPerCall, ringCpuMsPerCall, popBytes: board.popBytes };
  } finally {
    for (const s of streams) s.close();
  }
}

export const p2: Scenario = {
  id: "P2",
  title: "screen-pop latency (30 calls ringing at once)",
  async run(ctx: BenchContext): Promise<Figure[]> {
    const rounds = ctx.quick ? 10 : 50;
    const { operators, tokens, phones } = await seed(ctx.db.url);
    const extensions = operators.map((u) => u.extension!);
    // distinct callers within a round; each resident calls every other round (recent calls grow)
    const callers = (r: number) => extensions.map((_, i) => phones[(i + (r % 2) * OPERATORS) % RESIDENTS]!);
    const ami = new AmiTestServer({ user: AMI_USER, secret: AMI_SECRET });
    await ami.start();
    const amiEnv = { AMI_HOST: "127.0.0.1", AMI_PORT: String(ami.port), AMI_USER, AMI_SECRET };
    let child: Child | undefined;
    try {
      ctx.log("P2: baseline (bare AMI → SSE child)");
      child = await startChild("bench/bare-sse-child.ts", amiEnv);
      const bareUrl = child.url;
      await until(() => ami.clients === 1, 5_000, "the bare child's AMI login");
      const bare = await measure(ami, extensions, (i, on) => openSse(`${bareUrl}/api/stream?ext=${extensions[i]}`, {}, on), callers, { rounds, maxMs: ctx.quick ? 10_000 : 60_000, pid: child.pid });
      await child.stop();
      await until(() => ami.clients === 0, 5_000, "the bare child's AMI logout");

      child = await startChild("bench/app-child.ts", appEnv(ctx.db.url, amiEnv));
      const appUrl = child.url;
      await until(() => ami.clients === 1 && ami.actions.some((a) => a.fields.action?.toLowerCase() === "coreshowchannels"), 15_000, "the app's AMI link");
      ctx.log(`P2: the app's notification backlog worked off in ${round((await backlogDrained(ctx.db.url, 30_000)) / 1000)} s`);
      ctx.log(`P2: ${OPERATORS} operators, ${rounds} rounds of ${OPERATORS} calls`);
      const app = await measure(ami, extensions, (i, on) => openSse(`${appUrl}/api/stream`, { authorization: `Bearer ${tokens[i]}` }, on), callers, { rounds, maxMs: ctx.quick ? 20_000 : 150_000, pid: child.pid });

      const p = (r: PopResult, q: number) => percentile(r.lat, q);
      const kb = (n: number[]) => (n.length ? `${round(Math.min(...n) / 1024)}–${round(Math.max(...n) / 1024)} KB` : "—");
      const ownOnly = app.wrongOperator === 0 && app.strays === 0 && app.popsPerConnection.every((n) => n === app.played);
      const pass = p(app, 99) < 50 && app.misses === 0 && app.endMisses === 0 && ownOnly && app.closed === 0 && app.rounds > 0;
      ctx.log(`P2: p50 ${round(p(app, 50))} ms, p99 ${round(p(app, 99))} ms (bare p99 ${round(p(bare, 99))} ms); app CPU ${round(app.cpuMsPerCall)} ms per call, ${round(app.ringCpuMsPerCall)} ms of it from ring to pop`);
      return [
        fig({
          scenario: "P2",
          figure: "screen-pop p99",
          value: round(p(app, 99)),
          unit: "ms",
          baseline: round(p(bare, 99)),
          target: "< 50 ms",
          pass,
          note:
            `${app.lat.length} pops (${kb(app.popBytes)}) of ${app.calls} calls in ${app.rounds} rounds × ${OPERATORS} at once, p50 ${round(p(app, 50))} ms, p95 ${round(p(app, 95))} ms, ` +
            `max ${round(app.lat.at(-1) ?? NaN)} ms, app CPU ${round(app.cpuMsPerCall)} ms per call from ring to hang-up, ${round(app.ringCpuMsPerCall)} ms from ring to pop; misses ${app.misses}, call.ended missing ${app.endMisses}, on another operator's connection ${app.wrongOperator}, ` +
            `duplicate/late ${app.strays}, pops per connection ${Math.min(...app.popsPerConnection)}–${Math.max(...app.popsPerConnection)} of ${app.played}; ` +
            `baseline: bare AMI → SSE process without database (bench/bare-sse-child.ts), p50 ${round(p(bare, 50))} ms, p99 ${round(p(bare, 99))} ms, misses ${bare.misses}`,
        }),
      ];
    } finally {
      await child?.stop();
      await ami.stop();
    }
  },
};
