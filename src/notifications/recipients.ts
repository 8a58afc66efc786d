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

/**
 * Routes to a recipient, best first, skipping channels already tried. `available` says whether
 * this instance has the sender; with `all`, routes of other instances' channels are listed too.
 */
export async function routesFor(r: Recipient, opts: { emailOnly?: boolean; exclude?: string[]; all?: boolean } = {}): Promise<Array<Route & { available: boolean }>> {
  const exclude = new Set(opts.exclude ?? []);
  const out: Array<Route & { available: boolean }> = [];
  const add = (channel: ChannelName, address: string) => {
    const available = channel === "email" ? !!emailSender() : !!messenger(channel);
    if (!exclude.has(channel) && !out.some((o) => o.channel === channel) && (available || opts.all)) out.push({ channel, address, available });
  };
  if ("email" in r) {
    add("email", r.email);
    return out;
  }
  if (!opts.emailOnly) {
    const where = "residentId" in r ? { residentId: r.residentId } : { userId: r.userId };
    const ids = await MessengerIdentity.findAll({ where: { ...where, blockedAt: { [Op.is]: null } }, order: [["updatedAt", "DESC"]] });
    ids.sort((a, b) => (ORDER[a.channel] ?? 9) - (ORDER[b.channel] ?? 9));
    for (const i of ids) add(i.channel as "telegram" | "vk", i.externalId);
  }
  const email = "residentId" in r ? (await Resident.findByPk(r.residentId))?.email : (await User.findByPk(r.userId))?.email;
  if (email) add("email", email);
  return out;
}
