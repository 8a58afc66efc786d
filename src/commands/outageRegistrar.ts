// Registers an outage (УО or РСО): resource, planned/emergency, start, expected end, reason and
// the affected buildings, chosen one by one or by street and house range. Residents and (for a
// РСО) the УО hear of it through the outbox.
import { QueryTypes } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import type { Resource } from "../models/Category.ts";
import { Outage, OutageBuilding, type OutageKind } from "../models/Outage.ts";
import { emit } from "../outbox/index.ts";
import { authorize } from "../policies/index.ts";

export interface StreetRange {
  street: string;
  settlement?: string;
  /** House numbers by their leading integer ("12а" is 12); both ends included. */
  from?: number;
  to?: number;
  parity?: "all" | "odd" | "even";
}

export interface OutageInput {
  resource: Resource;
  kind: OutageKind;
  startsAt: Date;
  expectedEndAt: Date;
  reason: string;
  buildingIds?: number[];
  streets?: StreetRange[];
}

/** Resolves the building selection to ids the actor's organisation may name. */
export async function resolveBuildings(ctx: Ctx, input: Pick<OutageInput, "buildingIds" | "streets">): Promise<number[]> {
  const t = ctx.transaction;
  const ids = new Set<number>();
  if (input.buildingIds?.length) {
    const found = await sequelize().query<{ id: number }>("SELECT id FROM buildings WHERE id = ANY($1::int[])", {
      bind: [input.buildingIds],
      type: QueryTypes.SELECT,
      transaction: t,
    });
    const missing = input.buildingIds.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) throw errors.validationFailed([{ field: "buildingIds", message: `дома не найдены: ${missing.join(", ")}` }]);
    found.forEach((f) => ids.add(f.id));
  }
  for (const [i, s] of (input.streets ?? []).entries()) {
    const rows = await sequelize().query<{ id: number }>(
      `SELECT id FROM buildings WHERE lower(street) = lower($1) AND ($2::text IS NULL OR lower(settlement) = lower($2))
         AND ($3::int IS NULL OR substring(house from '^[0-9]+')::int >= $3)
         AND ($4::int IS NULL OR substring(house from '^[0-9]+')::int <= $4)
         AND ($5 = 'all' OR (substring(house from '^[0-9]+')::int % 2 = 1) = ($5 = 'odd'))`,
      { bind: [s.street.trim(), s.settlement ?? null, s.from ?? null, s.to ?? null, s.parity ?? "all"], type: QueryTypes.SELECT, transaction: t },
    );
    if (!rows.length) throw errors.validationFailed([{ field: `streets.${i}`, message: `на улице «${s.street}» не найдено домов в этом диапазоне` }]);
    rows.forEach((r) => ids.add(r.id));
  }
  if (!ids.size) throw errors.validationFailed([{ field: "buildingIds", message: "укажите хотя бы один дом" }]);
  await checkServed(ctx, [...ids]);
  return [...ids].sort((a, b) => a - b);
}

/** A УО names its own buildings; a РСО the buildings of the УО it serves. */
async function checkServed(ctx: Ctx, buildingIds: number[]): Promise<void> {
  const a = ctx.actor;
  if (a.kind !== "user") return;
  const foreign = await sequelize().query<{ id: number }>(
    a.orgType === "management_company"
      ? "SELECT id FROM buildings WHERE id = ANY($1::int[]) AND uo_id IS DISTINCT FROM $2"
      : `SELECT b.id FROM buildings b WHERE b.id = ANY($1::int[]) AND NOT EXISTS
           (SELECT 1 FROM organisation_links l WHERE l.uo_id = b.uo_id AND l.provider_id = $2)`,
    { bind: [buildingIds, a.orgId], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  if (foreign.length)
    throw errors.forbidden(`Дома не обслуживаются вашей организацией: ${foreign.map((f) => f.id).join(", ")}.`);
}

export function checkTimes(startsAt: Date, expectedEndAt: Date, endedAt?: Date | null): void {
  if (!(expectedEndAt > startsAt))
    throw errors.validationFailed([{ field: "expectedEndAt", message: "окончание отключения должно быть позже начала" }]);
  if (endedAt && endedAt < startsAt) throw errors.validationFailed([{ field: "endedAt", message: "восстановление не может быть раньше начала" }]);
}

/** An open outage of the same resource overlapping in time at one of these buildings. */
export async function findOverlap(ctx: Ctx, o: Pick<OutageInput, "resource" | "startsAt" | "expectedEndAt">, buildingIds: number[], exceptId?: number) {
  const rows = await sequelize().query<{ id: number }>(
    `SELECT DISTINCT o.id FROM outages o JOIN outage_buildings ob ON ob.outage_id = o.id
      WHERE o.resource = $1 AND o.cancelled_at IS NULL AND o.ended_at IS NULL AND ob.building_id = ANY($2::int[])
        AND o.starts_at < $4 AND o.expected_end_at > $3 AND ($5::int IS NULL OR o.id <> $5) ORDER BY o.id LIMIT 1`,
    { bind: [o.resource, buildingIds, o.startsAt, o.expectedEndAt, exceptId ?? null], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  return rows[0]?.id ?? null;
}

export async function outageRegistrar({ ctx, input }: { ctx: Ctx; input: OutageInput }): Promise<Outage> {
  authorize(ctx.actor, "outage:create", undefined, "Регистрировать отключения могут сотрудники УО и РСО.");
  const a = ctx.actor;
  if (a.kind !== "user" || a.orgId === null) throw errors.forbidden();
  checkTimes(input.startsAt, input.expectedEndAt);
  const reason = input.reason.trim();
  if (!reason) throw errors.validationFailed([{ field: "reason", message: "укажите причину отключения" }]);
  const buildingIds = await resolveBuildings(ctx, input);
  const dup = await findOverlap(ctx, input, buildingIds);
  if (dup) throw errors.conflict("outage_duplicate", `Такое отключение уже зарегистрировано (№ ${dup}): тот же ресурс, те же дома, пересекающееся время.`);
  const outage = await Outage.create(
    {
      resource: input.resource,
      kind: input.kind,
      startsAt: input.startsAt,
      expectedEndAt: input.expectedEndAt,
      endedAt: null,
      cancelledAt: null,
      reason,
      orgId: a.orgId,
      registeredByUserId: a.user.id,
    },
    { transaction: ctx.transaction },
  );
  await OutageBuilding.bulkCreate(
    buildingIds.map((buildingId) => ({ outageId: outage.id, buildingId })),
    { transaction: ctx.transaction },
  );
  await emit(ctx, "outage.changed", { outageId: outage.id, moment: "registered" });
  return outage;
}
