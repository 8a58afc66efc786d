// The staff side of the bots: linking an account with a one-time code, then the staff menu,
// lists and ticket actions. Returns false for people who are not staff (the resident dialogue
// takes over).
import { LinkRefused, linkedStaff, staffLinker, staffUnlinker } from "../../../src/commands/staffLinks.ts";
import type { User } from "../../../src/models/User.ts";
import { Refusal, type Turn } from "../turn.ts";
import type { Choice } from "../types.ts";
import { listReply, openTickets } from "./cards.ts";
import { continueFlow, staffButton, type FlowInput } from "./flows.ts";
import { S, SL } from "./texts.ts";

const MENU: Choice[][] = [[{ label: SL.my, data: "sm:my" }, { label: SL.overdue, data: "sm:overdue" }], [{ label: SL.help, data: "sm:help" }]];

/** "/link 1234 5678" or a Telegram deep link "/start link_12345678"; null when not a link attempt. */
function linkCode(turn: Turn): string | null {
  const inc = turn.inc;
  if (inc.kind !== "command") return null;
  const args = (inc.text ?? "").replace(/^\/\S+\s*/, "").trim();
  if (inc.command === "link") return args;
  if (inc.command === "start" && args.startsWith("link_")) return args.slice(5);
  return null;
}

function menu(turn: Turn, user: User): void {
  turn.state = { ...turn.state, step: "idle", d: {}, staff: undefined, kb: MENU };
  turn.say(S.menu(user.fullName), { choices: MENU });
}

async function list(turn: Turn, user: User, overdue: boolean): Promise<void> {
  const { list, total } = await openTickets(turn.ctx, user, overdue);
  const r = listReply(list, total, overdue);
  turn.state = { ...turn.state, staff: undefined, kb: r.choices };
  turn.say(r.text, { choices: [...r.choices, ...MENU.slice(0, 1)] });
}

async function link(turn: Turn, code: string): Promise<void> {
  if (!code) throw new Refusal(S.linkHelp);
  try {
    const user = await staffLinker({ ctx: turn.ctx, channel: turn.inc.channel, externalId: turn.inc.userId, username: turn.inc.username, code });
    const org = (await user.reload({ include: [{ association: "organisation" }], transaction: turn.ctx.transaction })).organisation?.shortName ?? "";
    turn.say(S.linked(user.fullName, org), { removeKeyboard: true });
    menu(turn, user);
  } catch (err) {
    if (err instanceof LinkRefused) throw new Refusal(err.message);
    throw err;
  }
}

export async function staffDispatch(turn: Turn): Promise<boolean> {
  const inc = turn.inc;
  const code = linkCode(turn);
  if (code !== null) {
    await link(turn, code);
    return true;
  }
  const { user, disabled } = await linkedStaff(turn.ctx, inc.channel, inc.userId, turn.identity);
  if (disabled) throw new Refusal(S.disabled);
  if (!user) {
    if (inc.kind === "choice" && /^s[xm]?:/.test(inc.data ?? "")) throw new Refusal(S.notLinked);
    return false;
  }
  const flow = turn.state.staff;
  switch (inc.kind) {
    case "command":
      switch (inc.command) {
        case "start":
        case "menu":
          menu(turn, user);
          return true;
        case "my":
          await list(turn, user, false);
          return true;
        case "overdue":
          await list(turn, user, true);
          return true;
        case "unlink":
          await staffUnlinker({ ctx: turn.ctx, userId: user.id, channel: inc.channel });
          turn.state = { ...turn.state, staff: undefined, kb: undefined };
          turn.say(S.unlinked);
          return true;
        case "cancel":
          turn.state = { ...turn.state, staff: undefined, kb: MENU };
          turn.say(S.cancelled, { choices: MENU });
          return true;
        case "help":
          turn.say(S.help, { choices: MENU });
          return true;
        default:
          turn.say(S.unexpected, { choices: MENU });
          return true;
      }
    case "choice": {
      const data = inc.data ?? "";
      if (data.startsWith("s:")) await staffButton(turn, user, data);
      else if (data === "sm:my" || data === "sm:overdue") await list(turn, user, data === "sm:overdue");
      else if (data === "sm:help") turn.say(S.help, { choices: MENU });
      else if (data.startsWith("sx:") && flow) await continueFlow(turn, user, flow, { kind: "choice", value: data.slice(3) });
      else throw new Refusal(flow ? S.pressButton : S.unexpected);
      return true;
    }
    default: {
      const input: FlowInput =
        inc.kind === "text"
          ? { kind: "text", text: inc.text ?? "" }
          : inc.kind === "files"
            ? { kind: "files", files: inc.files ?? [] }
            : { kind: "other" };
      if (!flow) {
        turn.say(S.unexpected, { choices: MENU });
        return true;
      }
      if (input.kind === "text" && /^(отмена|отменить)$/i.test(input.text.replace(/[^\p{L}]/gu, ""))) {
        await continueFlow(turn, user, flow, { kind: "choice", value: "cancel" });
        return true;
      }
      await continueFlow(turn, user, flow, input);
      return true;
    }
  }
}
