// The fictional demo district of г. Печора: organisations, staff, buildings, apartments, residents.
// Every name, address and number here is made up; nothing refers to a real person.
import type { Transaction } from "sequelize";
import { hashPassword } from "../auth/passwords.ts";
import { Apartment, Building } from "../models/Building.ts";
import { Organisation, OrganisationLink, type OrgType } from "../models/Organisation.ts";
import { Resident, ResidentApartment } from "../models/Resident.ts";
import { User, type StaffRole } from "../models/User.ts";

/** The one password every demo login shares (documented in README.md, printed on load). */
export const DEMO_PASSWORD = "pechora-demo-2026";

type OrgKey = "callCentre" | "uo1" | "uo2" | "contractor" | "supplier" | "agency" | "oversight";

interface OrgSeed {
  key: OrgKey;
  type: OrgType;
  name: string;
  shortName: string;
  phone: string;
  dispatchPhone: string | null;
  email: string;
  requisites: Record<string, unknown>;
}

const ORGS: OrgSeed[] = [
  {
    key: "callCentre",
    type: "call_centre",
    name: "Муниципальное унитарное предприятие «Управляющая компания Альтернатива»",
    shortName: "МУП «УК Альтернатива»",
    phone: "+78214200001",
    dispatchPhone: "+78214200002",
    email: "coz@alternativa.example.org",
    requisites: { director: "Смирнова Ольга Викторовна", actualAddress: "г. Печора, Печорский пр-кт, д. 40", workingHours: "круглосуточно" },
  },
  {
    key: "uo1",
    type: "management_company",
    name: "Общество с ограниченной ответственностью «Жилсервис»",
    shortName: "ООО «Жилсервис»",
    phone: "+78214200011",
    dispatchPhone: "+78214200012",
    email: "office@zhilservice.example.org",
    requisites: { director: "Кузнецов Андрей Павлович", chiefEngineer: "Лапин Сергей Игоревич", workingHours: "пн–пт 8:00–17:00" },
  },
  {
    key: "uo2",
    type: "management_company",
    name: "Товарищество собственников жилья «Северное»",
    shortName: "ТСЖ «Северное»",
    phone: "+78214200021",
    dispatchPhone: null,
    email: "tsg@severnoe.example.org",
    requisites: { director: "Попова Наталья Сергеевна", workingHours: "пн–пт 9:00–18:00" },
  },
  {
    key: "contractor",
    type: "contractor",
    name: "Общество с ограниченной ответственностью «Печорский ремонтник»",
    shortName: "ООО «Печорский ремонтник»",
    phone: "+78214200031",
    dispatchPhone: "+78214200032",
    email: "remont@pechremont.example.org",
    requisites: { director: "Ветров Илья Николаевич", workingHours: "пн–сб 8:00–20:00" },
  },
  {
    key: "supplier",
    type: "resource_supplier",
    name: "Акционерное общество «Печорские тепловые сети»",
    shortName: "АО «Печорские тепловые сети»",
    phone: "+78214200041",
    dispatchPhone: "+78214200042",
    email: "dispatch@pechteplo.example.org",
    requisites: { director: "Голубев Роман Олегович", resources: ["heating", "hot_water"], workingHours: "круглосуточно" },
  },
  {
    key: "agency",
    type: "agency",
    name: "Муниципальное казённое учреждение «Управление по делам гражданской обороны и чрезвычайным ситуациям муниципального района «Печора»",
    shortName: "МКУ «Управление по делам ГО и ЧС МР «Печора»",
    phone: "+78214200051",
    dispatchPhone: null,
    email: "gochs@pechora.example.org",
    requisites: { director: "Семёнов Виктор Алексеевич" },
  },
  {
    key: "oversight",
    type: "oversight",
    name: "Государственная жилищная инспекция Республики Коми (демо)",
    shortName: "ГЖИ Республики Коми",
    phone: "+78212200061",
    dispatchPhone: null,
    email: "gzhi@komi.example.org",
    requisites: {},
  },
];

export interface DemoLogin {
  login: string;
  role: StaffRole;
  org: OrgKey;
  fullName: string;
  position: string;
  extension?: string;
}

