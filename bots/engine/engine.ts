// The conversation engine: one turn per incoming update, in one transaction — dedupe the update,
// lock the chat's session, run the step, save the session — and only then send the replies.
// A refusal (bad input) rolls everything back and answers with a short Russian message.
import { AppError } from "../../src/errors.ts";
import { runCommand, systemActor } from "../../src/context.ts";
import { logger } from "../../src/logger.ts";
import { addAddress, idle, showOutages } from "./dialogues/menu.ts";
import { regConsent, regPhone, start } from "./dialogues/registration.ts";
import { addrAccount, addrApartment, addrHouse, addrMethod, addrStreet, addrStreetPick } from "./dialogues/address.ts";
import { reqAddress, reqCategory, reqConfirm, reqDescription, reqEmergency, reqFiles, reqGroup, startRequest } from "./dialogues/request.ts";
import { disputeComment, rateComment, showMyTickets, showTicket, ticketButton } from "./dialogues/tickets.ts";
import { claimAndLock, findIdentity, residentOf, saveSession } from "./store.ts";
import { staffDispatch } from "./staff/index.ts";
import { T } from "./texts.ts";
import { Refusal, Turn, type Input, type SessionState, type Step, type StepName } from "./turn.ts";
import type { Choice, Incoming, Port, Reply } from "./types.ts";

export const MAX_TEXT = 2000;

const STEPS: Record<StepName, Step> = {
  idle,
  reg_consent: regConsent,
  reg_phone: regPhone,
  addr_method: addrMethod,
  addr_account: addrAccount,
  addr_street: addrStreet,
  addr_street_pick: addrStreetPick,
  addr_house: addrHouse,
  addr_apartment: addrApartment,
  req_address: reqAddress,
  req_group: reqGroup,
  req_category: reqCategory,
  req_description: reqDescription,
  req_files: reqFiles,
  req_emergency: reqEmergency,
  req_confirm: reqConfirm,
  dispute_comment: disputeComment,
  rate_comment: rateComment,
};

const REGISTRATION_STEPS: StepName[] = ["idle", "reg_consent", "reg_phone"];

function cancel(turn: Turn): void {
  turn.say(T.cancelled, { removeKeyboard: !!turn.state.contact });
  turn.home();
}

async function command(turn: Turn, name: string): Promise<void> {
  switch (name) {
    case "start":
      return start(turn);
    case "new":
      return startRequest(turn);
    case "my":
      return showMyTickets(turn);
    case "cancel":
      return cancel(turn);
    case "menu":
      return turn.home();
    case "help":
      turn.say(T.help);
      turn.goto(turn.state.step);
      return;
    default:
      turn.say(T.unexpected);
      turn.goto(turn.state.step);
  }
}

async function menuItem(turn: Turn, item: string): Promise<void> {
  const map: Record<string, () => Promise<void> | void> = {
    new: () => startRequest(turn),
    my: () => showMyTickets(turn),
    out: () => showOutages(turn),
    addr: () => addAddress(turn),
    help: () => command(turn, "help"),
    menu: () => turn.home(),
  };
  const f = map[item];
  if (!f) throw new Refusal(T.unknownButton);
  await f();
}

async function dispatch(turn: Turn): Promise<void> {
  const inc = turn.inc;
  if (inc.chatId !== inc.userId || (inc.buttonChatId !== undefined && inc.buttonChatId !== inc.chatId)) throw new Refusal(T.foreignButton);
  if (inc.text !== undefined && inc.text.length > MAX_TEXT) throw new Refusal(T.tooLong(MAX_TEXT));
  if (inc.text !== undefined && inc.text.includes("\u0000")) throw new Refusal(T.badCharacters);
  // Staff (linked accounts, link codes, staff buttons) have a dialogue of their own.
  if (await staffDispatch(turn)) return;
  if (inc.kind === "command") return command(turn, inc.command ?? "");

  // A registered person's dialogue needs the registration; a lost one goes back to the start.
  if (!turn.resident && !REGISTRATION_STEPS.includes(turn.state.step)) turn.state = { ...turn.state, step: "idle", d: {} };
  const step = STEPS[turn.state.step] ?? idle;

  let input: Input;
  switch (inc.kind) {
    case "choice": {
      const data = inc.data ?? "";
      if (data.startsWith("m:")) return menuItem(turn, data.slice(2));
      if (data.startsWith("t:")) return ticketButton(turn, data);
      if (data.startsWith("v:") && /^v:\d{1,10}$/.test(data)) return showTicket(turn, Number(data.slice(2)));
      const m = /^d:(\d+):(.{1,50})$/.exec(data);
      if (!m) throw new Refusal(T.unknownButton);
      if (Number(m[1]) !== turn.state.n) throw new Refusal(T.staleButton);
      if (m[2] === "x") return cancel(turn);
      input = { kind: "choice", value: m[2]! };
      break;
    }
    case "text": {
      const text = (inc.text ?? "").trim();
      // Words typed or sent by a plain keyboard button ("✖ Отмена").
      const word = text.replace(/[^\p{L}\s]/gu, "").trim().toLowerCase();
      if ((word === "отмена" || word === "отменить") && turn.state.step !== "idle") return cancel(turn);
      if (word === "меню" || word === "главное меню") return turn.home();
      if (!text) throw new Refusal(T.onlyText);
      input = { kind: "text", text };
      break;
    }
    case "contact":
      input = { kind: "contact", phone: inc.contact?.phone ?? "", own: !!inc.contact?.own };
      break;
    case "files":
      if (turn.state.step === "idle" || turn.state.step.startsWith("reg_") || turn.state.step.startsWith("addr_")) throw new Refusal(T.noFilesHere);
      input = { kind: "files", files: inc.files ?? [] };
      break;
    default:
      if (turn.state.step === "idle") {
        turn.say(T.unexpected);
        turn.goto("idle");
        return;
      }
      throw new Refusal(T.onlyText);
  }
  await step.handle(turn, input);
}

