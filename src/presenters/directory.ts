import type { Category } from "../models/Category.ts";
import type { Organisation } from "../models/Organisation.ts";
import type { User } from "../models/User.ts";
import type { Building, Apartment } from "../models/Building.ts";
import type { Resident } from "../models/Resident.ts";
import { formatPhone } from "../lib/phone.ts";
import { addressOf } from "./ticket.ts";

export const presentCategory = (c: Category) => ({
  id: c.id,
  code: c.code,
  name: c.name,
  group: c.groupName,
  resource: c.resource,
  emergency: c.emergency,
  deadline: { value: c.deadlineValue, unit: c.deadlineUnit, basis: c.deadlineBasis, verified: c.deadlineVerified },
  active: c.active,
});

export const presentOrganisation = (o: Organisation) => ({
  id: o.id,
  type: o.type,
  name: o.name,
  shortName: o.shortName,
  phone: o.dispatchPhone ?? o.phone,
  active: o.active,
});

export const presentUser = (u: User) => ({
  id: u.id,
  login: u.login,
  fullName: u.fullName,
  position: u.position,
  role: u.role,
  organisationId: u.organisationId,
  organisation: u.organisation ? { id: u.organisation.id, name: u.organisation.shortName, type: u.organisation.type } : null,
  email: u.email,
  extension: u.extension,
  active: u.active,
  mustChangePassword: u.mustChangePassword,
});

export const presentBuilding = (b: Building) => ({
  id: b.id,
  address: addressOf(b),
  settlement: b.settlement,
  cityDistrict: b.cityDistrict,
  street: b.street,
  house: b.house,
  buildingPart: b.buildingPart,
  uoId: b.uoId,
});

export const presentApartment = (a: Apartment) => ({ id: a.id, buildingId: a.buildingId, number: a.number, floor: a.floor, entrance: a.entrance });

export const presentResident = (r: Resident) => ({
  id: r.id,
  fullName: r.fullName,
  phone: r.phone,
  phoneFormatted: formatPhone(r.phone),
  apartments: r.apartments?.map((a) => ({ id: a.id, number: a.number, buildingId: a.buildingId, address: addressOf(a.building, a.number) })),
});
