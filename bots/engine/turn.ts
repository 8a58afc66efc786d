// One turn of a conversation: the incoming update, the session state being changed, the
// replies collected (sent only after the transaction commits).
import type { Ctx } from "../../src/context.ts";
import type { MessengerIdentity, Resident } from "../../src/models/Resident.ts";
import type { Choice, FileRef, Incoming, Port, Reply } from "./types.ts";
import type { StaffFlow } from "./staff/flows.ts";

export type StepName =
  | "idle"
  | "reg_consent"
  | "reg_phone"
  | "addr_method"
  | "addr_account"
  | "addr_street"
  | "addr_street_pick"
  | "addr_house"
  | "addr_apartment"
  | "req_address"
  | "req_group"
  | "req_category"
  | "req_description"
  | "req_files"
  | "req_emergency"
  | "req_confirm"
  | "dispute_comment"
  | "rate_comment";

/** Data collected by the current dialogue; cleared when it ends. */
export interface Draft {
  consentAt?: string;
  then?: "request";
  query?: string;
  settlement?: string;
  street?: string;
  page?: number;
  buildingId?: number;
  apartmentId?: number;
  group?: string;
  categoryId?: number;
  description?: string;
  files?: FileRef[];
  emergency?: boolean;
  ticketId?: number;
  rating?: number;
}

export interface SessionState {
  step: StepName;
  /** Incremented on every prompt; dialogue buttons carry it, so an old button is recognised as stale. */
  n: number;
  d: Draft;
  /** The keyboard last shown (to show again with a refusal). */
  kb?: Choice[][];
  contact?: boolean;
  /** A staff member's action flow in progress (bots/engine/staff). */
  staff?: StaffFlow;
}

export const initialState = (): SessionState => ({ step: "idle", n: 0, d: {} });

/** A short, clear answer to bad input: the dialogue stays where it was, nothing is written. */
export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Refusal";
  }
}

/** What a step receives. */
export type Input =
  | { kind: "text"; text: string }
  | { kind: "choice"; value: string }
  | { kind: "contact"; phone: string; own: boolean }
  | { kind: "files"; files: FileRef[] };

/** A prompt: choices whose data starts with "@" are dialogue choices (bound to the prompt). */
export interface Prompt {
  text: string;
  choices?: Choice[][];
  requestContact?: boolean;
}

export interface Step {
  prompt(turn: Turn): Promise<Prompt>;
  handle(turn: Turn, input: Input): Promise<void>;
}

export class Turn {
  out: Reply[] = [];
  ack?: string;
  /** Set by goto(): the engine shows the prompt of the step the turn ends in. */
  render = false;

  constructor(
    public readonly ctx: Ctx,
    public readonly inc: Incoming,
    public readonly port: Port,
    public resident: Resident | null,
    public state: SessionState,
    /** The messenger account as read at the start of the turn (null: never seen). */
    public readonly identity: MessengerIdentity | null = null,
  ) {}

  say(text: string, extra: Omit<Reply, "text"> = {}): void {
    this.out.push({ text, ...extra });
  }

  /** Moves to a step (merging draft data) and shows its prompt at the end of the turn. */
  goto(step: StepName, patch: Partial<Draft> = {}, fresh = false): void {
    this.state = { ...this.state, step, d: fresh ? { ...patch } : { ...this.state.d, ...patch } };
    this.render = true;
  }

  /** Ends the dialogue: back to the menu. */
  home(): void {
    this.goto("idle", {}, true);
  }
}

/** A dialogue choice bound to the prompt it is shown with. */
export const opt = (label: string, value: string): Choice => ({ label, data: `@${value}` });

export const PAGE = 5;

/** One page of a long list as rows of choices, then one row with paging and cancel (≤ 6 rows for VK). */
export function pageOf<T>(items: T[], page: number, toChoice: (item: T) => Choice, cancel: Choice): Choice[][] {
  const pages = Math.max(1, Math.ceil(items.length / PAGE));
  const p = Math.min(Math.max(0, page), pages - 1);
  const rows = items.slice(p * PAGE, p * PAGE + PAGE).map((i) => [toChoice(i)]);
  const nav: Choice[] = [];
  if (p > 0) nav.push(opt("◀ Назад", "p:prev"));
  if (p < pages - 1) nav.push(opt("Ещё ▶", "p:next"));
  rows.push([...nav, cancel]);
  return rows;
}

/** Handles "p:prev"/"p:next"; true when the value was a paging choice. */
export function turnPage(turn: Turn, value: string): boolean {
  if (value !== "p:prev" && value !== "p:next") return false;
  const page = (turn.state.d.page ?? 0) + (value === "p:next" ? 1 : -1);
  turn.goto(turn.state.step, { page: Math.max(0, page) });
  return true;
}
