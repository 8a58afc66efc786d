// Which tickets fill one page of the list: ids only, in the list's order. A УО's scope is "its
// buildings' tickets or the ones it executes itself" (uo_id = X OR executor_org_id = X); with
// that OR PostgreSQL reads every matching ticket to sort them (a УО with 25,000 closed tickets:
// ~100 ms a page), so for a УО each side is read in index order up to the page's end and the two
// are merged here (a few ms). Everyone else's page — its ids, the capped count and the rows with
// their names — is read in one statement: a page is a handful of milliseconds of work, and with
// ten clients at once the round trips and the model layer around four statements cost more.
import { Op, QueryTypes, Utils, type WhereOptions } from "sequelize";
import type { Actor } from "../../context.ts";
import { sequelize } from "../../db/sequelize.ts";
import { Ticket } from "../../models/Ticket.ts";
import { ticketScope } from "../../policies/ticket.ts";
import { SUMMARY_ROWS_FROM, summaryRowFromJson, ticketSummaryRowsInOrder } from "../../commands/ticketSummaryRows.ts";

export type ListSort = "created" | "deadline" | "updated" | "priority";

/** "priority" order: open emergencies, other open tickets, closed; then by deadline (overdue first). Index tickets_priority. */
export const PRIORITY_TIER = `(CASE WHEN "Ticket".status <> 'closed' AND "Ticket".emergency THEN 0 WHEN "Ticket".status <> 'closed' THEN 1 ELSE 2 END)`;

/** Pages deeper than this many rows are read with the OR as it is (rare; slower, never wrong). */
const MERGE_UP_TO = 2_000;

function orderOf(sort: ListSort) {
  const order: Array<[unknown, string]> =
    sort === "deadline"
      ? [["deadlineAt", "ASC"]]
      : sort === "updated"
        ? [["updatedAt", "DESC"]]
        : sort === "priority"
          ? [[sequelize().literal(PRIORITY_TIER), "ASC"], ["deadlineAt", "ASC"]]
          : [["createdAt", "DESC"]];
  return [...order, ["id", "DESC"]] as never[];
}

interface SortRow {
  id: number;
  status: string;
  emergency: boolean;
  createdAt: Date;
  deadlineAt: Date;
  updatedAt: Date;
}

const tier = (r: SortRow) => (r.status === "closed" ? 2 : r.emergency ? 0 : 1);

/** The same order as orderOf(sort), in JavaScript (ties by id, newest first). */
function compare(sort: ListSort): (a: SortRow, b: SortRow) => number {
  const byId = (a: SortRow, b: SortRow) => b.id - a.id;
  switch (sort) {
    case "deadline":
      return (a, b) => a.deadlineAt.getTime() - b.deadlineAt.getTime() || byId(a, b);
    case "updated":
      return (a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || byId(a, b);
    case "priority":
      return (a, b) => tier(a) - tier(b) || a.deadlineAt.getTime() - b.deadlineAt.getTime() || byId(a, b);
    default:
      return (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || byId(a, b);
  }
}

const qg = () =>
  sequelize().getQueryInterface().queryGenerator as { getWhereConditions(where: unknown, tableName: string, model: unknown, options: object): string };

/** The WHERE condition of `where` on tickets (alias "Ticket"), values escaped by the model layer. */
function whereSql(where: WhereOptions<Ticket>): string {
  const mapped = Utils.mapWhereFieldNames(where as Record<string, unknown>, Ticket);
  return qg().getWhereConditions(mapped, "Ticket", Ticket, {}) || "TRUE";
}

/** orderOf(sort) as SQL (the same order; test/core/api.test.ts checks both against one query). */
const ORDER_SQL: Record<ListSort, string> = {
  created: `"Ticket"."created_at" DESC, "Ticket"."id" DESC`,
  deadline: `"Ticket"."deadline_at" ASC, "Ticket"."id" DESC`,
  updated: `"Ticket"."updated_at" DESC, "Ticket"."id" DESC`,
  priority: `${PRIORITY_TIER} ASC, "Ticket"."deadline_at" ASC, "Ticket"."id" DESC`,
};

/** count(*) of the tickets matching `where` (SQL), stopping at `cap` (counted in the database). */
const countSql = (where: string, cap: number) => `SELECT count(*)::int AS n FROM (SELECT "id" FROM "tickets" AS "Ticket" WHERE ${where} LIMIT ${cap}) x`;

async function countUpTo(where: string, cap: number): Promise<number> {
  const [row] = await sequelize().query<{ n: number }>(countSql(where, cap), { type: QueryTypes.SELECT });
  return row!.n;
}

/** The УО whose list is read side by side (see above), or null. */
const mergedUo = (actor: Actor, offset: number, perPage: number) =>
  actor.kind === "user" && actor.role === "uo" && actor.user.active && offset + perPage <= MERGE_UP_TO ? actor.orgId : null;

export interface ListPage {
  rows: Ticket[];
  /** Matching tickets, counted up to `cap`. */
  counted: number;
}

/** One page of the list in its order, with the number of matching tickets counted up to `cap`. */
export async function listPage(actor: Actor, filters: WhereOptions<Ticket>[], sort: ListSort, page: number, perPage: number, cap: number): Promise<ListPage> {
  const offset = (page - 1) * perPage;
  // the condition is built once for the count and the page (building it was a sixth of a page's CPU)
  const where = whereSql({ [Op.and]: [ticketScope(actor), ...filters] });
  const orgId = mergedUo(actor, offset, perPage);
  if (orgId !== null) {
    const [ids, counted] = await Promise.all([mergedPageIds(orgId, filters, sort, offset, perPage), countUpTo(where, cap)]);
    return { rows: await ticketSummaryRowsInOrder(ids), counted };
  }
  const ids = `SELECT "id" FROM "tickets" AS "Ticket" WHERE ${where} ORDER BY ${ORDER_SQL[sort]} LIMIT ${perPage} OFFSET ${offset}`;
  const [row] = await sequelize().query<{ n: number; rows: Array<Record<string, unknown>> }>(
    `WITH page AS (SELECT p.id, p.ord FROM unnest(ARRAY(${ids})) WITH ORDINALITY p(id, ord))
     SELECT (${countSql(where, cap)}) AS n,
            (SELECT coalesce(json_agg(s ORDER BY page.ord), '[]') FROM page CROSS JOIN LATERAL (${SUMMARY_ROWS_FROM} WHERE t.id = page.id) s) AS rows`,
    { type: QueryTypes.SELECT },
  );
  return { rows: row!.rows.map(summaryRowFromJson), counted: row!.n };
}

async function mergedPageIds(orgId: number, filters: WhereOptions<Ticket>[], sort: ListSort, offset: number, perPage: number): Promise<number[]> {
  const side = (scope: WhereOptions<Ticket>) =>
    Ticket.findAll({
      where: { [Op.and]: [scope, ...filters] },
      attributes: ["id", "status", "emergency", "createdAt", "deadlineAt", "updatedAt"],
      order: orderOf(sort),
      limit: offset + perPage,
      raw: true,
    }) as unknown as Promise<SortRow[]>;
  const [own, executes] = await Promise.all([side({ uoId: orgId }), side({ executorOrgId: orgId })]);
  const seen = new Set<number>();
  const merged = [...own, ...executes].sort(compare(sort)).filter((r) => !seen.has(r.id) && !!seen.add(r.id));
  return merged.slice(offset, offset + perPage).map((r) => r.id);
}
