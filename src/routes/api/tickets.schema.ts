import { z } from "zod";
import { TICKET_STATUSES } from "../../workflow/states.ts";
import { DECLINE_REASONS } from "../../workflow/transitions.ts";

// A positive integer, or its digits as text (query strings, forms); never a boolean or an array.
const id = z.preprocess((v) => (typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : v), z.number({ message: "ожидается число" }).int().positive());
const text = (max: number) => z.string().trim().min(1, "не может быть пустым").max(max, `не более ${max} символов`);

export const createTicketSchema = z
  .object({
    categoryId: id,
    description: text(4000),
    buildingId: id.optional().nullable(),
    apartmentId: id.optional().nullable(),
    addressText: z.string().trim().max(300).optional().nullable(),
    residentId: id.optional().nullable(),
    contactName: z.string().trim().max(200).optional().nullable(),
    contactPhone: z.string().trim().max(30).optional().nullable(),
    emergency: z.boolean().optional(),
    channel: z.enum(["phone", "panel", "api"]).default("panel"),
  })
  .strict();

export const actionSchema = z
  .object({
    reason: text(2000).optional(),
    comment: text(2000).optional(),
    until: z.coerce.date().optional(),
    deadlineAt: z.coerce.date().optional(),
    categoryId: id.optional(),
    uoId: id.optional(),
    executorOrgId: id.optional(),
    executorUserId: id.optional().nullable(),
    worksDone: text(4000).optional(),
    workOrderAttachmentId: id.optional(),
    declineReason: z.enum(DECLINE_REASONS).optional(),
    rating: z.coerce.number().int().min(1, "оценка от 1 до 5").max(5, "оценка от 1 до 5").optional(),
    publishable: z.boolean().optional(),
    expectedVersion: z.coerce.number().int().min(0).optional(),
    _csrf: z.string().optional(),
  })
  .strict();

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item));

export const listSchema = z.object({
  status: csv(z.enum(TICKET_STATUSES)).optional(),
  uoId: id.optional(),
  executorOrgId: id.optional(),
  buildingId: id.optional(),
  categoryId: id.optional(),
  residentId: id.optional(),
  emergency: z.enum(["true", "false"]).optional(),
  overdue: z.enum(["true", "false"]).optional(),
  open: z.enum(["true", "false"]).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  q: z.string().trim().max(200).optional(),
  sort: z.enum(["created", "deadline", "priority", "updated"]).default("created"),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  perPage: z.coerce.number().int().min(1).max(100).default(25),
});

export const contactAttemptSchema = z
  .object({
    outcome: z.enum(["answered", "no_answer", "busy", "failed"]),
    note: z.string().trim().max(1000).optional(),
    phone: z.string().trim().max(30).optional(),
  })
  .strict();

export const attachmentKindSchema = z.enum(["photo", "document", "work_order"]);
