// Demo tickets in every workflow state, made by driving the real commands as the people who
// would take each step, so every ticket's history is what the platform itself writes.
import { attachmentAdder } from "../commands/attachmentAdder.ts";
import { contactAttemptRecorder } from "../commands/contactAttemptRecorder.ts";
import { ticketActionTaker } from "../commands/ticketActionTaker.ts";
import { ticketCreator, type NewTicketInput } from "../commands/ticketCreator.ts";
import { residentActor, runCommand, userActor, type Actor, type Ctx } from "../context.ts";
import { Category } from "../models/Category.ts";
import type { ContactOutcome, Ticket } from "../models/Ticket.ts";
import type { ActionInput } from "../workflow/transitions.ts";
import { UNKNOWN_ADDRESS, type District } from "./district.ts";
import { workOrderPdf } from "./workOrderPdf.ts";

const DAY = 86_400_000;

/** Small verbs over the real commands, all inside the demo's one transaction. */
function driver(base: Ctx, d: District, cats: Map<string, Category>) {
  const cat = (code: string) => {
    const c = cats.get(code);
    if (!c) throw new Error(`demo: reference category ${code} is missing`);
    return c.id;
  };
  let ticket!: Ticket;
  const api = {
    staff: (login: string): Actor => {
      const u = d.users[login];
      if (!u) throw new Error(`demo: no user ${login}`);
      return userActor(u, u.organisation);
    },
    resident: (key: string): Actor => residentActor(d.residents[key]!),
    apt: (key: string) => {
      const a = d.apartments[key];
      if (!a) throw new Error(`demo: no apartment ${key}`);
      return { buildingId: a.buildingId, apartmentId: a.id };
    },
    org: (key: keyof District["orgs"]) => d.orgs[key].id,
    async create(actor: Actor, code: string, input: Omit<NewTicketInput, "categoryId">) {
      ticket = await runCommand(actor, (ctx) => ticketCreator({ ctx, input: { ...input, categoryId: cat(code) } }), base);
      return api;
    },
    async act(actor: Actor, action: string, input: ActionInput = {}) {
      ticket = await runCommand(actor, (ctx) => ticketActionTaker({ ctx, ticketId: ticket.id, action, input }), base);
      return api;
    },
    /** The executor attaches the work order and reports the work done. */
    async report(actor: Actor, worksDone: string) {
      const data = workOrderPdf(ticket.number, [worksDone.length > 80 ? `${worksDone.slice(0, 77)}...` : worksDone]);
      const att = await runCommand(
        actor,
        (ctx) => attachmentAdder({ ctx, ticketId: ticket.id, kind: "work_order", originalName: `zakaz-naryad-${ticket.number}.pdf`, data }),
        base,
      );
      return api.act(actor, "report", { worksDone, workOrderAttachmentId: att.id });
    },
    async call(outcome: ContactOutcome, note?: string) {
      await runCommand(api.staff("operator"), (ctx) => contactAttemptRecorder({ ctx, ticketId: ticket.id, outcome, note }), base);
      return api;
    },
    cat,
    get ticket() {
      return ticket;
    },
  };
  return api;
}

