// The actor (who acts) and the command context (actor + transaction) every command takes.
import type { Transaction } from "sequelize";
import { sequelize } from "./db/sequelize.ts";
import type { OrgType, Organisation } from "./models/Organisation.ts";
import type { Resident } from "./models/Resident.ts";
import type { StaffRole, User } from "./models/User.ts";

export type ActorRole = StaffRole | "resident" | "system" | "public";

export type Actor =
  | { kind: "user"; role: StaffRole; user: User; orgId: number | null; orgType: OrgType | null; orgName: string | null }
  | { kind: "resident"; role: "resident"; resident: Resident }
  | { kind: "system"; role: "system"; label: string }
  | { kind: "public"; role: "public" };

export type UserActor = Extract<Actor, { kind: "user" }>;

export function userActor(user: User, org?: Organisation | null): UserActor {
  const o = org ?? user.organisation ?? null;
  return { kind: "user", role: user.role, user, orgId: user.organisationId, orgType: o?.type ?? null, orgName: o?.shortName ?? null };
}
export const residentActor = (resident: Resident): Actor => ({ kind: "resident", role: "resident", resident });
export const systemActor = (label: string): Actor => ({ kind: "system", role: "system", label });
export const publicActor: Actor = { kind: "public", role: "public" };

export function actorLabel(a: Actor): string {
  switch (a.kind) {
    case "user":
      return a.orgName ? `${a.user.fullName}, ${a.orgName}` : a.user.fullName;
    case "resident":
      return "Житель";
    case "system":
      return "Система";
    case "public":
      return "Гость";
  }
}

export interface Ctx {
  actor: Actor;
  transaction: Transaction;
  /** Undo work done outside the database (files written) if the transaction rolls back. */
  onRollback(fn: () => void | Promise<void>): void;
}

/** Runs `fn` as one command: one transaction, committed or rolled back as a whole. */
export async function runCommand<T>(actor: Actor, fn: (ctx: Ctx) => Promise<T>, existing?: Ctx): Promise<T> {
  if (existing) return fn({ ...existing, actor });
  const undo: Array<() => void | Promise<void>> = [];
  try {
    return await sequelize().transaction(async (transaction) => fn({ actor, transaction, onRollback: (f) => undo.push(f) }));
  } catch (err) {
    for (const f of undo.reverse()) await Promise.resolve(f()).catch(() => {});
    throw err;
  }
}
