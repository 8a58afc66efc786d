// What leaves the server about calls: the call log, the call-back list and the screen-pop.
// Explicit field lists; callers decide who may see them (policies call:read / call:work).
import type { Actor } from "../context.ts";
import { formatPhone } from "../lib/phone.ts";
import type { Call, CallLeg, CallTicket } from "../models/Call.ts";
import type { Building } from "../models/Building.ts";
import type { Ticket } from "../models/Ticket.ts";
import { addressOf, localTime, presentTicketSummary } from "./ticket.ts";

export const OUTCOME_LABELS: Record<string, string> = {
  answered: "отвечен",
  missed: "пропущен",
  abandoned: "абонент не дождался ответа",
  busy: "занято",
  failed: "не состоялся",
};

/** A resident as the pop shows them: name, phone, addresses. */
export interface PopResident {
  id: number;
  fullName: string | null;
  phone: string | null;
  apartments?: Array<{ id: number; number: string; buildingId: number; building?: Pick<Building, "settlement" | "street" | "house" | "buildingPart"> | null }>;
}

/** One of the caller's earlier calls. */
export interface PopRecentCall {
  id: number;
  direction: string;
  startedAt: Date | string;
  outcome: string | null;
  operatorName: string | null;
}

export interface PopOutage {
  id: number;
  resource: string;
  kind: string;
  startsAt: Date;
  expectedEndAt: Date;
  reason: string;
  buildingIds: number[];
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

export function presentCall(c: Call, extra: { legs?: CallLeg[]; tickets?: CallTicket[]; canListen?: boolean } = {}) {
  const number = c.direction === "inbound" ? c.callerNumber : c.calledNumber;
  return {
    id: c.id,
    direction: c.direction,
    directionLabel: c.direction === "inbound" ? "входящий" : "исходящий",
    callerNumber: c.callerNumber,
    calledNumber: c.calledNumber,
    residentNumber: number,
    residentNumberFormatted: number ? formatPhone(number) : "номер скрыт",
    withheld: c.direction === "inbound" && !c.callerNumber,
    queue: c.queue,
    operator: c.operatorUserId ? { id: c.operatorUserId, name: c.operator?.fullName ?? null, extension: c.operatorExtension } : null,
    status: c.status,
    outcome: c.outcome,
    outcomeLabel: c.outcome ? OUTCOME_LABELS[c.outcome] : null,
    hangupCause: c.hangupCause,
    hangupCauseText: c.hangupCauseText,
    startedAt: iso(c.startedAt),
    startedLocal: localTime(c.startedAt),
    ringingAt: iso(c.ringingAt),
    answeredAt: iso(c.answeredAt),
    endedAt: iso(c.endedAt),
    durationSec: c.durationSec,
    talkSec: c.talkSec,
    recording: c.recordingFile && extra.canListen ? { url: `/api/calls/${c.id}/recording` } : null,
    hasRecording: !!c.recordingFile,
    partial: c.partial,
    contactAttemptId: c.contactAttemptId,
    callback: c.callbackStatus
      ? {
          status: c.callbackStatus,
          dueAt: iso(c.callbackDueAt),
          dueLocal: localTime(c.callbackDueAt),
          overdue: c.callbackStatus === "open" && !!c.callbackDueAt && c.callbackDueAt < new Date(),
          reason: c.callbackReason,
          closedAt: iso(c.callbackClosedAt),
          closedByUserId: c.callbackClosedByUserId,
          byCallId: c.callbackCallId,
        }
      : null,
    legs: extra.legs?.map((l) => ({
      extension: l.extension,
      userId: l.userId,
      rangAt: iso(l.rangAt),
      answeredAt: iso(l.answeredAt),
      endedAt: iso(l.endedAt),
      endReason: l.endReason,
    })),
    tickets: extra.tickets?.map((x) => ({ ticketId: x.ticketId, kind: x.kind })),
  };
}

export function presentPop(
  call: Call,
  actor: Actor,
  d: { residents: PopResident[]; tickets: Ticket[]; buildingTickets: Ticket[]; outages: PopOutage[]; recentCalls: PopRecentCall[] },
) {
  return {
    callId: call.id,
    direction: call.direction,
    callerNumber: call.direction === "inbound" ? call.callerNumber : call.calledNumber,
    callerNumberFormatted: call.callerNumber ? formatPhone(call.callerNumber) : null,
    withheld: call.direction === "inbound" && !call.callerNumber,
    unknownNumber: d.residents.length === 0,
    queue: call.queue,
    ringingAt: iso(call.ringingAt ?? call.startedAt),
    residents: d.residents.map((r) => ({
      id: r.id,
      fullName: r.fullName,
      phone: r.phone,
      addresses: (r.apartments ?? []).map((a) => ({
        buildingId: a.buildingId,
        apartmentId: a.id,
        apartment: a.number,
        address: addressOf(a.building, a.number),
      })),
    })),
    tickets: d.tickets.map((x) => presentTicketSummary(x, actor)),
    buildingTickets: d.buildingTickets.map((x) => presentTicketSummary(x, actor)),
    outages: d.outages.map((o) => ({
      id: o.id,
      resource: o.resource,
      kind: o.kind,
      startsAt: iso(o.startsAt),
      expectedEndAt: iso(o.expectedEndAt),
      reason: o.reason,
      buildingIds: o.buildingIds,
    })),
    recentCalls: d.recentCalls.map((c) => ({
      id: c.id,
      direction: c.direction,
      startedAt: iso(c.startedAt),
      outcome: c.outcome,
      outcomeLabel: c.outcome ? OUTCOME_LABELS[c.outcome] : null,
      operatorName: c.operatorName,
    })),
  };
}