/** Shows the prompt of the step the turn ended in; dialogue choices are bound to a fresh number. */
async function renderPrompt(turn: Turn): Promise<void> {
  if (!turn.render) return;
  const n = turn.state.n + 1;
  const p = await (STEPS[turn.state.step] ?? idle).prompt(turn);
  const bind = (c: Choice): Choice => (c.data.startsWith("@") ? { label: c.label, data: `d:${n}:${c.data.slice(1)}` } : c);
  const choices = p.choices?.map((row) => row.map(bind));
  turn.state = { ...turn.state, n, kb: choices, contact: p.requestContact || undefined };
  turn.say(p.text, { choices, requestContact: p.requestContact });
}

/** The message a person should read for an error, or null for an internal failure. */
function userMessage(err: unknown): string | null {
  if (err instanceof Refusal) return err.message;
  if (err instanceof AppError && err.status < 500) return err.message;
  return null;
}

/**
 * PostgreSQL cannot store the NUL character: a file name with it in the session (jsonb) failed
 * the turn with an internal error the messenger redelivered for ever, and a name was stored
 * with a stray "\0" escape. Names and file names lose it here; a message text with it is
 * refused in dispatch (a clear answer instead of a silently changed text).
 */
function withoutNul(inc: Incoming): Incoming {
  const strip = <T extends string | null | undefined>(s: T): T => (typeof s === "string" ? (s.replaceAll("\u0000", "") as T) : s);
  return { ...inc, username: strip(inc.username), displayName: strip(inc.displayName), files: inc.files?.map((f) => ({ ...f, name: strip(f.name) })) };
}

export interface TurnResult {
  duplicate: boolean;
  refused: boolean;
}

/**
 * Processes one update exactly once. Resolves after the transaction committed and the replies
 * were sent; rejects on an internal failure (nothing committed: the messenger may redeliver).
 */
export async function handleIncoming(inc: Incoming, port: Port): Promise<TurnResult> {
  inc = withoutNul(inc);
  let out: Reply[] = [];
  let ack: string | undefined;
  let snapshot: SessionState | undefined;
  let duplicate = false;
  let refused = false;
  try {
    await runCommand(systemActor(`бот ${inc.channel}`), async (ctx) => {
      const state = await claimAndLock(ctx, inc.channel, inc.updateKey, inc.chatId);
      if (!state) {
        duplicate = true;
        return;
      }
      snapshot = structuredClone(state);
      const identity = await findIdentity(ctx, inc.channel, inc.userId);
      const turn = new Turn(ctx, inc, port, residentOf(identity), state, identity);
      await dispatch(turn);
      await renderPrompt(turn);
      await saveSession(ctx, inc.channel, inc.chatId, turn.state);
      out = turn.out;
      ack = turn.ack;
    });
  } catch (err) {
    const message = userMessage(err);
    if (message === null) throw err;
    refused = true;
    logger.debug({ channel: inc.channel, chatId: inc.chatId, err: message }, "bot input refused");
    out = [{ text: message, choices: snapshot?.kb, requestContact: snapshot?.contact }];
    ack = message.length <= 200 ? message : undefined;
  }
  if (inc.kind === "choice") await port.ack?.(ack).catch((err) => logger.warn({ err, channel: inc.channel }, "bot ack failed"));
  if (duplicate) return { duplicate, refused };
  for (const r of out) {
    try {
      await port.send(r);
    } catch (err) {
      logger.warn({ err, channel: inc.channel, chatId: inc.chatId }, "bot reply failed");
      break;
    }
  }
  return { duplicate, refused };
}
