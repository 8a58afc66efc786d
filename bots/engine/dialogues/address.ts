// Binding an apartment: by personal account, or street → house → apartment with text search.
import { residentApartmentBinder } from "../../../src/commands/residentApartmentBinder.ts";
import { findStreets, housesOf } from "../../../src/commands/residentAddressFinder.ts";
import { runCommand, residentActor } from "../../../src/context.ts";
import { Building } from "../../../src/models/Building.ts";
import { addressOf } from "../../../src/presenters/ticket.ts";
import { L, T } from "../texts.ts";
import { opt, pageOf, Refusal, turnPage, type Step, type Turn } from "../turn.ts";
import { cancelChoice } from "./registration.ts";

const houseLabel = (b: Building) => `д. ${b.house}${b.buildingPart ? `, корп. ${b.buildingPart}` : ""}`;

/** After an address is added: continue the request that needed it, or back to the menu. */
async function bound(turn: Turn, apartmentId: number, address: string): Promise<void> {
  turn.say(T.addrAdded(address));
  if (turn.state.d.then === "request") turn.goto("req_group", { apartmentId, page: 0 }, true);
  else turn.home();
}

async function bind(turn: Turn, ref: Parameters<typeof residentApartmentBinder>[0]["ref"]): Promise<void> {
  const resident = turn.resident!;
  const apt = await runCommand(residentActor(resident), (ctx) => residentApartmentBinder({ ctx, resident, ref }), turn.ctx);
  const b = apt.building ?? (await Building.findByPk(apt.buildingId, { transaction: turn.ctx.transaction }));
  await bound(turn, apt.id, addressOf(b, apt.number));
}

const textOnly = (input: { kind: string }) => {
  if (input.kind !== "text") throw new Refusal(input.kind === "choice" ? T.unknownButton : T.onlyText);
};

export const addrMethod: Step = {
  async prompt() {
    return { text: T.addrMethod, choices: [[opt(L.byAccount, "acc")], [opt(L.byAddress, "street")], [cancelChoice()]] };
  },
  async handle(turn, input) {
    if (input.kind !== "choice") throw new Refusal(T.pressButton);
    if (input.value === "acc") turn.goto("addr_account");
    else if (input.value === "street") turn.goto("addr_street");
    else throw new Refusal(T.unknownButton);
  },
};

export const addrAccount: Step = {
  async prompt() {
    return { text: T.addrAskAccount, choices: [[cancelChoice()]] };
  },
  async handle(turn, input) {
    textOnly(input);
    if (input.kind !== "text") return;
    await bind(turn, { personalAccount: input.text });
  },
};

export const addrStreet: Step = {
  async prompt() {
    return { text: T.addrAskStreet, choices: [[cancelChoice()]] };
  },
  async handle(turn, input) {
    textOnly(input);
    if (input.kind !== "text") return;
    const q = input.text.trim();
    if (q.length < 2) throw new Refusal(T.addrQueryShort);
    const streets = await findStreets(turn.ctx, q);
    if (!streets.length) throw new Refusal(T.addrStreetNotFound);
    if (streets.length === 1) turn.goto("addr_house", { settlement: streets[0]!.settlement, street: streets[0]!.street, page: 0 });
    else turn.goto("addr_street_pick", { query: q, page: 0 });
  },
};

export const addrStreetPick: Step = {
  async prompt(turn) {
    const streets = await findStreets(turn.ctx, turn.state.d.query ?? "");
    return {
      text: T.addrPickStreet,
      choices: pageOf(streets.map((s, i) => ({ s, i })), turn.state.d.page ?? 0, ({ s, i }) => opt(`${s.street} (${s.settlement})`, `s:${i}`), cancelChoice()),
    };
  },
  async handle(turn, input) {
    if (input.kind === "text") return addrStreet.handle(turn, input); // a new search
    if (input.kind !== "choice") throw new Refusal(T.pressButton);
    if (turnPage(turn, input.value)) return;
    const m = /^s:(\d+)$/.exec(input.value);
    const hit = m ? (await findStreets(turn.ctx, turn.state.d.query ?? ""))[Number(m[1])] : undefined;
    if (!hit) throw new Refusal(T.staleButton);
    turn.goto("addr_house", { settlement: hit.settlement, street: hit.street, page: 0 });
  },
};

export const addrHouse: Step = {
  async prompt(turn) {
    const d = turn.state.d;
    const houses = await housesOf(turn.ctx, { settlement: d.settlement!, street: d.street! });
    return { text: T.addrPickHouse(d.street!), choices: pageOf(houses, d.page ?? 0, (b) => opt(houseLabel(b), `b:${b.id}`), cancelChoice()) };
  },
  async handle(turn, input) {
    const d = turn.state.d;
    const houses = await housesOf(turn.ctx, { settlement: d.settlement!, street: d.street! });
    let building: Building | undefined;
    if (input.kind === "text") {
      // Typing the house number works too ("5", "д. 5", "5к1").
      const n = input.text.toLowerCase().replace(/^д\.?\s*/, "").replace(/\s+/g, "");
      building = houses.find((b) => (b.house + (b.buildingPart ? `к${b.buildingPart}` : "")).toLowerCase().replace(/\s+/g, "") === n);
      if (!building) throw new Refusal(`Дома «${input.text.slice(0, 20)}» на этой улице нет в справочнике района. Выберите дом кнопкой.`);
    } else if (input.kind === "choice") {
      if (turnPage(turn, input.value)) return;
      const m = /^b:(\d+)$/.exec(input.value);
      building = m ? houses.find((b) => b.id === Number(m[1])) : undefined;
      if (!building) throw new Refusal(T.staleButton);
    } else throw new Refusal(T.onlyText);
    turn.goto("addr_apartment", { buildingId: building.id });
  },
};

export const addrApartment: Step = {
  async prompt(turn) {
    const b = await Building.findByPk(turn.state.d.buildingId!, { transaction: turn.ctx.transaction });
    return { text: T.addrAskApartment(addressOf(b)), choices: [[cancelChoice()]] };
  },
  async handle(turn, input) {
    textOnly(input);
    if (input.kind !== "text") return;
    const number = input.text.trim();
    if (!number || number.length > 10) throw new Refusal("Напишите только номер квартиры, например 12.");
    await bind(turn, { buildingId: turn.state.d.buildingId!, number });
  },
};
