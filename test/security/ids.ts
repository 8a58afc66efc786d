// Real ids for every :param of the mounted routes, made once per test file.
import { createApiToken } from "../../src/auth/sessions.ts";
import { Category } from "../../src/models/Category.ts";
import { act, actorOf, addWorkOrder, createTicket, makeWorld, type World } from "../support/factories.ts";

export interface Seeded {
  w: World;
  ticketId: number;
  attachmentId: number;
  ids: Record<string, number | string>;
}

export async function seedWorld(): Promise<Seeded> {
  const w = await makeWorld();
  const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: w.resident.id });
  await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
  const a = await addWorkOrder(actorOf(w.users.contractor), t.id);
  const cat = await Category.findOne({ order: [["id", "ASC"]] });
  await createApiToken(w.users.admin, "security");
  return {
    w,
    ticketId: t.id,
    attachmentId: a.id,
    ids: {
      ticket: t.id,
      attachment: a.id,
      organisation: w.uo.id,
      user: w.users.uoStaff.id,
      category: cat!.id,
      building: w.building.id,
      resident: w.resident.id,
    },
  };
}

/** Which kind of row a route's :id names, from its path. */
export function idKind(path: string): string {
  const rules: Array<[RegExp, string]> = [
    [/\/tickets\/:id/, "ticket"],
    [/\/attachments\/:id/, "attachment"],
    [/\/organisations\/:id/, "organisation"],
    [/\/users\/:id/, "user"],
    [/\/categories\/:id/, "category"],
    [/\/buildings\/:id/, "building"],
    [/\/residents\/:id/, "resident"],
    [/\/outages\/:id/, "outage"],
  ];
  return rules.find(([re]) => re.test(path))?.[1] ?? "other";
}

export function fill(path: string, s: Seeded): string {
  const kind = idKind(path);
  return path.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    switch (name) {
      case "id":
        return String(s.ids[kind] ?? 999_999);
      case "action":
        return "assign";
      case "file":
        return "services.json";
      case "day":
        return "2026-12-31";
      case "version":
        return "1";
      case "token":
        return "no-such-invitation";
      default:
        return "1";
    }
  });
}
