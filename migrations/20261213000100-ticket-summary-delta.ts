import type { MigrationFn } from "../src/db/migrator.ts";
import { fromRows, upsert } from "./20261212000100-create-ticket-summary.ts";

// The report summary without a hot row: the triggers used to upsert today's rows (district, УО,
// category, channel …) in every ticket transaction, so concurrent creates queued on the same row
// locks until commit. Now a ticket change only appends its contribution to ticket_summary_delta
// (no conflicts, no waits); ticket_summary_fold() moves the delta into ticket_summary_folded
// (a scheduled job every few seconds, src/jobs/tasks.ts), and the view ticket_summary sums both,
// so every reader still sees exact counts in its snapshot. Updates that touch none of the
// counted columns (most workflow steps) append nothing.
const COUNTERS = ["received", "em_total", "em_ok", "closed", "resolved", "on_time", "late", "reopened", "conf_base", "confirmed", "no_answer", "unreachable", "rated", "rating_sum", "dissatisfied"];
const ALL = [...COUNTERS, ...Array.from({ length: 40 }, (_, i) => `h${i}`)];
// The ticket columns the contributions read (ticket_summary_contrib).
const COUNTED = ["created_at", "closed_at", "emergency", "closure_kind", "crew_dispatched_at", "reported_at", "deadline_at", "reopened_count", "verified_at", "rating", "uo_id", "executor_org_id", "category_id", "channel", "building_id"];

const append = (src: string) => `
  INSERT INTO ticket_summary_delta (kind, period, key, ${ALL.join(", ")})
  SELECT c.kind, c.period, c.key, ${ALL.map((x) => `sum(c.${x})`).join(", ")}
    FROM ${src}
   GROUP BY 1, 2, 3
  HAVING ${ALL.map((x) => `sum(c.${x}) <> 0`).join(" OR ")};`;

const view = `
  CREATE VIEW ticket_summary AS
  SELECT kind, period, key, ${ALL.map((x) => `sum(${x})::${x === "rating_sum" ? "bigint" : "int"} AS ${x}`).join(", ")}
    FROM (SELECT * FROM ticket_summary_folded UNION ALL SELECT * FROM ticket_summary_delta) u
   GROUP BY kind, period, key;`;

export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    ALTER TABLE ticket_summary RENAME TO ticket_summary_folded;
    ALTER INDEX ticket_summary_pkey RENAME TO ticket_summary_folded_pkey;
    CREATE TABLE ticket_summary_delta (LIKE ticket_summary_folded INCLUDING DEFAULTS);
    ${view}
    CREATE OR REPLACE FUNCTION ticket_summary_ins() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN ${append(fromRows("new_rows", 1))} RETURN NULL; END $fn$;
    CREATE OR REPLACE FUNCTION ticket_summary_del() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN ${append(fromRows("old_rows", -1))} RETURN NULL; END $fn$;
    CREATE OR REPLACE FUNCTION ticket_summary_upd() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
                        WHERE (${COUNTED.map((c) => `o.${c}`).join(", ")}) IS DISTINCT FROM (${COUNTED.map((c) => `n.${c}`).join(", ")})) THEN
          RETURN NULL;
        END IF;
        ${append(`(SELECT c.* FROM ${fromRows("old_rows", -1)} UNION ALL SELECT c.* FROM ${fromRows("new_rows", 1)}) c`)}
        RETURN NULL;
      END $fn$;
    CREATE FUNCTION ticket_summary_fold() RETURNS bigint LANGUAGE sql AS $fn$
      WITH d AS (DELETE FROM ticket_summary_delta RETURNING *),
           f AS (${upsert("d c").trim().replace(/^INSERT INTO ticket_summary AS s/, "INSERT INTO ticket_summary_folded AS s").replace(/;$/, "")} RETURNING 1)
      SELECT count(*) FROM f $fn$;
  `);
};

export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    SELECT ticket_summary_fold();
    DROP FUNCTION ticket_summary_fold();
    DROP VIEW ticket_summary;
    DROP TABLE ticket_summary_delta;
    ALTER TABLE ticket_summary_folded RENAME TO ticket_summary;
    ALTER INDEX ticket_summary_folded_pkey RENAME TO ticket_summary_pkey;
    CREATE OR REPLACE FUNCTION ticket_summary_ins() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN ${upsert(fromRows("new_rows", 1))} RETURN NULL; END $fn$;
    CREATE OR REPLACE FUNCTION ticket_summary_del() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN ${upsert(fromRows("old_rows", -1))} RETURN NULL; END $fn$;
    CREATE OR REPLACE FUNCTION ticket_summary_upd() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN ${upsert(`(SELECT c.* FROM ${fromRows("old_rows", -1)} UNION ALL SELECT c.* FROM ${fromRows("new_rows", 1)}) c`)} RETURN NULL; END $fn$;
  `);
};
