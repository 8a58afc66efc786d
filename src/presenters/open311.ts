// A ticket as a GeoReport v2 service request. Public: no names, phones, apartments or
// personal accounts; the description only once staff marked the ticket publishable.
import { DateTime } from "luxon";
import { config } from "../config.ts";
import type { Ticket } from "../models/Ticket.ts";
import { STATUS_LABELS } from "../workflow/states.ts";
import { addressOf } from "./ticket.ts";

const CLOSURE_NOTES: Record<string, string> = {
  resident_confirmed: "Выполнение подтверждено жителем.",
  operator_confirmed: "Выполнение подтверждено жителем по телефону.",
  unreachable: "Закрыта: житель недоступен.",
  no_answer: "Закрыта: житель не ответил на запрос подтверждения.",
  declined: "В регистрации отказано.",
  withdrawn: "Заявка отозвана.",
};

export const iso = (d: Date | null | undefined) =>
  d ? DateTime.fromJSDate(d, { zone: config().district.timezone }).startOf("second").toISO({ suppressMilliseconds: true }) : null;

export function presentServiceRequest(t: Ticket) {
  const closed = t.status === "closed";
  const notes = [STATUS_LABELS[t.status] + ".", closed && t.closureKind ? CLOSURE_NOTES[t.closureKind] : null].filter(Boolean).join(" ");
  return {
    service_request_id: t.number,
    status: closed ? "closed" : "open",
    status_notes: notes,
    service_name: t.category?.name ?? null,
    service_code: t.category?.code ?? null,
    description: t.publishable ? t.description : null,
    agency_responsible: t.uo?.shortName ?? "Центр обработки заявок",
    service_notice: t.emergency ? "Аварийная заявка: выезд аварийной службы в течение 30 минут." : null,
    requested_datetime: iso(t.createdAt),
    updated_datetime: iso(t.updatedAt),
    expected_datetime: closed ? null : iso(t.deadlineAt),
    address: t.building ? addressOf(t.building) : null,
    address_id: t.buildingId,
    zipcode: null,
    lat: t.building?.latitude ?? null,
    long: t.building?.longitude ?? null,
    media_url: null,
  };
}
