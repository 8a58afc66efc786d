// Explicit field lists for onboarding, feedback and conflicts.
import type { ChangeRequest, ConnectionRequest } from "../models/ConnectionRequest.ts";
import type { Conflict, ConflictEvent, ConflictStatus } from "../models/Conflict.ts";
import type { User } from "../models/User.ts";
import { CONFLICT_STATUS_LABEL } from "../onboarding/conflictRules.ts";

const REQUEST_STATUS_LABEL: Record<string, string> = { submitted: "на рассмотрении", approved: "одобрена", rejected: "отклонена" };

export const presentConnectionRequestSummary = (r: ConnectionRequest) => ({
  id: r.id,
  orgType: r.orgType,
  status: r.status,
  statusLabel: REQUEST_STATUS_LABEL[r.status],
  name: r.card.shortName,
  inn: r.card.inn,
  staffCount: r.staff.length,
  apartmentsCount: r.buildings.length,
  createdAt: r.createdAt,
  reviewedAt: r.reviewedAt,
});

export const presentConnectionRequest = (r: ConnectionRequest) => ({
  ...presentConnectionRequestSummary(r),
  card: r.card,
  staff: r.staff,
  served: r.served,
  buildings: r.buildings,
  requester: { name: r.requesterName, email: r.requesterEmail },
  rejectReason: r.rejectReason,
  organisationId: r.organisationId,
  result: r.result,
});

/** What the public submitter gets back: no more than they sent. */
export const presentSubmittedRequest = (r: ConnectionRequest) => ({ id: r.id, status: r.status, statusLabel: REQUEST_STATUS_LABEL[r.status], apartments: r.buildings.length });

export const presentInvitee = (u: User) => ({
  login: u.login,
  fullName: u.fullName,
  organisation: u.organisation ? u.organisation.shortName : null,
});

export const presentChangeRequest = (c: ChangeRequest) => ({
  id: c.id,
  organisationId: c.organisationId,
  requestedByUserId: c.requestedByUserId,
  changes: c.changes,
  comment: c.comment,
  status: c.status,
  before: c.before,
  after: c.after,
  reviewReason: c.reviewReason,
  reviewedByUserId: c.reviewedByUserId,
  reviewedAt: c.reviewedAt,
  createdAt: c.createdAt,
});

const presentConflictEvent = (e: ConflictEvent) => ({ id: e.id, action: e.action, actorUserId: e.actorUserId, actorOrgId: e.actorOrgId, text: e.text, at: e.createdAt });

export const presentConflict = (c: Conflict, actions: string[] = []) => ({
  id: c.id,
  status: c.status,
  statusLabel: CONFLICT_STATUS_LABEL[c.status as ConflictStatus],
  notifier: { id: c.notifierOrgId, name: c.notifierOrg?.shortName ?? null },
  respondent: { id: c.respondentOrgId, name: c.respondentOrg?.shortName ?? null },
  ticketId: c.ticketId,
  substance: c.substance,
  circumstances: c.circumstances,
  aroseOn: c.aroseOn,
  late: c.workingDaysLate > 0,
  workingDaysLate: c.workingDaysLate,
  negotiators: c.negotiators,
  answer: c.answer,
  respondentNegotiators: c.respondentNegotiators,
  answeredAt: c.answeredAt,
  escalationReason: c.escalationReason,
  escalatedAt: c.escalatedAt,
  decision: c.decision,
  decidedAt: c.decidedAt,
  resolvedAt: c.resolvedAt,
  createdAt: c.createdAt,
  events: c.events?.map(presentConflictEvent),
  actions,
});
