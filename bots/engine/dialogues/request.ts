// A new request: address, category (grouped), description, files, emergency question,
// summary, then the ticket number, the responsible organisation and the deadline with its basis.
import { attachmentAdder } from "../../../src/commands/attachmentAdder.ts";
import { residentApartments } from "../../../src/commands/residentAddressFinder.ts";
import { ticketCreator } from "../../../src/commands/ticketCreator.ts";
import { config } from "../../../src/config.ts";
import { residentActor, runCommand } from "../../../src/context.ts";
import { Apartment, Building } from "../../../src/models/Building.ts";
import { Category } from "../../../src/models/Category.ts";
import { Organisation } from "../../../src/models/Organisation.ts";
import { formatPhone } from "../../../src/lib/phone.ts";
import { addressOf, localTime } from "../../../src/presenters/ticket.ts";
import { checkFile } from "../../../src/storage/files.ts";
import { L, T } from "../texts.ts";
import { opt, pageOf, Refusal, turnPage, type Step, type Turn } from "../turn.ts";
import type { FileRef } from "../types.ts";
import { cancelChoice, start } from "./registration.ts";

export const MIN_DESCRIPTION = 5;
const maxFiles = () => Math.min(5, config().uploads.maxFilesPerTicket);

/** /new and the menu button. */
export async function startRequest(turn: Turn): Promise<void> {
  if (!turn.resident) {
    turn.say(T.needRegistration);
    start(turn);
    return;
  }
  const apartments = await residentApartments(turn.ctx, turn.resident.id);
  if (!apartments.length) turn.goto("addr_method", { then: "request" }, true);
  else if (apartments.length === 1) turn.goto("req_group", { apartmentId: apartments[0]!.id, page: 0 }, true);
  else turn.goto("req_address", { page: 0 }, true);
}

async function activeCategories(turn: Turn): Promise<Category[]> {
  return Category.findAll({ where: { active: true }, order: [["sortOrder", "ASC"], ["id", "ASC"]], transaction: turn.ctx.transaction });
}
const groupsOf = (cats: Category[]) => [...new Set(cats.map((c) => c.groupName))];

async function apartmentAddress(turn: Turn, apartmentId: number): Promise<string> {
  const a = await Apartment.findByPk(apartmentId, { include: [{ model: Building, as: "building" }], transaction: turn.ctx.transaction });
  return a ? addressOf(a.building, a.number) : "";
}

export const reqAddress: Step = {
  async prompt(turn) {
    const apts = await residentApartments(turn.ctx, turn.resident!.id);
    return { text: T.reqAddress, choices: pageOf(apts, turn.state.d.page ?? 0, (a) => opt(addressOf(a.building, a.number), `a:${a.id}`), cancelChoice()) };
  },
  async handle(turn, input) {
    if (input.kind !== "choice") throw new Refusal(T.pressButton);
    if (turnPage(turn, input.value)) return;
    const id = Number(/^a:(\d+)$/.exec(input.value)?.[1]);
    const apts = await residentApartments(turn.ctx, turn.resident!.id);
    if (!apts.some((a) => a.id === id)) throw new Refusal(T.staleButton);
    turn.goto("req_group", { apartmentId: id, page: 0 });
  },
};

export const reqGroup: Step = {
  async prompt(turn) {
    const groups = groupsOf(await activeCategories(turn));
    return { text: T.reqGroup, choices: pageOf(groups.map((g, i) => ({ g, i })), turn.state.d.page ?? 0, ({ g, i }) => opt(g, `g:${i}`), cancelChoice()) };
  },
  async handle(turn, input) {
    if (input.kind !== "choice") throw new Refusal(T.pressButton);
    if (turnPage(turn, input.value)) return;
    const group = groupsOf(await activeCategories(turn))[Number(/^g:(\d+)$/.exec(input.value)?.[1] ?? -1)];
    if (!group) throw new Refusal(T.staleButton);
    turn.goto("req_category", { group, page: 0 });
  },
};

export const reqCategory: Step = {
  async prompt(turn) {
    const cats = (await activeCategories(turn)).filter((c) => c.groupName === turn.state.d.group);
    return { text: T.reqCategory(turn.state.d.group ?? ""), choices: pageOf(cats, turn.state.d.page ?? 0, (c) => opt(c.name, `c:${c.id}`), cancelChoice()) };
  },
  async handle(turn, input) {
    if (input.kind !== "choice") throw new Refusal(T.pressButton);
    if (turnPage(turn, input.value)) return;
    const id = Number(/^c:(\d+)$/.exec(input.value)?.[1]);
    const cat = (await activeCategories(turn)).find((c) => c.id === id && c.groupName === turn.state.d.group);
    if (!cat) throw new Refusal(T.staleButton);
    turn.goto("req_description", { categoryId: cat.id, emergency: cat.emergency || undefined });
  },
};

