// Conflicts between participants (§5): notice, answer, resolution or escalation, decision.
import Router from "@koa/router";
import { Op } from "sequelize";
import { z } from "zod";
import { runCommand, type Actor } from "../../context.ts";
import { conflictNotifier } from "../../commands/conflictNotifier.ts";
import { conflictNotFound, conflictStepTaker } from "../../commands/conflictStepTaker.ts";
import { Conflict, ConflictEvent } from "../../models/Conflict.ts";
import { Organisation } from "../../models/Organisation.ts";
import { authorize, can } from "../../policies/index.ts";
import { presentConflict } from "../../presenters/onboarding.ts";
import { CONFLICT_STEPS, type ConflictStep } from "../../onboarding/conflictRules.ts";
import { checkEmail, checkPhone } from "../../onboarding/requisites.ts";
import { requireStaff } from "../middleware/auth.ts";
import { parse } from "../middleware/validate.ts";

const id = z.coerce.number().int().positive();
const text = (max: number) => z.string().trim().min(1, "заполните поле").max(max, `не длиннее ${max} символов`);
const negotiator = z
  .object({
    fullName: text(200),
    position: text(200),
    phones: z.array(z.string().trim().refine((v) => !checkPhone(v), "номер телефона не распознан")).min(1, "укажите телефон").max(5),
    fax: z.string().trim().max(50).optional(),
    email: z.string().trim().refine((v) => !checkEmail(v), "неверный адрес электронной почты"),
  })
  .strict();
const noticeSchema = z
  .object({
    respondentOrgId: z.number().int().positive(),
    ticketId: z.number().int().positive().optional(),
    substance: text(4000),
    circumstances: text(8000),
    aroseOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "дата в виде ГГГГ-ММ-ДД"),
    negotiators: z.array(negotiator).min(1, "укажите хотя бы одного уполномоченного на переговоры").max(10),
  })
  .strict();
const stepSchema = z.object({ text: z.string().trim().max(8000).optional(), negotiators: z.array(negotiator).max(10).optional() }).strict();

const includes = [
  { model: Organisation, as: "notifierOrg" },
  { model: Organisation, as: "respondentOrg" },
  { model: ConflictEvent, as: "events" },
];
const actionsFor = (a: Actor, c: Conflict) =>
  Object.entries(CONFLICT_STEPS as Record<string, ConflictStep>)
    .filter(([, s]) => s.from.includes(c.status) && can(a, s.ability, c))
    .map(([k]) => k);

async function loadConflict(a: Actor, conflictId: number) {
  const c = await Conflict.findByPk(conflictId, { include: includes, order: [[{ model: ConflictEvent, as: "events" }, "id", "ASC"]] });
  if (!c || !can(a, "conflict:view", c)) throw conflictNotFound();
  return presentConflict(c, actionsFor(a, c));
}

export function conflictsRouter(): Router {
  const r = new Router({ prefix: "/api/conflicts" });

  r.get("/", async (ctx) => {
    const a = requireStaff(ctx);
    const q = parse(z.object({ status: z.enum(["notified", "answered", "resolved", "escalated", "decided"]).optional() }), ctx.query);
    const scope =
      a.role === "admin" ? {} : a.role === "oversight" ? { status: { [Op.in]: ["escalated", "decided"] } } : { [Op.or]: [{ notifierOrgId: a.orgId ?? -1 }, { respondentOrgId: a.orgId ?? -1 }] };
    const list = await Conflict.findAll({ where: { [Op.and]: [scope, q.status ? { status: q.status } : {}] }, include: includes.slice(0, 2), order: [["id", "DESC"]], limit: 200 });
    ctx.body = { items: list.filter((c) => can(a, "conflict:view", c)).map((c) => presentConflict(c, actionsFor(a, c))) };
  });

  r.post("/", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "conflict:file");
    const input = parse(noticeSchema, ctx.request.body);
    const { conflict, warning } = await runCommand(a, (c) => conflictNotifier({ ctx: c, input }));
    ctx.status = 201;
    ctx.body = { ...(await loadConflict(a, conflict.id)), warning };
  });

  r.get("/:id", async (ctx) => {
    const a = requireStaff(ctx);
    ctx.body = await loadConflict(a, parse(id, ctx.params.id));
  });

  r.post("/:id/:action", async (ctx) => {
    const a = requireStaff(ctx);
    const conflictId = parse(id, ctx.params.id);
    const body = parse(stepSchema, ctx.request.body);
    await runCommand(a, (c) => conflictStepTaker({ ctx: c, conflictId, action: ctx.params.action!, ...body }));
    ctx.body = await loadConflict(a, conflictId);
  });

  return r;
}
