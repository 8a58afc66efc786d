// Ticket states (regulation Appendix 1 and §3). Labels are what residents and staff read.
export const TICKET_STATUSES = [
  "pending_confirmation", // submitted on the web form, waits for the call centre to confirm it by phone
  "awaiting_routing", // the call centre must route it (address unknown, or rejected by the УО)
  "routed", // at the management company (УО), not yet assigned
  "assigned", // assigned to an executor (own staff, contractor or resource supplier)
  "accepted", // the executor took it into work
  "crew_dispatched", // emergency: a crew is on its way
  "postponed", // postponed by the УО until a date
  "reported", // the executor reported the work done
  "verified", // the УО verified the work; waits for the resident's confirmation
  "closed",
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const STATUS_LABELS: Record<TicketStatus, string> = {
  pending_confirmation: "Ожидает подтверждения по телефону",
  awaiting_routing: "Ожидает направления в управляющую организацию",
  routed: "Передана в управляющую организацию",
  assigned: "Назначен исполнитель",
  accepted: "Принята в работу",
  crew_dispatched: "Аварийная бригада выехала",
  postponed: "Отложена",
  reported: "Работы выполнены, идёт проверка",
  verified: "Выполнена, ожидает подтверждения жителя",
  closed: "Закрыта",
};

export const OPEN_STATUSES = TICKET_STATUSES.filter((s) => s !== "closed");
export const isOpen = (s: TicketStatus) => s !== "closed";