export const reqDescription: Step = {
  async prompt() {
    return { text: T.reqDescription, choices: [[cancelChoice()]] };
  },
  async handle(turn, input) {
    if (input.kind === "files") throw new Refusal("Сначала опишите проблему текстом, фото можно будет приложить следующим шагом.");
    if (input.kind !== "text") throw new Refusal(input.kind === "choice" ? T.unknownButton : T.onlyText);
    const text = input.text.trim();
    if (text.length < MIN_DESCRIPTION || !/\p{L}/u.test(text)) throw new Refusal(T.descriptionShort);
    turn.goto("req_files", { description: text, files: [] });
  },
};

/** Checks a file's size (declared, then real) and type (sniffed from the content). */
async function takeFile(turn: Turn, f: FileRef): Promise<FileRef> {
  const max = config().uploads.maxBytes;
  const tooBig = T.fileTooBig(Math.round(max / 1024 / 1024));
  if (f.size !== undefined && f.size > max) throw new Refusal(tooBig);
  const data = await turn.port.download(f, max);
  const sniffed = await checkFile(data); // AppError with a Russian message for a wrong type or size
  return { ...f, size: data.length, mime: sniffed.mime };
}

export const reqFiles: Step = {
  async prompt(turn) {
    const n = turn.state.d.files?.length ?? 0;
    return {
      text: n ? T.fileTaken(n, maxFiles()) : T.reqFiles(maxFiles()),
      choices: [[opt(n ? L.done : L.noFiles, "done")], [cancelChoice()]],
    };
  },
  async handle(turn, input) {
    if (input.kind === "choice") {
      if (input.value !== "done") throw new Refusal(T.unknownButton);
      turn.goto(turn.state.d.emergency ? "req_confirm" : "req_emergency");
      return;
    }
    if (input.kind !== "files") throw new Refusal("Отправьте фото или документ либо нажмите «Готово».");
    const files = [...(turn.state.d.files ?? [])];
    if (files.length + input.files.length > maxFiles()) throw new Refusal(T.tooManyFiles(maxFiles()));
    for (const f of input.files) files.push(await takeFile(turn, f));
    turn.goto("req_files", { files });
  },
};

export const reqEmergency: Step = {
  async prompt() {
    return { text: T.reqEmergency, choices: [[opt(L.yes, "yes"), opt(L.no, "no")], [cancelChoice()]] };
  },
  async handle(turn, input) {
    if (input.kind !== "choice") throw new Refusal(T.pressButton);
    if (input.value !== "yes" && input.value !== "no") throw new Refusal(T.unknownButton);
    turn.goto("req_confirm", { emergency: input.value === "yes" });
  },
};

export const reqConfirm: Step = {
  async prompt(turn) {
    const d = turn.state.d;
    const cat = await Category.findByPk(d.categoryId!, { transaction: turn.ctx.transaction });
    const lines = [
      T.reqConfirm,
      `Адрес: ${await apartmentAddress(turn, d.apartmentId!)}`,
      `Категория: ${cat?.groupName} — ${cat?.name}`,
      `Описание: ${d.description}`,
      `Файлы: ${d.files?.length ?? 0}`,
      `Аварийная: ${d.emergency ? "да" : "нет"}`,
    ];
    return { text: lines.join("\n"), choices: [[opt(L.send, "send")], [cancelChoice()]] };
  },
  async handle(turn, input) {
    if (input.kind !== "choice") throw new Refusal(T.pressButton);
    if (input.value !== "send") throw new Refusal(T.unknownButton);
    await submit(turn);
  },
};

async function submit(turn: Turn): Promise<void> {
  const d = turn.state.d;
  const resident = turn.resident!;
  const apts = await residentApartments(turn.ctx, resident.id);
  if (!apts.some((a) => a.id === d.apartmentId)) throw new Refusal(T.staleButton);
  const ticket = await runCommand(
    residentActor(resident),
    async (ctx) => {
      const t = await ticketCreator({
        ctx,
        input: { channel: turn.inc.channel, categoryId: d.categoryId!, description: d.description!, apartmentId: d.apartmentId!, emergency: !!d.emergency },
      });
      for (const f of d.files ?? []) {
        const data = await turn.port.download(f, config().uploads.maxBytes);
        await attachmentAdder({ ctx, ticketId: t.id, kind: f.mime === "application/pdf" ? "document" : "photo", originalName: f.name, data });
      }
      return t;
    },
    turn.ctx,
  );
  const uo = ticket.uoId ? await Organisation.findByPk(ticket.uoId, { transaction: turn.ctx.transaction }) : null;
  const lines = [T.created(ticket.number)];
  if (ticket.emergency) lines.push(`Заявка аварийная: аварийная бригада должна выехать в течение ${config().workflow.emergencyDispatchMinutes} минут.`);
  lines.push(
    uo
      ? `Ответственная организация: ${uo.shortName}${uo.dispatchPhone ? `, диспетчерская: ${formatPhone(uo.dispatchPhone)}` : ""}.`
      : "Заявка передана в Центр обработки заявок: он направит её в управляющую организацию.",
  );
  lines.push(`Срок выполнения: до ${localTime(ticket.deadlineAt)}.`, `Основание срока: ${ticket.deadlineBasis}.`);
  lines.push("О каждом изменении статуса мы сообщим здесь.");
  turn.say(lines.join("\n"));
  turn.home();
}
