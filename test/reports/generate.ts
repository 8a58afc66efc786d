// Generates a small district for report tests: two УО with buildings in two city districts,
// residents with names, phones, apartments and personal accounts, and tickets driven through
// the real workflow (confirmed, no answer, unreachable, disputed, withdrawn, open, emergency),
// then spread over October–December 2026 by shifting each ticket's timestamps together.
import { QueryTypes } from "sequelize";
import { residentActor, type Actor } from "../../src/context.ts";
import { sequelize } from "../../src/db/sequelize.ts";
import { Apartment, Building } from "../../src/models/Building.ts";
import { OrganisationLink, type Organisation } from "../../src/models/Organisation.ts";
import type { Resident } from "../../src/models/Resident.ts";
import type { Ticket } from "../../src/models/Ticket.ts";
import { act, actorOf, addWorkOrder, category, createTicket, makeOrg, makeResident, makeUser, system, uid } from "../support/factories.ts";

export interface Generated {
  uos: Organisation[];
  contractor: Organisation;
  buildings: Building[];
  residents: Resident[];
  apartments: Apartment[];
  ticketIds: number[];
  users: Record<string, Awaited<ReturnType<typeof makeUser>>>;
}

// A small deterministic PRNG so a failure can be replayed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function generateDistrict(seed = 7, perUo = 18): Promise<Generated> {
  const rand = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const callCentre = await makeOrg("call_centre");
  const uos = [await makeOrg("management_company", `УО Север ${uid()}`), await makeOrg("management_company", `УО Юг ${uid()}`)];
  const contractor = await makeOrg("contractor", `ПО ${uid()}`);
  for (const u of uos) await OrganisationLink.create({ uoId: u.id, providerId: contractor.id });
  const users = {
    operator: await makeUser("operator", callCentre),
    uo0: await makeUser("uo", uos[0]!),
    uo1: await makeUser("uo", uos[1]!),
    contractor: await makeUser("contractor", contractor),
    agency: await makeUser("agency", await makeOrg("agency")),
    oversight: await makeUser("oversight", await makeOrg("oversight")),
  };
  const districts = [`Центральный ${uid()}`, `Заречный ${uid()}`];
  const buildings: Building[] = [];
  const apartments: Apartment[] = [];
  const residents: Resident[] = [];
  for (const [i, uo] of uos.entries()) {
    for (let k = 0; k < 2; k++) {
      const b = await Building.create({
        settlement: "г. Печора",
        cityDistrict: districts[(i + k) % 2]!,
        street: `ул. Генерируемая ${uid()}`,
        house: String(10 + k),
        uoId: uo.id,
        latitude: 65.1 + i * 0.01 + k * 0.002,
        longitude: 57.2 + k * 0.003,
      });
      buildings.push(b);
      for (let a = 1; a <= 3; a++) {
        const apt = await Apartment.create({ buildingId: b.id, number: `${700 + a * 7 + k}`, personalAccount: `ЛС${uid()}${a}`, ownerName: `Собственник ${uid()}`, floor: a, entrance: 1 });
        apartments.push(apt);
        residents.push(await makeResident(apt, `+7912${String(Math.floor(rand() * 1e7)).padStart(7, "0")}`));
      }
    }
  }
  const op = actorOf(users.operator);
  const po = actorOf(users.contractor);
  const leak = await category("tap_leak");
  const burst = await category("emergency_pipe_burst");
  const channels = ["phone", "telegram", "vk", "panel"] as const;
  const ticketIds: number[] = [];
  for (const [i, uo] of uos.entries()) {
    const uoActor = actorOf(i === 0 ? users.uo0 : users.uo1);
    for (let n = 0; n < perUo; n++) {
      const apt = pick(apartments.filter((a) => buildings.find((b) => b.id === a.buildingId)!.uoId === uo.id));
      const resident = residents[apartments.indexOf(apt)]!;
      const emergency = rand() < 0.25;
      const fate = pick(["confirmed", "confirmed", "confirmed", "no_answer", "unreachable", "disputed", "withdrawn", "open", "reported"] as const);
      const noPhone = fate === "unreachable";
      const publishable = rand() < 0.3;
      const t = await createTicket(op, {
        channel: pick([...channels]),
        categoryId: (emergency ? burst : leak).id,
        buildingId: apt.buildingId,
        apartmentId: apt.id,
        residentId: noPhone ? null : resident.id,
        contactName: resident.fullName,
        contactPhone: noPhone ? null : resident.phone,
        // Staff mark only descriptions free of personal data as publishable.
        description: publishable ? `Течь в подвале, описание ${n} для публикации` : `Описание ${n}: ${resident.fullName}, кв. ${apt.number}, тел. ${resident.phone}`,
      });
      ticketIds.push(t.id);
      if (publishable) await act(op, t.id, "set_publishable", { publishable: true });
      if (fate === "withdrawn") {
        await act(op, t.id, "withdraw", { reason: "Житель отозвал" });
        continue;
      }
      await act(uoActor, t.id, "assign", { executorOrgId: contractor.id });
      if (fate === "open" && rand() < 0.5) continue;
      await act(po, t.id, "accept");
      if (emergency && rand() < 0.8) await act(po, t.id, "dispatch_crew");
      if (fate === "open") continue;
      await doWork(po, uoActor, t);
      if (fate === "reported") continue;
      if (fate === "disputed") {
        await act(op, t.id, "dispute", { reason: "Не сделано" });
        await act(uoActor, t.id, "assign", { executorOrgId: contractor.id });
        await act(po, t.id, "accept");
        await doWork(po, uoActor, t);
      }
      if (fate === "no_answer") await act(system, t.id, "close_no_answer");
      else if (fate === "unreachable") await act(op, t.id, "close_unreachable");
      else if (rand() < 0.7) await act(residentActor(resident), t.id, "confirm", { rating: 1 + Math.floor(rand() * 5) });
      else await act(op, t.id, "confirm");
    }
  }
  await spread(ticketIds, rand);
  return { uos, contractor, buildings, residents, apartments, ticketIds, users };
}

