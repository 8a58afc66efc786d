// Authorization is declared with allow(ability, rule) and checked in one place: authorize().
import type { Actor } from "../context.ts";
import { errors } from "../errors.ts";

type Rule = (actor: Actor, subject: any) => boolean;
const rules = new Map<string, Rule>();

export function allow<S = unknown>(ability: string, rule: (actor: Actor, subject: S) => boolean): void {
  if (rules.has(ability)) throw new Error(`ability declared twice: ${ability}`);
  rules.set(ability, rule as Rule);
}

export function can(actor: Actor, ability: string, subject?: unknown): boolean {
  const rule = rules.get(ability);
  if (!rule) throw new Error(`no policy declared for ability: ${ability}`);
  return rule(actor, subject);
}

/** Throws 403 unless the actor may. */
export function authorize(actor: Actor, ability: string, subject?: unknown, message?: string): void {
  if (!can(actor, ability, subject)) throw errors.forbidden(message);
}

export const isStaff = (a: Actor): a is Extract<Actor, { kind: "user" }> => a.kind === "user";
export const hasRole = (a: Actor, ...roles: string[]) => roles.includes(a.role);
