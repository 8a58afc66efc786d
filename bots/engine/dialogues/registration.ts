// Registration: consent to personal-data processing, then the phone number.
import { residentRegistrar } from "../../../src/commands/residentRegistrar.ts";
import { residentApartments } from "../../../src/commands/residentAddressFinder.ts";
import { personalDataConsentRecorder } from "../../../src/commands/personalDataConsentRecorder.ts";
import { sequelize } from "../../../src/db/sequelize.ts";
import { normalizePhone } from "../../../src/lib/phone.ts";
import { addressOf } from "../../../src/presenters/ticket.ts";
import { CONSENT_VERSION, L, T } from "../texts.ts";
import { opt, Refusal, type Input, type Step, type Turn } from "../turn.ts";

export const cancelChoice = () => opt(L.cancel, "x");

/** /start: registration for newcomers, the menu for the registered. */
export function start(turn: Turn): void {
  if (turn.resident) {
    turn.say(T.alreadyRegistered);
    turn.home();
    return;
  }
  turn.say(T.welcome);
  turn.goto("reg_consent", {}, true);
}

export const regConsent: Step = {
  async prompt() {
    return { text: T.consent, choices: [[opt(L.agree, "yes"), opt(L.disagree, "no")]] };
  },
  async handle(turn, input) {
    if (input.kind !== "choice") throw new Refusal(T.pressButton);
    if (input.value === "no") {
      turn.say(T.consentDeclined);
      turn.state = { ...turn.state, step: "idle", d: {} };
      return;
    }
    if (input.value !== "yes") throw new Refusal(T.unknownButton);
    turn.goto("reg_phone", { consentAt: new Date().toISOString() });
  },
};

function phoneFrom(turn: Turn, input: Input): string {
  if (input.kind === "contact") {
    if (!input.own) throw new Refusal(T.phoneNotOwn);
    const p = normalizePhone(input.phone);
    if (!p) throw new Refusal(T.phoneBad);
    return p;
  }
  if (input.kind === "text") {
    const p = normalizePhone(input.text);
    if (!p || input.text.replace(/\D/g, "").length > 15) throw new Refusal(T.phoneBad);
    return p;
  }
  throw new Refusal(turn.port.contactButton ? T.askPhoneButton : T.askPhoneTyped);
}

export const regPhone: Step = {
  async prompt(turn) {
    return turn.port.contactButton
      ? { text: T.askPhoneButton, requestContact: true, choices: [[cancelChoice()]] }
      : { text: T.askPhoneTyped, choices: [[cancelChoice()]] };
  },
  async handle(turn, input) {
    const phone = phoneFrom(turn, input);
    const consentAt = turn.state.d.consentAt ? new Date(turn.state.d.consentAt) : null;
    if (!consentAt) {
      turn.goto("reg_consent", {}, true);
      return;
    }
    const { resident, matched } = await residentRegistrar({
      ctx: turn.ctx,
      input: {
        channel: turn.inc.channel,
        externalId: turn.inc.userId,
        username: turn.inc.username ?? null,
        fullName: turn.inc.displayName ?? null,
        phone,
        consentAt,
        consentVersion: CONSENT_VERSION,
      },
    });
    // The consent log (which text, when, through which channel) of the personal-data registry.
    await sequelize().query("INSERT INTO consent_texts (version, text) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING", {
      bind: [CONSENT_VERSION, T.consent],
      transaction: turn.ctx.transaction,
    });
    await personalDataConsentRecorder({ ctx: turn.ctx, residentId: resident.id, version: CONSENT_VERSION, channel: turn.inc.channel });
    turn.resident = resident;
    turn.say(T.phoneSaved, { removeKeyboard: turn.port.contactButton });
    const apartments = await residentApartments(turn.ctx, resident.id);
    if (matched) turn.say(T.matched);
    if (apartments.length) {
      turn.say(T.addresses(apartments.map((a) => addressOf(a.building, a.number))));
      turn.home();
    } else turn.goto("addr_method", {}, true);
  },
};