async function doWork(po: Actor, uo: Actor, t: Ticket) {
  const wo = await addWorkOrder(po, t.id);
  await act(po, t.id, "report", { worksDone: "Работы выполнены", workOrderAttachmentId: wo.id });
  await act(uo, t.id, "verify");
}

/** Moves each ticket back by 0–50 days (all its timestamps together); stretches some to be late. */
async function spread(ids: number[], rand: () => number) {
  for (const id of ids) {
    const back = Math.floor(rand() * 50 * 24 * 60); // minutes
    const stretchHours = rand() < 0.3 ? 100 + Math.floor(rand() * 100) : Math.floor(rand() * 40); // work took this long
    const lateDispatch = rand() < 0.3 ? 45 : 10; // minutes to the crew's departure
    await sequelize().query(
      `UPDATE tickets SET
         created_at = created_at - make_interval(mins => :back) - make_interval(hours => :stretch),
         deadline_at = deadline_at - make_interval(mins => :back) - make_interval(hours => :stretch),
         dispatch_deadline_at = dispatch_deadline_at - make_interval(mins => :back) - make_interval(hours => :stretch),
         crew_dispatched_at = CASE WHEN crew_dispatched_at IS NULL THEN NULL
           ELSE created_at - make_interval(mins => :back) - make_interval(hours => :stretch) + make_interval(mins => :dispatch) END,
         reported_at = reported_at - make_interval(mins => :back),
         verified_at = verified_at - make_interval(mins => :back),
         closed_at = closed_at - make_interval(mins => :back)
       WHERE id = :id`,
      { replacements: { id, back, stretch: stretchHours, dispatch: lateDispatch }, type: QueryTypes.UPDATE },
    );
  }
}