/** One login per role, plus a УО employee who does work himself ("own staff" executor). */
export const DEMO_LOGINS: DemoLogin[] = [
  { login: "operator", role: "operator", org: "callCentre", fullName: "Иванова Мария Петровна", position: "Оператор ЦОЗ", extension: "201" },
  { login: "uo1", role: "uo", org: "uo1", fullName: "Федорова Елена Игоревна", position: "Диспетчер" },
  { login: "uo1-master", role: "uo", org: "uo1", fullName: "Лапин Сергей Игоревич", position: "Мастер участка" },
  { login: "uo2", role: "uo", org: "uo2", fullName: "Попова Наталья Сергеевна", position: "Председатель правления" },
  { login: "contractor", role: "contractor", org: "contractor", fullName: "Ветров Илья Николаевич", position: "Прораб" },
  { login: "supplier", role: "supplier", org: "supplier", fullName: "Голубев Роман Олегович", position: "Диспетчер ЦДС" },
  { login: "agency", role: "agency", org: "agency", fullName: "Семёнов Виктор Алексеевич", position: "Главный специалист" },
  { login: "oversight", role: "oversight", org: "oversight", fullName: "Орлова Анна Дмитриевна", position: "Государственный жилищный инспектор" },
];

interface BuildingSeed {
  key: string;
  street: string;
  house: string;
  part?: string;
  settlement?: string;
  cityDistrict: string;
  uo: "uo1" | "uo2";
  floors: number;
  entrances: number;
  perFloor: number;
  lat: number;
  lon: number;
}

const BUILDINGS: BuildingSeed[] = [
  { key: "pr42", street: "Печорский пр-кт", house: "42", cityDistrict: "Центральный", uo: "uo1", floors: 5, entrances: 4, perFloor: 3, lat: 65.1472, lon: 57.2238 },
  { key: "pr44", street: "Печорский пр-кт", house: "44", cityDistrict: "Центральный", uo: "uo1", floors: 5, entrances: 3, perFloor: 3, lat: 65.1478, lon: 57.2251 },
  { key: "pr46", street: "Печорский пр-кт", house: "46", cityDistrict: "Центральный", uo: "uo1", floors: 9, entrances: 2, perFloor: 4, lat: 65.1484, lon: 57.2264 },
  { key: "gag15", street: "ул. Гагарина", house: "15", cityDistrict: "Центральный", uo: "uo1", floors: 5, entrances: 2, perFloor: 3, lat: 65.1451, lon: 57.2189 },
  { key: "gag17", street: "ул. Гагарина", house: "17", cityDistrict: "Центральный", uo: "uo1", floors: 5, entrances: 2, perFloor: 3, lat: 65.1455, lon: 57.2201 },
  { key: "mir21", street: "ул. Мира", house: "21", part: "1", cityDistrict: "Центральный", uo: "uo1", floors: 5, entrances: 3, perFloor: 4, lat: 65.1421, lon: 57.2152 },
  { key: "mir23", street: "ул. Мира", house: "23", cityDistrict: "Центральный", uo: "uo1", floors: 3, entrances: 2, perFloor: 2, lat: 65.1425, lon: 57.2167 },
  { key: "soc8", street: "ул. Социалистическая", house: "8", cityDistrict: "Привокзальный", uo: "uo2", floors: 5, entrances: 4, perFloor: 4, lat: 65.1389, lon: 57.2311 },
  { key: "soc10", street: "ул. Социалистическая", house: "10", cityDistrict: "Привокзальный", uo: "uo2", floors: 5, entrances: 2, perFloor: 4, lat: 65.1393, lon: 57.2326 },
  { key: "len3", street: "ул. Ленинградская", house: "3", cityDistrict: "Привокзальный", uo: "uo2", floors: 9, entrances: 1, perFloor: 4, lat: 65.1367, lon: 57.2294 },
  { key: "len5", street: "ул. Ленинградская", house: "5", cityDistrict: "Привокзальный", uo: "uo2", floors: 5, entrances: 2, perFloor: 3, lat: 65.1371, lon: 57.2309 },
  { key: "str4", street: "ул. Строительная", house: "4", cityDistrict: "Привокзальный", uo: "uo2", floors: 2, entrances: 2, perFloor: 2, lat: 65.1343, lon: 57.2276 },
];

interface ResidentSeed {
  key: string;
  fullName: string;
  phone: string | null;
  building: string;
  apartment: string;
}

