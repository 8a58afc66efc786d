// Outages at the resident's addresses, current and planned, from the outage registry
// (src/commands/outageQueries.ts).
import { activeOutagesForBuildings } from "../../src/commands/outageQueries.ts";
import type { OutageView } from "../../src/presenters/outage.ts";

/** Planned outages are shown this far ahead. */
export const UPCOMING_HOURS = 14 * 24;

export async function outagesForBuildings(buildingIds: number[], now = new Date()): Promise<OutageView[]> {
  return activeOutagesForBuildings([...new Set(buildingIds)], { upcomingHours: UPCOMING_HOURS, now });
}

export function outageText(o: OutageView): string {
  const where = (o.buildings ?? []).map((b) => b.address).join("; ");
  const when = o.state === "active" ? `сейчас, ожидаемое окончание ${o.expectedEndAtLocal}` : `с ${o.startsAtLocal} до ${o.expectedEndAtLocal}`;
  const kind = o.kind === "emergency" ? "аварийное" : "плановое";
  return `• ${o.resourceLabel}: ${kind} отключение ${when}${where ? ` (${where})` : ""}. Причина: ${o.reason}. ${o.org.name ? `Организация: ${o.org.name}.` : ""}`.trim();
}