export async function createDemoTickets(base: Ctx, d: District): Promise<Ticket[]> {
  const cats = new Map((await Category.findAll({ transaction: base.transaction })).map((c) => [c.code, c]));
  const out: Ticket[] = [];
  const T = () => driver(base, d, cats);
  const op = T().staff("operator");
  const uo1 = T().staff("uo1");
  const master = T().staff("uo1-master");
  const uo2 = T().staff("uo2");
  const po = T().staff("contractor");
  const rso = T().staff("supplier");
  const agency = T().staff("agency");
  const done = async (p: Promise<ReturnType<typeof driver>>) => out.push((await p).ticket);
  const now = Date.now();

  // pending_confirmation: a resident's web form, waiting for the call centre to confirm it by phone.
  await done(T().create(T().resident("sidorova"), "lift", { channel: "web", ...T().apt("pr46/35"), description: "Второй день не работает лифт во втором подъезде, горит кнопка вызова, кабина не приходит." }));

  // awaiting_routing: the address is not in the directory, the operator must route it.
  await done(
    T().create(op, "stair_lighting", {
      channel: "phone",
      addressText: UNKNOWN_ADDRESS,
      contactName: "Жилин Константин Аркадьевич",
      contactPhone: "8 912 123-01-00",
      description: "Не горит свет на лестнице между 2 и 3 этажами, темно вечером.",
    }),
  );

  // awaiting_routing again: the УО rejected it as not its zone, back to the call centre.
  {
    const t = T();
    await t.create(op, "roof_drainage", { channel: "phone", ...t.apt("soc10/16"), residentId: d.residents.morozova!.id, description: "С водосточной трубы на углу дома течёт на тротуар, зимой наледь." });
    await done(t.act(uo2, "reject", { reason: "Водосточная труба на пристройке магазина: это не общее имущество дома, обращаться к собственнику магазина." }));
  }

  // routed: at ООО «Жилсервис», not yet assigned; the operator called the resident back.
  {
    const t = T();
    await t.create(op, "tap_leak", { channel: "phone", ...t.apt("pr42/12"), residentId: d.residents.guseva!.id, description: "Течёт смеситель на кухне, подтекает под мойку." });
    await done(t.call("answered", "Житель подтвердила, что ждёт мастера после 17:00."));
  }

  // routed after the resident disputed the completed work (reopened).
  {
    const t = T();
    await t.create(op, "entrance_door", { channel: "phone", ...t.apt("pr44/7"), residentId: d.residents.belov!.id, description: "Не закрывается входная дверь подъезда, сломан доводчик." });
    await t.act(uo1, "assign", { executorOrgId: t.org("contractor"), comment: "Заменить доводчик." });
    await t.act(po, "accept");
    await t.report(po, "Отрегулирован доводчик входной двери подъезда № 1.");
    await t.act(uo1, "verify");
    await done(t.act(t.resident("belov"), "dispute", { reason: "Дверь снова не закрывается, доводчик надо менять, а не регулировать." }));
  }

  // routed: a web ticket the operator confirmed by phone and routed by hand.
  {
    const t = T();
    await t.create(t.resident("komarov"), "cleaning", { channel: "web", ...t.apt("gag15/3"), description: "В подъезде не убирают уже неделю, на лестнице мусор." });
    await t.act(op, "confirm_intake");
    await done(t.act(op, "route"));
  }

  // assigned: the УО corrected the type (deadline recomputed) and assigned the contractor.
  {
    const t = T();
    await t.create(op, "other", { channel: "phone", ...t.apt("gag15/3"), residentId: d.residents.komarov!.id, description: "В подъезде на 2 этаже разбито стекло в окне, дует." });
    await t.act(uo1, "change_type", { categoryId: t.cat("broken_glass"), reason: "Это разбитое окно в подъезде: срок по норме — сутки." });
    await done(t.act(uo1, "assign", { executorOrgId: t.org("contractor") }));
  }

  // assigned after the РСО declined (not its zone) and the УО re-assigned to the contractor.
  {
    const t = T();
    await t.create(op, "no_hot_water", { channel: "phone", ...t.apt("soc8/41"), residentId: d.residents.nikitin!.id, description: "Нет горячей воды в квартире с утра, у соседей тоже." });
    await t.act(uo2, "assign", { executorOrgId: t.org("supplier") });
    await t.act(rso, "decline", { declineReason: "not_our_zone", reason: "Горячая вода в доме готовится в ИТП дома: это зона ответственности УО, на вводе параметры в норме." });
    await done(t.act(uo2, "assign", { executorOrgId: t.org("contractor"), comment: "Проверить бойлер в ИТП." }));
  }

  // accepted: done by the УО's own staff; the deadline was extended with a reason.
  {
    const t = T();
    await t.create(op, "roof_leak", { channel: "phone", ...t.apt("mir21/28"), residentId: d.residents.yakovleva!.id, description: "Протекает крыша над квартирой на 5 этаже, мокрое пятно на потолке." });
    await t.act(uo1, "assign", { executorOrgId: t.org("uo1"), executorUserId: d.users["uo1-master"]!.id });
    await t.act(master, "accept");
    await done(t.act(uo1, "extend", { deadlineAt: new Date(now + 7 * DAY), reason: "Кровля покрыта льдом; временная мера выполнена, ремонт после оттепели." }));
  }

  // crew_dispatched: an emergency, the РСО's crew is on its way.
  {
    const t = T();
    await t.create(op, "emergency_pipe_burst", { channel: "phone", ...t.apt("len3/30"), residentId: d.residents.zaitsev!.id, description: "Прорвало трубу отопления в подвале, в подъезде пар, вода на полу." });
    await t.act(uo2, "assign", { executorOrgId: t.org("supplier") });
    await t.act(rso, "accept");
    await done(t.act(rso, "dispatch_crew"));
  }

  // postponed: until a date, with the reason agreed with the resident.
  {
    const t = T();
    await t.create(op, "plaster", { channel: "phone", ...t.apt("len5/2"), residentId: d.residents.egorova!.id, description: "Отслаивается штукатурка на фасаде над входом в подъезд." });
    await t.act(uo2, "assign", { executorOrgId: t.org("contractor") });
    await done(t.act(uo2, "postpone", { until: new Date(now + 10 * DAY), reason: "Фасадные работы возможны при температуре выше +5 °C; перенос согласован с жителем, участок огорожен." }));
  }

  // reported: the contractor attached the work order and reported the work.
  {
    const t = T();
    await t.create(op, "stair_lighting", { channel: "phone", ...t.apt("pr46/35"), residentId: d.residents.sidorova!.id, description: "Не горит свет на площадке 7 этажа." });
    await t.act(uo1, "assign", { executorOrgId: t.org("contractor") });
    await t.act(po, "accept");
    await done(t.report(po, "Заменены светодиодные светильники на площадках 7 и 8 этажей."));
  }

  // reported after the УО returned the first report as not done.
  {
    const t = T();
    await t.create(op, "switchboard", { channel: "phone", ...t.apt("gag17/10"), contactName: "Комарова Ольга", contactPhone: "+79121230010", description: "В этажном щите искрит автомат, пахнет гарью." });
    await t.act(uo1, "assign", { executorOrgId: t.org("contractor") });
    await t.act(po, "accept");
    await t.report(po, "Заменён автоматический выключатель в этажном щите.");
    await t.act(uo1, "return_work", { reason: "Щит оставлен без крышки — установите крышку и замок." });
    await done(t.report(po, "Установлены крышка этажного щита и замок."));
  }

  // verified: emergency blockage cleared, waiting for the resident's confirmation.
  {
    const t = T();
    await t.create(op, "sewer_blockage", { channel: "phone", ...t.apt("pr42/12"), residentId: d.residents.guseva!.id, description: "Засор канализации, вода поднимается в ванне на 1 этаже." });
    await t.act(uo1, "assign", { executorOrgId: t.org("contractor") });
    await t.act(po, "dispatch_crew");
    await t.report(po, "Прочищен канализационный стояк, засор (строительный мусор) удалён.");
    await done(t.act(uo1, "verify"));
  }

  // closed: the resident confirmed and rated; the agency allowed publishing the description.
  {
    const t = T();
    await t.create(op, "refuse_chute_blockage", { channel: "phone", ...t.apt("soc10/16"), residentId: d.residents.morozova!.id, description: "Засор мусоропровода, мусор на площадке 3 этажа." });
    await t.act(uo2, "assign", { executorOrgId: t.org("contractor") });
    await t.act(po, "accept");
    await t.report(po, "Прочищен ствол мусоропровода, площадка убрана.");
    await t.act(uo2, "verify");
    await t.act(t.resident("morozova"), "confirm", { rating: 4, comment: "Сделали быстро, но площадку можно было вымыть." });
    await done(t.act(agency, "set_publishable", { publishable: true }));
  }

  // closed: confirmed by the operator with the resident's agreement, rated later by the resident.
  {
    const t = T();
    await t.create(op, "lift", { channel: "phone", ...t.apt("len3/30"), residentId: d.residents.zaitsev!.id, description: "Лифт застревает между 5 и 6 этажами." });
    await t.act(uo2, "assign", { executorOrgId: t.org("contractor") });
    await t.act(po, "accept");
    await t.report(po, "Отрегулированы двери шахты на 5 и 6 этажах, лифт проверен.");
    await t.act(uo2, "verify");
    await t.call("answered", "Житель подтвердил, что лифт работает.");
    await t.act(op, "confirm");
    await done(t.act(t.resident("zaitsev"), "rate", { rating: 5 }));
  }

  // closed: the resident did not answer more than three call-backs.
  {
    const t = T();
    await t.create(op, "entrance_door", { channel: "phone", ...t.apt("len5/2"), residentId: d.residents.egorova!.id, description: "Сломан кодовый замок входной двери." });
    await t.act(uo2, "assign", { executorOrgId: t.org("contractor") });
    await t.act(po, "accept");
    await t.report(po, "Заменён кодовый замок входной двери.");
    await t.act(uo2, "verify");
    for (const note of ["9:30", "12:10", "15:45", "18:20"]) await t.call("no_answer", `Звонок в ${note}, не ответила.`);
    await done(t.act(op, "close_unreachable"));
  }

  // closed: the call centre declined to register a request that is not a housing fault.
  {
    const t = T();
    await t.create(t.resident("belov"), "other", { channel: "web", ...t.apt("pr44/7"), description: "Прошу пересчитать плату за отопление за ноябрь." });
    await done(t.act(op, "decline_intake", { reason: "Перерасчёт платы делает расчётный центр; житель проинформирован по телефону, дан номер расчётного центра." }));
  }

  // closed: withdrawn (the resident has no phone; came in person, then withdrew by the operator).
  {
    const t = T();
    await t.create(op, "other", { channel: "phone", ...t.apt("str4/5"), residentId: d.residents.orlov!.id, description: "Не работает домофон в квартире." });
    await done(t.act(op, "withdraw", { reason: "Житель сообщил, что домофон заработал после замены трубки." }));
  }
  return out;
}
