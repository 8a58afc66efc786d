// The screen-pop: what an operator needs the moment a call rings — who calls (matched residents
// and their addresses), their open tickets and those of their buildings, active outages at
// those addresses, and their recent calls. Read-only; runs inside the caller's transaction.
import { Op, QueryTypes } from "sequelize";
import { systemActor, type Ctx } from "../context.ts";
import { sequelize } from "../db/sequelize.ts";
import { Apartment, Building } from "../models/Building.ts";
import { Call } from "../models/Call.ts";
import { Category } from "../models/Category.ts";
import { Organisation } from "../models/Organisation.ts";
import { Resident } from "../models/Resident.ts";
import { Ticket } from "../models/Ticket.ts";
import { User } from "../models/User.ts";
import { presentPop, type PopOutage } from "../presenters/call.ts";

const LIMIT = 20;

/** Set once the outage tables were seen: tables are not dropped, so the question is not asked again. */
let outageTablesSeen = false;

/**
 * Active outages at these buildings. The outages table belongs to another feature and may not
 * exist yet: this is the one place that asks for it (until it has been seen once).
 */
export async function activeOutagesAt(ctx: Ctx, buildingIds: number[]): Promise<PopOutage[]> {
  if (!buildingIds.length) return [];
  const db = sequelize();
  if (!outageTablesSeen) {
    const [exists] = await db.query<{ t: string | null; b: string | null }>("SELECT to_regclass('public.outages')::text AS t, to_regclass('public.outage_buildings')::text AS b", {
      type: QueryTypes.SELECT,
      transaction: ctx.transaction,
    });
    if (!exists?.t || !exists.b) return [];
    outageTablesSeen = true;
  }
  return db.query<PopOutage>(
    `SELECT o.id, o.resource, o.kind, o.starts_at AS "startsAt", o.expected_end_at AS "expectedEndAt", o.reason,
            array_agg(ob.building_id ORDER BY ob.building_id) AS "buildingIds"
       FROM outages o JOIN outage_buildings ob ON ob.outage_id = o.id
      WHERE ob.building_id = ANY($1::int[]) AND o.ended_at IS NULL AND o.cancelled_at IS NULL AND o.starts_at <= now()
      GROUP BY o.id ORDER BY o.starts_at DESC LIMIT ${LIMIT}`,
    { bind: [buildingIds], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
}

export async function callPopLoader({ ctx, call }: { ctx: Ctx; call: Call }) {
  const t = ctx.transaction;
  const number = call.direction === "inbound" ? call.callerNumber : call.calledNumber;
  const residents = number
    ? await Resident.findAll({
        where: { phone: number, anonymisedAt: null },
        include: [{ model: Apartment, as: "apartments", include: [{ model: Building, as: "building" }] }],
        transaction: t,
        limit: 5,
      })
    : [];
  const residentIds = residents.map((r) => r.id);
  const buildingIds = [...new Set(residents.flatMap((r) => (r.apartments ?? []).map((a) => a.buildingId)))];
  const include = [
    { model: Category, as: "category" },
    { model: Building, as: "building" },
    { model: Apartment, as: "apartment" },
    { model: Organisation, as: "uo" },
    { model: Organisation, as: "executorOrg" },
  ];
  const open = { status: { [Op.ne]: "closed" } } as const;
  // One transaction is one connection: the queries run one after another.
  const own =
    number || residentIds.length
      ? await Ticket.findAll({
          where: { ...open, [Op.or]: [...(residentIds.length ? [{ residentId: residentIds }] : []), ...(number ? [{ contactPhone: number }] : [])] },
          include,
          order: [["createdAt", "DESC"]],
          limit: LIMIT,
          transaction: t,
        })
      : [];
  const ofBuildings = buildingIds.length
    ? await Ticket.findAll({ where: { ...open, buildingId: buildingIds }, include, order: [["createdAt", "DESC"]], limit: LIMIT, transaction: t })
    : [];
  const outages = await activeOutagesAt(ctx, buildingIds);
  const recent = number
    ? await Call.findAll({
        where: { id: { [Op.ne]: call.id }, [Op.or]: [{ callerNumber: number }, { direction: "outbound", calledNumber: number }] },
        include: [{ model: User, as: "operator" }],
        order: [["startedAt", "DESC"]],
        limit: 10,
        transaction: t,
      })
    : [];
  const ownIds = new Set(own.map((x) => x.id));
  return presentPop(call, systemActor("всплывающая карточка"), {
    residents,
    tickets: own,
    buildingTickets: ofBuildings.filter((x) => !ownIds.has(x.id)),
    outages,
    recentCalls: recent,
  });
}
