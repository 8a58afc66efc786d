// The menu (the idle step), help, addresses and outages.
import { residentApartments } from "../../../src/commands/residentAddressFinder.ts";
import { addressOf } from "../../../src/presenters/ticket.ts";
import { outagesForBuildings, outageText } from "../outages.ts";
import { L, T } from "../texts.ts";
import { Refusal, type Step, type Turn } from "../turn.ts";
import type { Choice } from "../types.ts";
import { start } from "./registration.ts";

export const menuChoices = (): Choice[][] => [
  [{ label: L.newRequest, data: "m:new" }],
  [{ label: L.myRequests, data: "m:my" }],
  [{ label: L.outages, data: "m:out" }],
  [{ label: L.addAddress, data: "m:addr" }, { label: L.help, data: "m:help" }],
];

export const idle: Step = {
  async prompt(turn) {
    if (!turn.resident) return { text: "Чтобы начать, отправьте /start." };
    return { text: T.menu, choices: menuChoices() };
  },
  async handle(turn, input) {
    if (input.kind === "files") throw new Refusal(T.noFilesHere);
    // Anything unexpected: say what the bot can do.
    turn.say(T.unexpected);
    turn.goto("idle");
  },
};

export async function showOutages(turn: Turn): Promise<void> {
  if (!turn.resident) {
    turn.say(T.needRegistration);
    start(turn);
    return;
  }
  const apts = await residentApartments(turn.ctx, turn.resident.id);
  const back = [[{ label: L.menu, data: "m:menu" }]];
  if (!apts.length) {
    turn.say(T.addresses([]));
    turn.goto("addr_method", {}, true);
    return;
  }
  const list = await outagesForBuildings(apts.map((a) => a.buildingId));
  if (!list.length) turn.say(T.outagesNone, { choices: back });
  else turn.say([T.outagesTitle, ...list.map((o) => outageText(o))].join("\n"), { choices: back });
}

export async function addAddress(turn: Turn): Promise<void> {
  if (!turn.resident) {
    turn.say(T.needRegistration);
    start(turn);
    return;
  }
  const apts = await residentApartments(turn.ctx, turn.resident.id);
  turn.say(T.addresses(apts.map((a) => addressOf(a.building, a.number))));
  turn.goto("addr_method", {}, true);
}
