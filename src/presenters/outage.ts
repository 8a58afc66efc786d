// What leaves the server about an outage. Outages hold no personal data; the registering user's
// name is shown to staff only.
import type { Actor } from "../context.ts";
import type { Building } from "../models/Building.ts";
import type { Outage } from "../models/Outage.ts";
import { OUTAGE_KIND_LABELS, RESOURCE_LABELS } from "../notifications/texts.ts";
import { addressOf, localTime } from "./ticket.ts";
import type { NormFlag } from "../commands/outageNorms.ts";

export type OutageState = "upcoming" | "active" | "restored" | "cancelled";

export function outageState(o: Pick<Outage, "startsAt" | "endedAt" | "cancelledAt">, now = new Date()): OutageState {
  if (o.cancelledAt) return "cancelled";
  if (o.endedAt) return "restored";
  return o.startsAt > now ? "upcoming" : "active";
}

const STATE_LABELS: Record<OutageState, string> = {
  upcoming: "Запланировано",
  active: "Действует",
  restored: "Восстановлено",
  cancelled: "Отменено",
};

export function presentOutage(
  o: Outage,
  actor: Actor,
  extra: { buildings?: Building[]; childrenCount?: number; flags?: NormFlag[] } = {},
) {
  const state = outageState(o);
  return {
    id: o.id,
    resource: o.resource,
    resourceLabel: RESOURCE_LABELS[o.resource],
    kind: o.kind,
    kindLabel: OUTAGE_KIND_LABELS[o.kind],
    state,
    stateLabel: STATE_LABELS[state],
    startsAt: o.startsAt.toISOString(),
    expectedEndAt: o.expectedEndAt.toISOString(),
    endedAt: o.endedAt?.toISOString() ?? null,
    startsAtLocal: localTime(o.startsAt),
    expectedEndAtLocal: localTime(o.expectedEndAt),
    endedAtLocal: localTime(o.endedAt),
    reason: o.reason,
    org: o.org ? { id: o.org.id, name: o.org.shortName, type: o.org.type } : { id: o.orgId },
    registeredByUserId: actor.kind === "user" ? o.registeredByUserId : undefined,
    version: o.version,
    buildings: extra.buildings?.map((b) => ({ id: b.id, address: addressOf(b) })),
    childrenCount: extra.childrenCount,
    normFlags: extra.flags,
  };
}
export type OutageView = ReturnType<typeof presentOutage>;
