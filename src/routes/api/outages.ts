// Outages and mass incidents: thin routes over the outage commands and queries.
import Router from "@koa/router";
import { z } from "zod";
import { runCommand } from "../../context.ts";
import { errors } from "../../errors.ts";
import { RESOURCES } from "../../models/Category.ts";
import { Organisation } from "../../models/Organisation.ts";
import { Outage, OUTAGE_KINDS } from "../../models/Outage.ts";
import { authorize } from "../../policies/index.ts";
import { presentOutage } from "../../presenters/outage.ts";
import { presentTicketSummary } from "../../presenters/ticket.ts";
import { outageRegistrar } from "../../commands/outageRegistrar.ts";
import { outageCanceller, outageRestorer, outageUpdater } from "../../commands/outageUpdater.ts";
import { childCounts, duplicateCandidates, incidentChildren, listOutages, outageBuildings } from "../../commands/outageQueries.ts";
import { normFlags } from "../../commands/outageNorms.ts";
import { requireStaff } from "../middleware/auth.ts";
import { parse } from "../middleware/validate.ts";

const id = z.coerce.number().int().positive();
const street = z
  .object({
    street: z.string().trim().min(1).max(200),
    settlement: z.string().trim().max(200).optional(),
    from: z.number().int().min(0).optional(),
    to: z.number().int().min(0).optional(),
    parity: z.enum(["all", "odd", "even"]).optional(),
  })
  .strict();
const reason = z.string().trim().min(1, "укажите причину").max(1000);

export const createOutageSchema = z
  .object({
    resource: z.enum(RESOURCES),
    kind: z.enum(OUTAGE_KINDS),
    startsAt: z.coerce.date(),
    expectedEndAt: z.coerce.date(),
    reason,
    buildingIds: z.array(id).max(5000).optional(),
    streets: z.array(street).max(100).optional(),
    _csrf: z.string().optional(),
  })
  .strict();
export const updateOutageSchema = z
  .object({
    kind: z.enum(OUTAGE_KINDS).optional(),
    startsAt: z.coerce.date().optional(),
    expectedEndAt: z.coerce.date().optional(),
    reason: reason.optional(),
    buildingIds: z.array(id).max(5000).optional(),
    streets: z.array(street).max(100).optional(),
    expectedVersion: z.number().int().min(0).optional(),
    _csrf: z.string().optional(),
  })
  .strict();
const listQuery = z.object({
  state: z.enum(["current", "all"]).default("current"),
  resource: z.enum(RESOURCES).optional(),
  buildingId: id.optional(),
  orgId: id.optional(),
  page: z.coerce.number().int().min(1).default(1),
  perPage: z.coerce.number().int().min(1).max(100).default(50),
});
const periodQuery = z.object({ from: z.coerce.date(), to: z.coerce.date(), buildingId: id.optional() });

async function card(outageId: number, actor: ReturnType<typeof requireStaff>) {
  const o = await Outage.findByPk(outageId, { include: [{ model: Organisation, as: "org" }] });
  if (!o) throw errors.notFound("outage", "outage_not_found");
  const monthStart = new Date(Date.UTC(o.startsAt.getUTCFullYear(), o.startsAt.getUTCMonth() - 1, 1));
  const [buildings, counts, flags] = await Promise.all([
    outageBuildings(o.id),
    childCounts([o.id]),
    normFlags({ from: monthStart, to: new Date(Math.max(Date.now(), o.expectedEndAt.getTime()) + 86_400_000), outageId: o.id }),
  ]);
  return presentOutage(o, actor, { buildings, childrenCount: counts.get(o.id) ?? 0, flags });
}

export function outagesRouter(): Router {
  const r = new Router({ prefix: "/api/outages" });

  r.get("/", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "outage:read");
    const q = parse(listQuery, ctx.query);
    const { items, total } = await listOutages(actor, { ...q, limit: q.perPage, offset: (q.page - 1) * q.perPage });
    ctx.body = { items, total, page: q.page, perPage: q.perPage };
  });

  r.get("/norms", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "outage:read");
    const q = parse(periodQuery, ctx.query);
    if (q.from >= q.to) throw errors.validationFailed([{ field: "from", message: "начало периода позже конца" }]);
    ctx.body = { items: await normFlags({ from: q.from, to: q.to, buildingIds: q.buildingId ? [q.buildingId] : undefined }) };
  });

  r.get("/duplicates", async (ctx) => {
    const actor = requireStaff(ctx);
    const q = parse(z.object({ buildingId: id, categoryId: id, hours: z.coerce.number().int().min(1).max(168).default(24) }), ctx.query);
    const found = await duplicateCandidates(q);
    ctx.body = { items: found.map((t) => presentTicketSummary(t, actor)) };
  });

  r.post("/", async (ctx) => {
    const actor = requireStaff(ctx);
    const { _csrf, ...input } = parse(createOutageSchema, ctx.request.body);
    const o = await runCommand(actor, (c) => outageRegistrar({ ctx: c, input }));
    ctx.status = 201;
    ctx.body = await card(o.id, actor);
  });

  r.get("/:id", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "outage:read");
    ctx.body = await card(parse(id, ctx.params.id), actor);
  });

  r.get("/:id/tickets", async (ctx) => {
    const actor = requireStaff(ctx);
    const outageId = parse(id, ctx.params.id);
    if (!(await Outage.findByPk(outageId))) throw errors.notFound("outage", "outage_not_found");
    ctx.body = { items: (await incidentChildren(actor, outageId)).map((t) => presentTicketSummary(t, actor)) };
  });

  r.patch("/:id", async (ctx) => {
    const actor = requireStaff(ctx);
    const { expectedVersion, _csrf, ...patch } = parse(updateOutageSchema, ctx.request.body);
    const outageId = parse(id, ctx.params.id);
    await runCommand(actor, (c) => outageUpdater({ ctx: c, outageId, patch, expectedVersion }));
    ctx.body = await card(outageId, actor);
  });

  r.post("/:id/restore", async (ctx) => {
    const actor = requireStaff(ctx);
    const body = parse(z.object({ endedAt: z.coerce.date().optional(), expectedVersion: z.number().int().min(0).optional(), _csrf: z.string().optional() }), ctx.request.body);
    const outageId = parse(id, ctx.params.id);
    const { resolved } = await runCommand(actor, (c) => outageRestorer({ ctx: c, outageId, endedAt: body.endedAt, expectedVersion: body.expectedVersion }));
    ctx.body = { outage: await card(outageId, actor), resolvedTickets: resolved.length };
  });

  r.post("/:id/cancel", async (ctx) => {
    const actor = requireStaff(ctx);
    const body = parse(z.object({ expectedVersion: z.number().int().min(0).optional(), _csrf: z.string().optional() }), ctx.request.body);
    const outageId = parse(id, ctx.params.id);
    await runCommand(actor, (c) => outageCanceller({ ctx: c, outageId, expectedVersion: body.expectedVersion }));
    ctx.body = await card(outageId, actor);
  });

  return r;
}
