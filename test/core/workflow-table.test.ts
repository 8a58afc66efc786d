// The transition table itself: reachability, intended dead ends, and that every role can take
// exactly its actions (and only on tickets it relates to).
import { describe, expect, it } from "vitest";
import "../../src/policies/all.ts";
import { TICKET_STATUSES, type TicketStatus } from "../../src/workflow/states.ts";
import { INITIAL_STATUSES, TICKET_ACTIONS, TRANSITIONS, targetsOf, transitionDef } from "../../src/workflow/transitions.ts";
import { canAct } from "../../src/policies/ticket.ts";
import type { Actor } from "../../src/context.ts";
import type { StaffRole } from "../../src/models/User.ts";

describe("transition table", () => {
  it("reaches every state from the initial ones", () => {
    const seen = new Set<TicketStatus>(INITIAL_STATUSES);
    let grew = true;
    while (grew) {
      grew = false;
      for (const a of TICKET_ACTIONS) {
        const def = transitionDef(a)!;
        if (!def.from.some((s) => seen.has(s))) continue;
        for (const t of targetsOf(def))
          if (!seen.has(t)) {
            seen.add(t);
            grew = true;
          }
      }
    }
    expect([...seen].sort()).toEqual([...TICKET_STATUSES].sort());
  });

  it("has exactly one dead end, 'closed', and it only allows rating and publishing", () => {
    const leaving = (s: TicketStatus) => TICKET_ACTIONS.filter((a) => transitionDef(a)!.from.includes(s) && targetsOf(transitionDef(a)!, s).some((t) => t !== s));
    const deadEnds = TICKET_STATUSES.filter((s) => leaving(s).length === 0);
    expect(deadEnds).toEqual(["closed"]);
    expect(TICKET_ACTIONS.filter((a) => transitionDef(a)!.from.includes("closed")).sort()).toEqual(["rate", "set_publishable"]);
  });

  it("every action names its roles, at least one start state, and Russian label", () => {
    for (const a of TICKET_ACTIONS) {
      const d = transitionDef(a)!;
      expect(d.roles.length, a).toBeGreaterThan(0);
      expect(d.from.length, a).toBeGreaterThan(0);
      expect(d.label, a).toMatch(/[а-яё]/i);
    }
  });

  it("reasons are required where the regulation asks for a justification", () => {
    for (const a of ["postpone", "extend", "reject", "decline", "return_work", "dispute", "decline_intake", "reassign", "change_type"] as const)
      expect(TRANSITIONS[a].requires, a).toContain("reason");
    expect(TRANSITIONS.report.requires).toEqual(expect.arrayContaining(["worksDone", "workOrderAttachmentId"]));
    expect(TRANSITIONS.postpone.requires).toContain("until");
    expect(TRANSITIONS.decline.requires).toContain("declineReason");
  });
});

// Role matrix: each role, related to the ticket the way its role can be, may take exactly the actions
// the table lists for it.
const ORG = { call_centre: 1, uo: 2, contractor: 3, supplier: 4, agency: 5, oversight: 6, otherUo: 7 };
function staff(role: StaffRole, orgId: number | null, orgType: string | null): Actor {
  return { kind: "user", role, user: { id: 100 + (orgId ?? 0), active: true } as never, orgId, orgType: orgType as never, orgName: "x" };
}
const actors: Record<string, Actor> = {
  operator: staff("operator", ORG.call_centre, "call_centre"),
  uo: staff("uo", ORG.uo, "management_company"),
  contractor: staff("contractor", ORG.contractor, "contractor"),
  supplier: staff("supplier", ORG.supplier, "resource_supplier"),
  agency: staff("agency", ORG.agency, "agency"),
  oversight: staff("oversight", ORG.oversight, "oversight"),
  admin: staff("admin", null, null),
  resident: { kind: "resident", role: "resident", resident: { id: 9 } as never },
  system: { kind: "system", role: "system", label: "t" },
  public: { kind: "public", role: "public" },
};

describe("role matrix", () => {
  for (const action of TICKET_ACTIONS) {
    const def = transitionDef(action)!;
    it(`${action}: allowed exactly for ${def.roles.join(", ")}`, () => {
      for (const [name, actor] of Object.entries(actors)) {
        // The contractor's and the supplier's tickets are assigned to their own organisation.
        const executorOrgId = name === "supplier" ? ORG.supplier : name === "uo" && def.relation === "executor" ? ORG.uo : ORG.contractor;
        const ticket = { uoId: ORG.uo, executorOrgId, residentId: 9 };
        expect(canAct(actor, action, ticket), `${name} → ${action}`).toBe(def.roles.includes(actor.role));
      }
    });
  }

  it("refuses staff of an unrelated organisation for every action", () => {
    const otherUo = staff("uo", ORG.otherUo, "management_company");
    const otherContractor = staff("contractor", 99, "contractor");
    const stranger: Actor = { kind: "resident", role: "resident", resident: { id: 10 } as never };
    for (const action of TICKET_ACTIONS) {
      const ticket = { uoId: ORG.uo, executorOrgId: ORG.contractor, residentId: 9 };
      expect(canAct(otherUo, action, ticket), `other УО → ${action}`).toBe(false);
      expect(canAct(otherContractor, action, ticket), `other ПО → ${action}`).toBe(false);
      expect(canAct(stranger, action, ticket), `other resident → ${action}`).toBe(false);
    }
  });

  it("refuses a disabled user everything", () => {
    const disabled: Actor = { kind: "user", role: "uo", user: { id: 1, active: false } as never, orgId: ORG.uo, orgType: "management_company", orgName: "x" };
    for (const action of TICKET_ACTIONS) expect(canAct(disabled, action, { uoId: ORG.uo, executorOrgId: ORG.uo, residentId: 9 })).toBe(false);
  });
});