// +79121234567 is the caller in the recorded AMI streams (fixtures/ami): a call replayed
// against the demo pops Гусева's card.
const RESIDENTS: ResidentSeed[] = [
  { key: "guseva", fullName: "Гусева Татьяна Михайловна", phone: "+79121234567", building: "pr42", apartment: "12" },
  { key: "belov", fullName: "Белов Николай Андреевич", phone: "+79121230001", building: "pr44", apartment: "7" },
  { key: "sidorova", fullName: "Сидорова Ирина Васильевна", phone: "+79121230002", building: "pr46", apartment: "35" },
  { key: "komarov", fullName: "Комаров Денис Сергеевич", phone: "+79121230003", building: "gag15", apartment: "3" },
  { key: "yakovleva", fullName: "Яковлева Светлана Юрьевна", phone: "+79121230004", building: "mir21", apartment: "28" },
  { key: "nikitin", fullName: "Никитин Павел Олегович", phone: "+79121230005", building: "soc8", apartment: "41" },
  { key: "morozova", fullName: "Морозова Галина Ивановна", phone: "+79121230006", building: "soc10", apartment: "16" },
  { key: "zaitsev", fullName: "Зайцев Артём Валерьевич", phone: "+79121230007", building: "len3", apartment: "30" },
  { key: "egorova", fullName: "Егорова Людмила Фёдоровна", phone: "+79121230008", building: "len5", apartment: "2" },
  { key: "orlov", fullName: "Орлов Виталий Петрович", phone: null, building: "str4", apartment: "5" },
];

export interface District {
  orgs: Record<OrgKey, Organisation>;
  users: Record<string, User>;
  buildings: Record<string, Building>;
  /** apartment by "<buildingKey>/<number>" */
  apartments: Record<string, Apartment>;
  residents: Record<string, Resident>;
}

export async function createDistrict(transaction: Transaction, settlement: string): Promise<District> {
  const orgs = {} as Record<OrgKey, Organisation>;
  for (const o of ORGS) {
    orgs[o.key] = await Organisation.create(
      {
        type: o.type,
        name: o.name,
        shortName: o.shortName,
        inn: null,
        kpp: null,
        ogrn: null,
        email: o.email,
        phone: o.phone,
        dispatchPhone: o.dispatchPhone,
        requisites: { ...o.requisites, demo: true },
      },
      { transaction },
    );
  }
  for (const uo of [orgs.uo1, orgs.uo2])
    for (const provider of [orgs.contractor, orgs.supplier])
      await OrganisationLink.create({ uoId: uo.id, providerId: provider.id }, { transaction });

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const users: Record<string, User> = {};
  for (const l of DEMO_LOGINS) {
    const u = await User.create(
      {
        organisationId: orgs[l.org].id,
        role: l.role,
        login: l.login,
        fullName: l.fullName,
        position: l.position,
        email: `${l.login}@demo.example.org`,
        phone: null,
        extension: l.extension ?? null,
        passwordHash,
        mustChangePassword: false,
        lockedUntil: null,
        lastLoginAt: null,
      },
      { transaction },
    );
    u.organisation = orgs[l.org];
    users[l.login] = u;
  }

  const buildings: Record<string, Building> = {};
  const apartments: Record<string, Apartment> = {};
  for (const [bi, b] of BUILDINGS.entries()) {
    const building = await Building.create(
      {
        settlement: b.settlement ?? settlement,
        cityDistrict: b.cityDistrict,
        street: b.street,
        house: b.house,
        buildingPart: b.part ?? "",
        uoId: orgs[b.uo].id,
        latitude: b.lat,
        longitude: b.lon,
      },
      { transaction },
    );
    buildings[b.key] = building;
    const rows = [];
    let n = 0;
    for (let e = 1; e <= b.entrances; e++)
      for (let f = 1; f <= b.floors; f++)
        for (let k = 0; k < b.perFloor; k++) {
          n++;
          // Personal account: "99" (demo) + building index + apartment number.
          rows.push({ buildingId: building.id, number: String(n), personalAccount: `99${String(bi + 1).padStart(2, "0")}${String(n).padStart(4, "0")}`, ownerName: null, floor: f, entrance: e });
        }
    for (const a of await Apartment.bulkCreate(rows, { transaction })) apartments[`${b.key}/${a.number}`] = a;
  }

  const residents: Record<string, Resident> = {};
  for (const r of RESIDENTS) {
    const apt = apartments[`${r.building}/${r.apartment}`];
    if (!apt) throw new Error(`demo: no apartment ${r.building}/${r.apartment}`);
    const res = await Resident.create(
      { fullName: r.fullName, phone: r.phone, email: null, consentAt: new Date(), consentVersion: "demo", anonymisedAt: null },
      { transaction },
    );
    await ResidentApartment.create({ residentId: res.id, apartmentId: apt.id }, { transaction });
    residents[r.key] = res;
  }
  return { orgs, users, buildings, apartments, residents };
}

/** The address of a building as residents write it (for tickets with an unknown address). */
export const UNKNOWN_ADDRESS = "ул. Русанова, д. 30, кв. 4";
