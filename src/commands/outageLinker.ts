// Outage-aware intake: a new ticket about a resource that is under an active outage at its
// building becomes a child of that incident. The history records it, and the resident is told
// at once (through the outbox) that the outage is known, why, and when the resource is expected.
import { preparedQuery } from "../db/prepared.ts";
import type { Ctx } from "../context.ts";
import { Category } from "../models/Category.ts";
import { OutageTicket } from "../models/Outage.ts";
import type { Ticket } from "../models/Ticket.ts";
import { recordChange } from "../workflow/engine.ts";

/** The active outage covering this building and resource now, if any (oldest first). */
export async function activeOutageFor(ctx: Ctx | null, buildingId: number, resource: string, at = new Date()): Promise<number | null> {
  // prepared: it runs with every ticket created at a known address
  const rows = await preparedQuery<{ id: number }>(
    ctx?.transaction ?? null,
    "op_active_outage",
    `SELECT o.id FROM outages o JOIN outage_buildings ob ON ob.outage_id = o.id
      WHERE ob.building_id = $1 AND o.resource = $2 AND o.cancelled_at IS NULL AND o.ended_at IS NULL AND o.starts_at <= $3
      ORDER BY o.starts_at, o.id LIMIT 1`,
    [buildingId, resource, at],
  );
  return rows[0]?.id ?? null;
}

/** Links the ticket to an active outage when one matches; returns the outage id or null. */
export async function outageLinker({ ctx, ticket, category: known }: { ctx: Ctx; ticket: Ticket; category?: Category }): Promise<number | null> {
  if (!ticket.buildingId || ticket.status === "closed") return null;
  const category = known?.id === ticket.categoryId ? known : await Category.findByPk(ticket.categoryId, { transaction: ctx.transaction });
  if (!category?.resource) return null;
  const outageId = await activeOutageFor(ctx, ticket.buildingId, category.resource);
  if (!outageId) return null;
  await OutageTicket.create({ ticketId: ticket.id, outageId }, { transaction: ctx.transaction });
  const h = await recordChange(ctx, ticket, {
    action: "incident_linked",
    fromStatus: ticket.status,
    toStatus: ticket.status,
    changes: { outageId: { from: null, to: outageId } },
  });
  ticket.history?.push(h);
  return outageId;
}
