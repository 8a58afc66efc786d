// Factories build a fresh, self-contained district slice per test (no truncation needed).
import { randomBytes } from "node:crypto";
import { hashPassword } from "../../src/auth/passwords.ts";
import { runCommand, systemActor, userActor, type Actor } from "../../src/context.ts";
import { ticketCreator, type NewTicketInput } from "../../src/commands/ticketCreator.ts";
import { ticketActionTaker } from "../../src/commands/ticketActionTaker.ts";
import { attachmentAdder } from "../../src/commands/attachmentAdder.ts";
import { Apartment, Building } from "../../src/models/Building.ts";
import { Category } from "../../src/models/Category.ts";
import { Organisation, OrganisationLink, type OrgType } from "../../src/models/Organisation.ts";
import { Resident, ResidentApartment } from "../../src/models/Resident.ts";
import { User, type StaffRole } from "../../src/models/User.ts";
import type { ActionInput } from "../../src/workflow/transitions.ts";

export const uid = () => randomBytes(4).toString("hex");
export const PASSWORD = "test-password-123";
let passwordHash: string | undefined;

export async function makeOrg(type: OrgType, name?: string): Promise<Organisation> {
  const n = name ?? `${type} ${uid()}`;
  return Organisation.create({ type, name: n, shortName: n, inn: null, kpp: null, ogrn: null, email: null, phone: null, dispatchPhone: null });
}

export async function makeUser(role: StaffRole, org: Organisation | null, extra: Partial<User> = {}): Promise<User> {
  passwordHash ??= await hashPassword(PASSWORD);
  const u = await User.create({
    organisationId: org?.id ?? null,
    role,
    login: `${role}-${uid()}`,
    fullName: `Сотрудник ${role} ${uid()}`,
    position: null,
    email: null,
    phone: null,
    extension: null,
    passwordHash,
    lockedUntil: null,
    lastLoginAt: null,
    ...(extra as object),
  });
  const withOrg = await User.findByPk(u.id, { include: [{ model: Organisation, as: "organisation" }] });
  return withOrg!;
}

export const actorOf = (u: User): Actor => userActor(u);

export async function makeBuilding(uo: Organisation | null, apartments = 3): Promise<{ building: Building; apartments: Apartment[] }> {
  const building = await Building.create({ settlement: "г. Печора", cityDistrict: null, street: `ул. Тестовая ${uid()}`, house: "1", uoId: uo?.id ?? null, latitude: null, longitude: null });
  const apts: Apartment[] = [];
  for (let i = 1; i <= apartments; i++)
    apts.push(await Apartment.create({ buildingId: building.id, number: String(i), personalAccount: `${uid()}${i}`, ownerName: null, floor: 1, entrance: 1 }));
  return { building, apartments: apts };
}

export async function makeResident(apartment?: Apartment, phone?: string): Promise<Resident> {
  const r = await Resident.create({
    fullName: `Житель ${uid()}`,
    phone: phone ?? `+7912${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`,
    email: null,
    consentAt: new Date(),
    consentVersion: "test",
    anonymisedAt: null,
  });
  if (apartment) await ResidentApartment.create({ residentId: r.id, apartmentId: apartment.id });
  return r;
}

export async function category(code: string): Promise<Category> {
  const c = await Category.findOne({ where: { code } });
  if (!c) throw new Error(`no category ${code}`);
  return c;
}

/** A whole slice: call centre + operator, a УО with staff, a ПО and a РСО serving it, a building, a resident. */
export async function makeWorld() {
  const callCentre = await makeOrg("call_centre");
  const uo = await makeOrg("management_company");
  const contractor = await makeOrg("contractor");
  const supplier = await makeOrg("resource_supplier");
  const agency = await makeOrg("agency");
  const oversight = await makeOrg("oversight");
  await OrganisationLink.create({ uoId: uo.id, providerId: contractor.id });
  await OrganisationLink.create({ uoId: uo.id, providerId: supplier.id });
  const { building, apartments } = await makeBuilding(uo);
  const resident = await makeResident(apartments[0]);
  const users = {
    operator: await makeUser("operator", callCentre),
    uo: await makeUser("uo", uo),
    uoStaff: await makeUser("uo", uo),
    contractor: await makeUser("contractor", contractor),
    supplier: await makeUser("supplier", supplier),
    agency: await makeUser("agency", agency),
    oversight: await makeUser("oversight", oversight),
    admin: await makeUser("admin", null),
  };
  return { callCentre, uo, contractor, supplier, agency, oversight, building, apartments, resident, users };
}
export type World = Awaited<ReturnType<typeof makeWorld>>;

export async function createTicket(actor: Actor, input: Partial<NewTicketInput> & { buildingId?: number | null }) {
  const cat = input.categoryId ? undefined : await category("tap_leak");
  return runCommand(actor, (ctx) =>
    ticketCreator({ ctx, input: { channel: "phone", description: "Течёт кран на кухне", categoryId: cat?.id ?? input.categoryId!, ...input } }),
  );
}

export async function act(actor: Actor, ticketId: number, action: string, input: ActionInput = {}) {
  return runCommand(actor, (ctx) => ticketActionTaker({ ctx, ticketId, action, input }));
}

export const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100" + "05fe02fea70000000049454e44ae426082",
  "hex",
);
export const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

export async function addWorkOrder(actor: Actor, ticketId: number) {
  return runCommand(actor, (ctx) => attachmentAdder({ ctx, ticketId, kind: "work_order", originalName: "naryad.pdf", data: PDF }));
}

export const system = systemActor("test");
