import type { MigrationFn } from "../src/db/migrator.ts";

// The report summary (docs/reports-api.md, "Summary table"): counters per (kind, period, key)
// so whole-district reports over long periods read a few thousand rows instead of every ticket.
// kind 't' = whole district per local DAY (key ''); 'u' УО, 'e' executor, 'c' category,
// 'h' channel, 'b' building per local MONTH (period = first day of the month, key = id or '').
// Each ticket adds an intake contribution (keyed by created_at) and, once closed, a result
// contribution (keyed by closed_at); h0..h39 is the histogram of hours to close of resolved
// tickets in fixed log-scale buckets (src/reports/summaryBuckets.ts).
//
// Why a trigger and not recordChange/applyAction: the summary must equal a recount whatever
// writes tickets — the workflow engine, but also bulk imports, data fixes and the benchmark's
// generator, which insert rows in SQL. A statement-level trigger with transition tables sees
// every change (old row out, new row in) inside the same transaction, costs one grouped upsert
// per statement (a bulk INSERT of a million rows is one aggregation, not a million upserts), and
// cannot be bypassed by a new code path. Upserts go in key order so two transactions touching the
// same rows lock them in the same order.
const BUCKETS = 40; // keep equal to HIST_BUCKETS in src/reports/summaryBuckets.ts (checked by a test)
const BASE_HOURS = 0.25;
const RATIO = 1.3;
const COUNTERS = ["received", "em_total", "em_ok", "closed", "resolved", "on_time", "late", "reopened", "conf_base", "confirmed", "no_answer", "unreachable", "rated", "rating_sum", "dissatisfied"];
const H = Array.from({ length: BUCKETS }, (_, i) => `h${i}`);
const ALL = [...COUNTERS, ...H];

// One ticket's contributions: two sides (intake, result) × six keys.
const HOURS = "(extract(epoch FROM t.closed_at - t.created_at)::float8 / 3600)";
const BUCKET = `CASE WHEN ${HOURS} < ${BASE_HOURS} THEN 0 ELSE least(${BUCKETS - 1}, 1 + floor(ln(${HOURS} / ${BASE_HOURS}) / ln(${RATIO}))::int) END`;
const grain = (daily: string[], kind: string) => (daily.includes(kind) ? "l.local::date" : "date_trunc('month', l.local)::date");
/** One ticket's contributions; `daily` lists the kinds kept per day (the others per month). */
export const contribSql = (daily: string[]) => `
  SELECT x.side, x.at, k.kind, k.period, k.key, ${COUNTERS.map((c) => `x.${c}`).join(", ")},
         ${H.map((h, i) => `s * (x.hb = ${i})::int AS ${h}`).join(", ")}
  FROM (VALUES
    ('i'::text, t.created_at,
      s,
      s * coalesce(t.emergency AND coalesce(t.closure_kind, '') NOT IN ('declined', 'withdrawn'), false)::int,
      s * coalesce(t.emergency AND coalesce(t.closure_kind, '') NOT IN ('declined', 'withdrawn')
                   AND t.crew_dispatched_at <= t.created_at + dispatch * interval '1 minute', false)::int,
      ${COUNTERS.slice(3).map(() => "0").join(", ")}, -1),
    ('c', t.closed_at, 0, 0, 0,
      s,
      s * (t.reported_at IS NOT NULL)::int,
      s * coalesce(t.reported_at IS NOT NULL AND t.reported_at <= t.deadline_at, false)::int,
      s * coalesce(t.reported_at IS NOT NULL AND t.reported_at > t.deadline_at, false)::int,
      s * (t.reported_at IS NOT NULL AND t.reopened_count > 0)::int,
      s * (t.verified_at IS NOT NULL AND coalesce(t.closure_kind IN ('resident_confirmed', 'operator_confirmed', 'no_answer', 'unreachable'), false))::int,
      s * (t.verified_at IS NOT NULL AND coalesce(t.closure_kind IN ('resident_confirmed', 'operator_confirmed'), false))::int,
      s * (t.verified_at IS NOT NULL AND coalesce(t.closure_kind = 'no_answer', false))::int,
      s * (t.verified_at IS NOT NULL AND coalesce(t.closure_kind = 'unreachable', false))::int,
      s * (t.rating IS NOT NULL)::int,
      s * coalesce(t.rating, 0),
      s * coalesce(t.rating <= 2, false)::int,
      CASE WHEN t.reported_at IS NOT NULL THEN ${BUCKET} ELSE -1 END)
  ) x(side, at, ${COUNTERS.join(", ")}, hb)
  CROSS JOIN LATERAL (SELECT x.at AT TIME ZONE tz AS local) l
  CROSS JOIN LATERAL (VALUES
    ('t'::"char", l.local::date, ''),
    ('u'::"char", ${grain(daily, "u")}, coalesce(t.uo_id::text, '')),
    ('e'::"char", ${grain(daily, "e")}, coalesce(t.executor_org_id::text, '')),
    ('c'::"char", ${grain(daily, "c")}, t.category_id::text),
    ('h'::"char", ${grain(daily, "h")}, t.channel::text),
    ('b'::"char", ${grain(daily, "b")}, coalesce(t.building_id::text, ''))
  ) k(kind, period, key)
  WHERE x.at IS NOT NULL`;

