// Registers a new ticket from any channel, and routes it to the building's УО when the
// address is known (an automatic, recorded "route" step).
import { sequelize } from "../db/sequelize.ts";
import { QueryTypes } from "sequelize";
import { runCommand, systemActor, type Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { normalizePhone } from "../lib/phone.ts";
import { Apartment, Building } from "../models/Building.ts";
import { Category } from "../models/Category.ts";
import { Resident } from "../models/Resident.ts";
import { Ticket, type TicketChannel } from "../models/Ticket.ts";
import { authorize } from "../policies/index.ts";
import { applyAction, recordChange } from "../workflow/engine.ts";
import { deadlinesFor } from "./deadlineCalculator.ts";
import { outageLinker } from "./outageLinker.ts";

export interface NewTicketInput {
  channel: TicketChannel;
  categoryId: number;
  description: string;
  buildingId?: number | null;
  apartmentId?: number | null;
  addressText?: string | null;
  residentId?: number | null;
  contactName?: string | null;
  contactPhone?: string | null;
  emergency?: boolean;
}

async function nextNumber(ctx: Ctx, at: Date): Promise<string> {
  const rows = await sequelize().query<{ n: number }>("SELECT nextval('ticket_number_seq')::int AS n", {
    type: QueryTypes.SELECT,
    transaction: ctx.transaction,
  });
  return `${at.getUTCFullYear()}-${String(rows[0]!.n).padStart(6, "0")}`;
}

export async function ticketCreator({ ctx, input }: { ctx: Ctx; input: NewTicketInput }): Promise<Ticket> {
  authorize(ctx.actor, "ticket:create");
  const t = ctx.transaction;
  const category = await Category.findByPk(input.categoryId, { transaction: t });
  if (!category || !category.active) throw errors.notFound("category");

  let building: Building | null = null;
  let apartment: Apartment | null = null;
  if (input.apartmentId) {
    apartment = await Apartment.findByPk(input.apartmentId, { transaction: t });
    if (!apartment) throw errors.notFound("apartment");
    if (input.buildingId && input.buildingId !== apartment.buildingId)
      throw errors.validationFailed([{ field: "apartmentId", message: "квартира не относится к выбранному дому" }]);
  }
  const buildingId = input.buildingId ?? apartment?.buildingId ?? null;
  if (buildingId) {
    building = await Building.findByPk(buildingId, { transaction: t });
    if (!building) throw errors.notFound("building");
  }
  if (!building && !input.addressText?.trim())
    throw errors.validationFailed([{ field: "address", message: "укажите дом из справочника или адрес текстом" }]);

  let residentId = input.residentId ?? null;
  const actor = ctx.actor;
  if (actor.kind === "resident") residentId = actor.resident.id;
  let resident: Resident | null = null;
  if (residentId) {
    resident = await Resident.findByPk(residentId, { transaction: t });
    if (!resident) throw errors.notFound("resident");
  }
  const rawPhone = input.contactPhone ?? resident?.phone ?? null;
  const contactPhone = rawPhone ? normalizePhone(rawPhone) : null;
  if (rawPhone && !contactPhone) throw errors.validationFailed([{ field: "contactPhone", message: "номер телефона не распознан" }]);

  const now = new Date();
  const emergency = category.emergency || !!input.emergency;
  const d = await deadlinesFor(ctx, category, now, emergency);
  const status = input.channel === "web" ? "pending_confirmation" : "awaiting_routing";
  const ticket = await Ticket.create(
    {
      number: await nextNumber(ctx, now),
      status,
      channel: input.channel,
      residentId,
      contactName: input.contactName?.trim() || resident?.fullName || null,
      contactPhone,
      buildingId: building?.id ?? null,
      apartmentId: apartment?.id ?? null,
      addressText: input.addressText?.trim() || null,
      categoryId: category.id,
      description: input.description.trim(),
      emergency,
      uoId: null,
      executorOrgId: null,
      executorUserId: null,
      deadlineAt: d.deadlineAt,
      deadlineBasis: d.deadlineBasis,
      dispatchDeadlineAt: d.dispatchDeadlineAt,
      crewDispatchedAt: null,
      postponedUntil: null,
      worksDone: null,
      closureKind: null,
      rating: null,
      ratingComment: null,
      createdByUserId: actor.kind === "user" ? actor.user.id : null,
      reportedAt: null,
      verifiedAt: null,
      closedAt: null,
      createdAt: now,
    },
    { transaction: t },
  );
  await recordChange(ctx, ticket, { action: "create", fromStatus: null, toStatus: status, changes: {} });
  if (status === "awaiting_routing" && building?.uoId) await autoRoute(ctx, ticket, building.uoId);
  await outageLinker({ ctx, ticket });
  return ticket;
}

/** Routes a ticket to the building's УО as the system, recorded in history. */
export async function autoRoute(ctx: Ctx, ticket: Ticket, uoId: number): Promise<void> {
  await runCommand(
    systemActor("маршрутизация по адресу"),
    (sys) => applyAction(sys, ticket, "route", { uoId }, { facts: { unansweredAttempts: 0, unreachableMinAttempts: 4, now: new Date() } }),
    ctx,
  );
}
