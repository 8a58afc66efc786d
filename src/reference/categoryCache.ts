// Categories change a few times a year (an administrator edits a norm), yet every create reads
// one: they are held in memory. An edit through this instance clears them at once; another
// instance sees it within TTL_MS.
//
// Nobody ever waits for a connection of their own here: a command asks from inside its
// transaction, and with every pooled connection held by such commands a read on a second
// connection would wait for ever (it did: 100 bot turns at once on a pool of 20 stood still for
// the 30 s acquire timeout each time the copy expired). So an expired copy is served while a
// fresh one is read in the background, and a missing copy or category is read in the caller's
// own transaction.
import type { Transaction } from "sequelize";
import { logger } from "../logger.ts";
import { Category } from "../models/Category.ts";

const TTL_MS = 10_000;
let cached: { at: number; byId: Map<number, Category> } | undefined;
let refreshing = false;
let generation = 0;

const byIdOf = (all: Category[]) => new Map(all.map((c) => [c.id, c]));

function refreshInBackground(): void {
  if (refreshing) return;
  refreshing = true;
  const gen = generation;
  Category.findAll()
    .then((all) => {
      if (gen === generation) cached = { at: Date.now(), byId: byIdOf(all) };
    })
    .catch((err) => logger.warn({ err }, "categories not re-read; the held copy stays"))
    .finally(() => (refreshing = false));
}

export async function categoryById(id: number, transaction?: Transaction): Promise<Category | null> {
  if (cached) {
    if (Date.now() - cached.at > TTL_MS) refreshInBackground();
    const c = cached.byId.get(id);
    if (c) return c;
    // not in the copy: created since it was read, or no such category
    return Category.findByPk(id, { transaction });
  }
  const gen = generation;
  const all = await Category.findAll({ transaction });
  if (gen === generation) cached = { at: Date.now(), byId: byIdOf(all) };
  return all.find((c) => c.id === id) ?? null;
}

/** After an edit of a category. */
export function forgetCategories(): void {
  generation++;
  cached = undefined;
}
