// Changes an outage (times, reason, buildings), restores the resource, or cancels it.
// Restoring resolves the mass incident: every open child ticket moves on through the workflow
// engine (one "resolve_incident" step each, as the system) and its resident is asked to confirm.
import { QueryTypes } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import { runCommand, systemActor, type Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { Outage, OutageBuilding } from "../models/Outage.ts";
import { emit } from "../outbox/index.ts";
import { authorize } from "../policies/index.ts";
import { RESOURCE_LABELS } from "../notifications/texts.ts";
import { checkTimes, findOverlap, resolveBuildings, type StreetRange } from "./outageRegistrar.ts";
import { ticketActionTaker } from "./ticketActionTaker.ts";

export async function loadOutageForUpdate(ctx: Ctx, id: number, expectedVersion?: number): Promise<Outage> {
  const o = await Outage.findByPk(id, { transaction: ctx.transaction, lock: ctx.transaction.LOCK.UPDATE });
  if (!o) throw errors.notFound("outage", "outage_not_found");
  authorize(ctx.actor, "outage:update", o, "Изменять отключение может только зарегистрировавшая его организация.");
  if (expectedVersion !== undefined && expectedVersion !== o.version)
    throw errors.conflict("outage_changed", "Отключение уже изменено другим сотрудником. Обновите карточку.");
  if (o.cancelledAt) throw errors.conflict("outage_closed", "Отключение отменено: изменить его нельзя.");
  return o;
}

export interface OutagePatch {
  startsAt?: Date;
  expectedEndAt?: Date;
  reason?: string;
  kind?: "planned" | "emergency";
  buildingIds?: number[];
  streets?: StreetRange[];
}

export async function outageUpdater({ ctx, outageId, patch, expectedVersion }: { ctx: Ctx; outageId: number; patch: OutagePatch; expectedVersion?: number }) {
  const o = await loadOutageForUpdate(ctx, outageId, expectedVersion);
  if (o.endedAt) throw errors.conflict("outage_closed", "Ресурс уже восстановлен: отключение закрыто.");
  const startsAt = patch.startsAt ?? o.startsAt;
  const expectedEndAt = patch.expectedEndAt ?? o.expectedEndAt;
  checkTimes(startsAt, expectedEndAt);
  let buildingIds: number[] | null = null;
  if (patch.buildingIds || patch.streets) buildingIds = await resolveBuildings(ctx, patch);
  const ids =
    buildingIds ??
    (await OutageBuilding.findAll({ where: { outageId: o.id }, transaction: ctx.transaction })).map((b) => b.buildingId);
  const dup = await findOverlap(ctx, { resource: o.resource, startsAt, expectedEndAt }, ids, o.id);
  if (dup) throw errors.conflict("outage_duplicate", `Пересекается с уже зарегистрированным отключением № ${dup}.`);
  if (patch.reason !== undefined && !patch.reason.trim()) throw errors.validationFailed([{ field: "reason", message: "укажите причину отключения" }]);
  o.set({ startsAt, expectedEndAt, reason: patch.reason?.trim() ?? o.reason, kind: patch.kind ?? o.kind, version: o.version + 1 });
  await o.save({ transaction: ctx.transaction });
  if (buildingIds) {
    await OutageBuilding.destroy({ where: { outageId: o.id }, transaction: ctx.transaction });
    await OutageBuilding.bulkCreate(buildingIds.map((buildingId) => ({ outageId: o.id, buildingId })), { transaction: ctx.transaction });
  }
  await emit(ctx, "outage.changed", { outageId: o.id, moment: "updated" });
  return o;
}

/** The resource is back: close the outage and resolve its children. */
export async function outageRestorer({ ctx, outageId, endedAt, expectedVersion }: { ctx: Ctx; outageId: number; endedAt?: Date; expectedVersion?: number }) {
  const o = await loadOutageForUpdate(ctx, outageId, expectedVersion);
  if (o.endedAt) throw errors.conflict("outage_closed", "Восстановление уже отмечено.");
  const at = endedAt ?? new Date();
  checkTimes(o.startsAt, o.expectedEndAt, at);
  if (at.getTime() > Date.now() + 60_000) throw errors.validationFailed([{ field: "endedAt", message: "время восстановления не может быть в будущем" }]);
  o.set({ endedAt: at, version: o.version + 1 });
  await o.save({ transaction: ctx.transaction });
  await emit(ctx, "outage.changed", { outageId: o.id, moment: "restored" });
  const resolved = await resolveChildren(ctx, o, `Ресурс восстановлен: ${RESOURCE_LABELS[o.resource]} (отключение № ${o.id}).`);
  return { outage: o, resolved };
}

/** Cancelled (registered by mistake, or called off): the children stay open and are worked one by one. */
export async function outageCanceller({ ctx, outageId, expectedVersion }: { ctx: Ctx; outageId: number; expectedVersion?: number }) {
  const o = await loadOutageForUpdate(ctx, outageId, expectedVersion);
  if (o.endedAt) throw errors.conflict("outage_closed", "Ресурс уже восстановлен: отключение закрыто.");
  o.set({ cancelledAt: new Date(), version: o.version + 1 });
  await o.save({ transaction: ctx.transaction });
  await emit(ctx, "outage.changed", { outageId: o.id, moment: "cancelled" });
  return o;
}

const RESOLVABLE = ["awaiting_routing", "routed", "assigned", "accepted", "crew_dispatched", "postponed", "reported"];

async function resolveChildren(ctx: Ctx, o: Outage, reason: string): Promise<number[]> {
  const rows = await sequelize().query<{ id: number }>(
    `SELECT t.id FROM outage_tickets ot JOIN tickets t ON t.id = ot.ticket_id
      WHERE ot.outage_id = $1 AND t.status = ANY($2::text[]) ORDER BY t.id`,
    { bind: [o.id, RESOLVABLE], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  const sys = systemActor(`инцидент: отключение № ${o.id}`);
  for (const r of rows)
    await runCommand(sys, (c) => ticketActionTaker({ ctx: c, ticketId: r.id, action: "resolve_incident", input: { reason } }), ctx);
  return rows.map((r) => r.id);
}
