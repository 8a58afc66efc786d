// Categories change a few times a year (an administrator edits a norm), yet every create reads
// one: they are held in memory for a few seconds. An edit through this instance clears them at
// once; another instance sees it within TTL_MS.
import { Category } from "../models/Category.ts";

const TTL_MS = 10_000;
let cached: { until: number; byId: Promise<Map<number, Category>> } | undefined;

export async function categoryById(id: number): Promise<Category | null> {
  if (!cached || cached.until < Date.now()) {
    const byId = Category.findAll().then((all) => new Map(all.map((c) => [c.id, c])));
    cached = { until: Date.now() + TTL_MS, byId };
    byId.catch(() => {
      if (cached?.byId === byId) cached = undefined;
    });
  }
  return (await cached.byId).get(id) ?? null;
}

/** After an edit of a category. */
export function forgetCategories(): void {
  cached = undefined;
}
