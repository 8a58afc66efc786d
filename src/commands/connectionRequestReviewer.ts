// The agency approves a connection request (creates the organisation, its links, buildings and
// apartments, and staff users with invitations) or rejects it with a reason; the requester is told.
import { Op } from "sequelize";
import type { Ctx } from "../context.ts";
import { sequelize } from "../db/sequelize.ts";
import { AppError, errors } from "../errors.ts";
import { ConnectionRequest } from "../models/ConnectionRequest.ts";
import { Organisation, OrganisationLink, type OrgType } from "../models/Organisation.ts";
import { User, type StaffRole } from "../models/User.ts";
import { authorize } from "../policies/index.ts";
import { applyRows, checkAgainstDatabase, invalidImport, type BuildingRow } from "../onboarding/buildingRows.ts";
import { organisationFields } from "../onboarding/card.ts";
import { inviteUser } from "../onboarding/invitations.ts";
import { sendEmail } from "../onboarding/notify.ts";
import type { PartnerCard } from "../onboarding/requisites.ts";

const ROLE_OF: Record<string, StaffRole> = { management_company: "uo", contractor: "contractor", resource_supplier: "supplier" };

async function lockSubmitted(ctx: Ctx, id: number): Promise<ConnectionRequest> {
  const req = await ConnectionRequest.findByPk(id, { transaction: ctx.transaction, lock: ctx.transaction.LOCK.UPDATE });
  if (!req) throw new AppError(404, "connection_request_not_found", "Заявка на подключение не найдена.");
  if (req.status !== "submitted")
    throw errors.conflict("request_already_reviewed", `Заявка № ${req.id} уже рассмотрена: ${req.status === "approved" ? "одобрена" : "отклонена"}.`);
  return req;
}

/** Served organisations named in the request, matched by ИНН or name among the right types. */
async function resolveServed(ctx: Ctx, req: ConnectionRequest, extraIds: number[]) {
  const wanted: OrgType[] = req.orgType === "management_company" ? ["contractor", "resource_supplier"] : ["management_company"];
  const candidates = await Organisation.findAll({ where: { type: { [Op.in]: wanted }, active: true }, transaction: ctx.transaction });
  const norm = (s: string) => s.toLowerCase().replace(/ё/g, "е").replace(/[«»"'\s]+/g, " ").trim();
  const matched = new Map<number, Organisation>();
  const unmatched: string[] = [];
  for (const s of req.served) {
    const hit = candidates.find((o) => (s.inn && o.inn === s.inn) || norm(o.name) === norm(s.name) || norm(o.shortName) === norm(s.name));
    if (hit) matched.set(hit.id, hit);
    else unmatched.push(s.name);
  }
  for (const id of extraIds) {
    const o = candidates.find((c) => c.id === id);
    if (!o) throw errors.validationFailed([{ field: "linkOrganisationIds", message: `организация ${id} не найдена среди ${req.orgType === "management_company" ? "ПО/РСО" : "УО"}` }]);
    matched.set(o.id, o);
  }
  return { matched: [...matched.values()], unmatched };
}

export async function connectionRequestApprover({ ctx, requestId, linkOrganisationIds = [] }: { ctx: Ctx; requestId: number; linkOrganisationIds?: number[] }) {
  authorize(ctx.actor, "connectionRequest:review");
  const t = ctx.transaction;
  const req = await lockSubmitted(ctx, requestId);
  const card = req.card as unknown as PartnerCard;
  if (await Organisation.findOne({ where: { inn: card.inn, ...(card.kpp ? { kpp: card.kpp } : {}) }, transaction: t }))
    throw errors.conflict("organisation_exists", `Организация с ИНН ${card.inn} уже подключена.`);

  const logins = req.staff.map((s) => s.email.toLowerCase());
  const taken = await User.findAll({ where: sequelize().where(sequelize().fn("lower", sequelize().col("login")), { [Op.in]: logins }), transaction: t });
  if (taken.length)
    throw new AppError(409, "login_taken", `Логины уже заняты: ${taken.map((u) => u.login).join(", ")}. Попросите организацию указать другие адреса.`, {
      logins: taken.map((u) => u.login),
    });

  const org = await Organisation.create({ type: req.orgType, ...organisationFields(card) }, { transaction: t });
  const { matched, unmatched } = await resolveServed(ctx, req, linkOrganisationIds);
  for (const o of matched) {
    const link = req.orgType === "management_company" ? { uoId: org.id, providerId: o.id } : { uoId: o.id, providerId: org.id };
    await OrganisationLink.findOrCreate({ where: link, defaults: link, transaction: t });
  }

  let imported = null;
  if (req.orgType === "management_company") {
    const rows = req.buildings as unknown as BuildingRow[];
    const clashes = await checkAgainstDatabase(rows, org.id, t);
    if (clashes.length) throw invalidImport({ valid: false, rows: rows.length, errors: clashes });
    imported = await applyRows(rows, org.id, t);
  }

  const users: Array<{ id: number; login: string; fullName: string; invitationId: number }> = [];
  for (const s of req.staff) {
    const u = await User.create(
      {
        organisationId: org.id,
        role: ROLE_OF[req.orgType]!,
        login: s.email.toLowerCase(),
        fullName: s.fullName,
        position: s.position,
        email: s.email.toLowerCase(),
        phone: s.phone ?? null,
        extension: null,
        passwordHash: null,
        lockedUntil: null,
        lastLoginAt: null,
      },
      { transaction: t },
    );
    const inv = await inviteUser(ctx, u, org.shortName);
    users.push({ id: u.id, login: u.login, fullName: u.fullName, invitationId: inv.id });
  }

  const result = { organisationId: org.id, links: matched.map((o) => ({ id: o.id, name: o.shortName })), unmatchedServed: unmatched, imported, users };
  await req.update(
    { status: "approved", organisationId: org.id, reviewedByUserId: ctx.actor.kind === "user" ? ctx.actor.user.id : null, reviewedAt: new Date(), result },
    { transaction: t },
  );
  await sendEmail(
    ctx,
    `connection-request:${req.id}:approved`,
    req.requesterEmail,
    `Заявка № ${req.id} одобрена`,
    `Здравствуйте, ${req.requesterName}!\n\nОрганизация «${org.shortName}» подключена к системе «Открытая Печора». Каждому из ${users.length} сотрудников отправлено письмо со ссылкой для создания пароля.` +
      (unmatched.length ? `\n\nНе найдены в системе организации: ${unmatched.join(", ")}. Связь с ними установит МКУ после их подключения.` : ""),
  );
  return { request: req, organisation: org, result };
}

export async function connectionRequestRejecter({ ctx, requestId, reason }: { ctx: Ctx; requestId: number; reason: string }) {
  authorize(ctx.actor, "connectionRequest:review");
  const req = await lockSubmitted(ctx, requestId);
  await req.update(
    { status: "rejected", rejectReason: reason, reviewedByUserId: ctx.actor.kind === "user" ? ctx.actor.user.id : null, reviewedAt: new Date() },
    { transaction: ctx.transaction },
  );
  await sendEmail(
    ctx,
    `connection-request:${req.id}:rejected`,
    req.requesterEmail,
    `Заявка № ${req.id} отклонена`,
    `Здравствуйте, ${req.requesterName}!\n\nЗаявка № ${req.id} на подключение организации «${req.card.shortName}» отклонена.\nПричина: ${reason}\n\nИсправьте данные и подайте заявку снова.`,
  );
  return req;
}
