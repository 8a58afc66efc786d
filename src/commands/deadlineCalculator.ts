import { sequelize } from "../db/sequelize.ts";
import { config } from "../config.ts";
import type { Ctx } from "../context.ts";
import { loadCalendar } from "../deadlines/calendar.ts";
import { computeDeadlines, type Deadlines } from "../deadlines/compute.ts";
import type { Category } from "../models/Category.ts";

/** Deadlines of a ticket of `category` registered at `registeredAt`, on the district's calendar. */
export async function deadlinesFor(ctx: Ctx, category: Category, registeredAt: Date, emergency: boolean): Promise<Deadlines> {
  const cal = await loadCalendar(sequelize(), false, ctx.transaction);
  const cfg = config();
  return computeDeadlines(category, registeredAt, {
    calendar: cal,
    zone: cfg.district.timezone,
    emergency,
    dispatchMinutes: cfg.workflow.emergencyDispatchMinutes,
  });
}
