// Read-side queries about outages and incidents, for the API, the bots and telephony.
import { Op, QueryTypes, type WhereOptions } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import type { Actor } from "../context.ts";
import { Building } from "../models/Building.ts";
import { Organisation } from "../models/Organisation.ts";
import { Outage, OutageBuilding, OutageTicket } from "../models/Outage.ts";
import { Ticket } from "../models/Ticket.ts";
import { ticketScope } from "../policies/ticket.ts";
import { presentOutage, type OutageView } from "../presenters/outage.ts";
import { OPEN_STATUSES } from "../workflow/states.ts";

const withOrg = [{ model: Organisation, as: "org" }];

/**
 * Outages affecting these buildings now — and, with `upcomingHours`, those starting within that
 * many hours. What a resident is shown for their address (bots, telephony, web).
 */
export async function activeOutagesForBuildings(buildingIds: number[], opts: { upcomingHours?: number; now?: Date; actor?: Actor } = {}): Promise<OutageView[]> {
  buildingIds = buildingIds.filter((b) => Number.isInteger(b) && b > 0);
  if (!buildingIds.length) return [];
  const now = opts.now ?? new Date();
  const horizon = new Date(now.getTime() + (opts.upcomingHours ?? 0) * 3_600_000);
  const outages = await Outage.findAll({
    where: {
      cancelledAt: { [Op.is]: null },
      endedAt: { [Op.is]: null },
      startsAt: { [Op.lte]: horizon },
      id: { [Op.in]: sequelize().literal(`(SELECT outage_id FROM outage_buildings WHERE building_id IN (${buildingIds.join(",")}))`) },
    } as WhereOptions<Outage>,
    include: [...withOrg, { model: Building, as: "buildings" }],
    order: [["startsAt", "ASC"], ["id", "ASC"]],
  });
  const actor = opts.actor ?? ({ kind: "public", role: "public" } as Actor);
  return outages.map((o) => presentOutage(o, actor, { buildings: (o.buildings ?? []).filter((b) => buildingIds.includes(b.id)) }));
}

/** The incident (outage) a ticket belongs to, if any. */
export async function incidentForTicket(ticketId: number, actor?: Actor): Promise<OutageView | null> {
  const link = await OutageTicket.findByPk(ticketId);
  if (!link) return null;
  const o = await Outage.findByPk(link.outageId, { include: withOrg });
  return o ? presentOutage(o, actor ?? ({ kind: "public", role: "public" } as Actor)) : null;
}

export interface OutageFilter {
  state?: "current" | "all";
  resource?: string;
  buildingId?: number;
  orgId?: number;
  limit?: number;
  offset?: number;
}

export async function listOutages(actor: Actor, f: OutageFilter): Promise<{ items: OutageView[]; total: number }> {
  const where: Record<string | symbol, unknown> = {};
  if (f.state !== "all") Object.assign(where, { cancelledAt: { [Op.is]: null }, endedAt: { [Op.is]: null } });
  if (f.resource) where.resource = f.resource;
  if (f.orgId) where.orgId = f.orgId;
  if (f.buildingId) where.id = { [Op.in]: sequelize().literal(`(SELECT outage_id FROM outage_buildings WHERE building_id = ${Number(f.buildingId)})`) };
  const { rows, count } = await Outage.findAndCountAll({
    where: where as WhereOptions<Outage>,
    include: withOrg,
    order: [["startsAt", "DESC"], ["id", "DESC"]],
    limit: f.limit ?? 50,
    offset: f.offset ?? 0,
  });
  const counts = await childCounts(rows.map((r) => r.id));
  return { items: rows.map((o) => presentOutage(o, actor, { childrenCount: counts.get(o.id) ?? 0 })), total: count };
}

export async function childCounts(outageIds: number[]): Promise<Map<number, number>> {
  if (!outageIds.length) return new Map();
  const rows = await sequelize().query<{ outage_id: number; n: number }>(
    "SELECT outage_id, count(*)::int AS n FROM outage_tickets WHERE outage_id = ANY($1::int[]) GROUP BY outage_id",
    { bind: [outageIds], type: QueryTypes.SELECT },
  );
  return new Map(rows.map((r) => [r.outage_id, r.n]));
}

export async function outageBuildings(outageId: number): Promise<Building[]> {
  const links = await OutageBuilding.findAll({ where: { outageId } });
  return Building.findAll({ where: { id: links.map((l) => l.buildingId) }, order: [["street", "ASC"], ["house", "ASC"]] });
}

/** The incident's children the actor may see (one incident instead of hundreds of tickets). */
export async function incidentChildren(actor: Actor, outageId: number): Promise<Ticket[]> {
  return Ticket.findAll({
    where: { [Op.and]: [ticketScope(actor), { id: { [Op.in]: sequelize().literal(`(SELECT ticket_id FROM outage_tickets WHERE outage_id = ${Number(outageId)})`) } }] },
    order: [["id", "ASC"]],
  });
}

/**
 * Duplicate suggestion: open tickets of the same category at the same building from the last
 * `hours`, offered to the resident or operator to join instead of filing a new one.
 */
export async function duplicateCandidates(opts: { buildingId: number; categoryId: number; hours?: number; now?: Date }): Promise<Ticket[]> {
  const since = new Date((opts.now ?? new Date()).getTime() - (opts.hours ?? 24) * 3_600_000);
  return Ticket.findAll({
    where: { buildingId: opts.buildingId, categoryId: opts.categoryId, status: { [Op.in]: OPEN_STATUSES }, createdAt: { [Op.gte]: since } },
    order: [["createdAt", "DESC"]],
    limit: 5,
  });
}