export const upsert = (src: string) => `
  INSERT INTO ticket_summary AS s (kind, period, key, ${ALL.join(", ")})
  SELECT c.kind, c.period, c.key, ${ALL.map((x) => `sum(c.${x})`).join(", ")}
    FROM ${src}
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (kind, period, key) DO UPDATE SET ${ALL.map((x) => `${x} = s.${x} + excluded.${x}`).join(", ")};`;

export const fromRows = (rel: string, sign: number) =>
  `ticket_summary_meta m CROSS JOIN ${rel} r CROSS JOIN LATERAL ticket_summary_contrib(r, ${sign}, m.tz, m.dispatch_minutes) c`;

export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE ticket_summary_meta (
      id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      tz text NOT NULL,
      dispatch_minutes int NOT NULL
    );
    INSERT INTO ticket_summary_meta (tz, dispatch_minutes) VALUES ('Europe/Moscow', 30);
    CREATE TABLE ticket_summary (
      kind "char" NOT NULL,
      period date NOT NULL,
      key text NOT NULL,
      ${ALL.map((c) => `${c} ${c === "rating_sum" ? "bigint" : "int"} NOT NULL DEFAULT 0`).join(",\n      ")},
      PRIMARY KEY (kind, period, key)
    );
    CREATE FUNCTION ticket_summary_contrib(t tickets, s int, tz text, dispatch int)
      RETURNS TABLE (side text, at timestamptz, kind "char", period date, key text, ${ALL.map((c) => `${c} int`).join(", ")})
      LANGUAGE sql STABLE AS $fn$ ${contribSql([])} $fn$;
    CREATE FUNCTION ticket_summary_ins() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN ${upsert(fromRows("new_rows", 1))} RETURN NULL; END $fn$;
    CREATE FUNCTION ticket_summary_del() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN ${upsert(fromRows("old_rows", -1))} RETURN NULL; END $fn$;
    CREATE FUNCTION ticket_summary_upd() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN ${upsert(`(SELECT c.* FROM ${fromRows("old_rows", -1)} UNION ALL SELECT c.* FROM ${fromRows("new_rows", 1)}) c`)} RETURN NULL; END $fn$;
    CREATE TRIGGER ticket_summary_ins AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_summary_ins();
    CREATE TRIGGER ticket_summary_del AFTER DELETE ON tickets REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_summary_del();
    CREATE TRIGGER ticket_summary_upd AFTER UPDATE ON tickets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_summary_upd();
    ${upsert(fromRows("tickets", 1))}
    CREATE INDEX tickets_open_created ON tickets (created_at) INCLUDE (deadline_at) WHERE status <> 'closed';
    CREATE INDEX tickets_closed_resolved ON tickets (closed_at) WHERE reported_at IS NOT NULL;
  `);
};

export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    DROP INDEX tickets_closed_resolved; DROP INDEX tickets_open_created;
    DROP TRIGGER ticket_summary_ins ON tickets; DROP TRIGGER ticket_summary_del ON tickets; DROP TRIGGER ticket_summary_upd ON tickets;
    DROP FUNCTION ticket_summary_ins(); DROP FUNCTION ticket_summary_del(); DROP FUNCTION ticket_summary_upd();
    DROP FUNCTION ticket_summary_contrib(tickets, int, text, int);
    DROP TABLE ticket_summary; DROP TABLE ticket_summary_meta;
  `);
};
