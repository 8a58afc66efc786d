// Which tickets fill one page of the list: ids only, in the list's order. A УО's scope is "its
// buildings' tickets or the ones it executes itself" (uo_id = X OR executor_org_id = X); with
// that OR PostgreSQL reads every matching ticket to sort them (a УО with 25,000 closed tickets:
// ~100 ms a page), so for a УО each side is read in index order up to the page's end and the two
// are merged here (a few ms).
import { Op, type WhereOptions } from "sequelize";
import type { Actor } from "../../context.ts";
import { sequelize } from "../../db/sequelize.ts";
import { Ticket } from "../../models/Ticket.ts";
import { ticketScope } from "../../policies/ticket.ts";

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

export async function pageIds(actor: Actor, filters: WhereOptions<Ticket>[], sort: ListSort, page: number, perPage: number): Promise<number[]> {
  const offset = (page - 1) * perPage;
  const orgId = actor.kind === "user" && actor.role === "uo" && actor.user.active ? actor.orgId : null;
  if (orgId === null || offset + perPage > MERGE_UP_TO) {
    const rows = await Ticket.findAll({ where: { [Op.and]: [ticketScope(actor), ...filters] }, attributes: ["id"], order: orderOf(sort), limit: perPage, offset, raw: true });
    return rows.map((r) => r.id);
  }
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
