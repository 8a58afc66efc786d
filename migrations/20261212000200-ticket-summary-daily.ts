import type { MigrationFn } from "../src/db/migrator.ts";
import { contribSql, fromRows, upsert } from "./20261212000100-create-ticket-summary.ts";

// Keeps the УО, executor, category and channel rows of the report summary per local DAY (as the
// whole-district rows already are): a report over any period then reads summary rows only, with
// no partial months to count from the tickets. Buildings (thousands of keys) stay per month.
// Rebuilds the summary from the tickets in this transaction.
const COLUMNS = (
  kindList: string[],
) => `CREATE OR REPLACE FUNCTION ticket_summary_contrib(t tickets, s int, tz text, dispatch int)
      RETURNS TABLE (side text, at timestamptz, kind "char", period date, key text, ${[
        "received", "em_total", "em_ok", "closed", "resolved", "on_time", "late", "reopened", "conf_base", "confirmed", "no_answer", "unreachable", "rated", "rating_sum", "dissatisfied",
        ...Array.from({ length: 40 }, (_, i) => `h${i}`),
      ].map((c) => `${c} int`).join(", ")})
      LANGUAGE sql STABLE AS $fn$ ${contribSql(kindList)} $fn$;`;

const rebuild = (daily: string[]) => `
  ${COLUMNS(daily)}
  DELETE FROM ticket_summary;
  ${upsert(fromRows("tickets", 1))}`;

// Still-open tickets past their deadline depend on the moment of the report and are counted on
// the tickets: this index answers that count per breakdown key without reading the rows.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`${rebuild(["u", "e", "c", "h"])}
    DROP INDEX tickets_open_created;
    CREATE INDEX tickets_open_created ON tickets (created_at)
      INCLUDE (deadline_at, uo_id, executor_org_id, category_id, channel, building_id) WHERE status <> 'closed';`);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`${rebuild([])}
    DROP INDEX tickets_open_created;
    CREATE INDEX tickets_open_created ON tickets (created_at) INCLUDE (deadline_at) WHERE status <> 'closed';`);
};
