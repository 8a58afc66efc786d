// Where a person can be reached: their messenger accounts (not blocked, with a registered
// sender), then e-mail. A delivery walks this list when a channel turns out to be dead.
import { Op } from "sequelize";
import { MessengerIdentity, Resident } from "../models/Resident.ts";
import { User } from "../models/User.ts";
import { emailSender, messenger, type ChannelName } from "./channels.ts";

export type Recipient = { residentId: number } | { userId: number } | { email: string };

export interface Route {
  channel: ChannelName;
  address: string;
}

export function recipientKey(r: Recipient): string {
  if ("residentId" in r) return `r${r.residentId}`;
  if ("userId" in r) return `u${r.userId}`;
  return `e:${r.email.toLowerCase()}`;
}

const ORDER: Record<string, number> = { telegram: 0, vk: 1 };

/** Reachable routes for a recipient, best first, skipping channels already tried. */
export async function routesFor(r: Recipient, opts: { emailOnly?: boolean; exclude?: string[] } = {}): Promise<Route[]> {
  const exclude = new Set(opts.exclude ?? []);
  const out: Route[] = [];
  if ("email" in r) {
    if (emailSender() && !exclude.has("email")) out.push({ channel: "email", address: r.email });
    return out;
  }
  if (!opts.emailOnly) {
    const where = "residentId" in r ? { residentId: r.residentId } : { userId: r.userId };
    const ids = await MessengerIdentity.findAll({ where: { ...where, blockedAt: { [Op.is]: null } }, order: [["updatedAt", "DESC"]] });
    ids.sort((a, b) => (ORDER[a.channel] ?? 9) - (ORDER[b.channel] ?? 9));
    for (const i of ids) {
      const ch = i.channel as "telegram" | "vk";
      if (messenger(ch) && !exclude.has(ch) && !out.some((o) => o.channel === ch)) out.push({ channel: ch, address: i.externalId });
    }
  }
  if (emailSender() && !exclude.has("email")) {
    const email = "residentId" in r ? (await Resident.findByPk(r.residentId))?.email : (await User.findByPk(r.userId))?.email;
    if (email) out.push({ channel: "email", address: email });
  }
  return out;
}
