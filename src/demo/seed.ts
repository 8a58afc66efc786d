// `npm start -- --demo`: loads the fictional demo district once (a settings row marks it loaded).
// Everything is written in one transaction, so a failed load leaves nothing behind and the next
// start tries again; an advisory lock keeps two instances starting together from loading it twice.
import type { Sequelize } from "sequelize";
import { QueryTypes } from "sequelize";
import { config } from "../config.ts";
import { systemActor, type Ctx } from "../context.ts";
import { logger } from "../logger.ts";
import "../policies/all.ts";
import { STATUS_LABELS, TICKET_STATUSES } from "../workflow/states.ts";
import { createDistrict, DEMO_LOGINS, DEMO_PASSWORD } from "./district.ts";
import { createDemoTickets } from "./tickets.ts";

export const DEMO_SETTING = "demo.loaded";
const LOCK_KEY = 480_211_001; // pg_advisory_xact_lock key for the demo load

export interface DemoResult {
  loaded: boolean;
  tickets: number;
  byStatus: Record<string, number>;
}

function loginTable(): string {
  const rows = DEMO_LOGINS.map((l) => `  ${l.login.padEnd(12)} ${l.role.padEnd(11)} ${l.fullName}, ${l.position}${l.extension ? ` (ext. ${l.extension})` : ""}`);
  return `Demo logins (password for all: ${DEMO_PASSWORD}):\n${rows.join("\n")}\n`;
}

export async function loadDemo(sequelize: Sequelize, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<DemoResult> {
  if (config().env === "production") {
    throw new Error("Refusing to load the demo district with NODE_ENV=production: demo logins have published passwords.");
  }
  const undo: Array<() => unknown> = [];
  let result: DemoResult;
  try {
    result = await sequelize.transaction(async (transaction) => {
      await sequelize.query("SELECT pg_advisory_xact_lock($1)", { bind: [LOCK_KEY], transaction });
      const marker = await sequelize.query<{ value: unknown }>("SELECT value FROM settings WHERE key = $1", {
        bind: [DEMO_SETTING],
        type: QueryTypes.SELECT,
        transaction,
      });
      if (marker.length) return { loaded: false, tickets: 0, byStatus: {} };
      const taken = await sequelize.query<{ login: string }>("SELECT login FROM users WHERE lower(login) = ANY($1)", {
        bind: [DEMO_LOGINS.map((l) => l.login.toLowerCase())],
        type: QueryTypes.SELECT,
        transaction,
      });
      if (taken.length)
        throw new Error(`Cannot load the demo district: logins already exist (${taken.map((u) => u.login).join(", ")}).`);

      const district = await createDistrict(transaction, config().district.settlement);
      const ctx: Ctx = { actor: systemActor("демо-данные"), transaction, onRollback: (fn) => undo.push(fn) };
      const tickets = await createDemoTickets(ctx, district);
      const byStatus: Record<string, number> = {};
      for (const t of tickets) byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
      const missing = TICKET_STATUSES.filter((s) => !byStatus[s]);
      if (missing.length) throw new Error(`demo: no ticket in state(s) ${missing.join(", ")}`);
      await sequelize.query("INSERT INTO settings (key, value) VALUES ($1, $2::jsonb)", {
        bind: [DEMO_SETTING, JSON.stringify({ at: new Date().toISOString(), tickets: tickets.length, byStatus })],
        transaction,
      });
      return { loaded: true, tickets: tickets.length, byStatus };
    });
  } catch (err) {
    for (const fn of undo.reverse()) await Promise.resolve(fn()).catch(() => {});
    throw err;
  }
  if (!result.loaded) {
    logger.info("demo district already loaded");
    print(`Demo district already loaded. ${loginTable()}`);
    return result;
  }
  logger.info({ tickets: result.tickets, byStatus: result.byStatus }, "demo district loaded");
  const states = TICKET_STATUSES.map((s) => `  ${String(result.byStatus[s]).padStart(2)}  ${STATUS_LABELS[s]}`).join("\n");
  print(
    `\n================ Open Pechora demo ================\n` +
      `Fictional district of ${config().district.settlement} loaded: ${result.tickets} tickets.\n${states}\n` +
      `${loginTable()}` +
      `Do not load the demo into a database that holds real data.\n` +
      `===================================================\n\n`,
  );
  return result;
}
