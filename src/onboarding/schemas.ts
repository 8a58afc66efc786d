// zod schemas of the onboarding API; the inferred types are what the commands take.
import { z } from "zod";
import { checkEmail, checkPhone, partnerCardPatchSchema, partnerCardSchema } from "./requisites.ts";

const text = (max: number) => z.string().trim().min(1, "заполните поле").max(max, `не длиннее ${max} символов`);
const email = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => !checkEmail(v), "неверный адрес электронной почты");
const phone = z
  .string()
  .trim()
  .refine((v) => !checkPhone(v), "номер телефона не распознан");

export const staffEntrySchema = z.object({ fullName: text(200), position: text(200), email, phone: phone.optional() }).strict();
export const servedEntrySchema = z.object({ name: text(500), inn: z.string().trim().regex(/^\d{10}(\d{2})?$/, "ИНН: 10 или 12 цифр").optional() }).strict();
const buildingRecord = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));

export const connectionRequestSchema = z
  .object({
    orgType: z.enum(["management_company", "contractor", "resource_supplier"], "тип организации: management_company, contractor или resource_supplier"),
    card: partnerCardSchema,
    staff: z.array(staffEntrySchema).min(1, "укажите хотя бы одного сотрудника").max(500),
    served: z.array(servedEntrySchema).max(500).default([]),
    buildings: z.array(buildingRecord).max(50_000).optional(),
    requesterName: text(200),
    requesterEmail: email,
  })
  .strict()
  .superRefine((r, ctx) => {
    const seen = new Map<string, number>();
    r.staff.forEach((s, i) => {
      const prev = seen.get(s.email);
      if (prev !== undefined) ctx.addIssue({ code: "custom", path: ["staff", i, "email"], message: `этот e-mail уже указан у сотрудника №${prev + 1}` });
      else seen.set(s.email, i);
    });
    if (r.orgType !== "management_company" && r.buildings?.length)
      ctx.addIssue({ code: "custom", path: ["buildings"], message: "список домов подаёт только управляющая организация" });
  });
export type ConnectionRequestInput = z.infer<typeof connectionRequestSchema>;

export const approveSchema = z.object({ linkOrganisationIds: z.array(z.number().int().positive()).max(500).optional() }).strict();
export const rejectSchema = z.object({ reason: text(2000) }).strict();
export const acceptInvitationSchema = z.object({ password: z.string().min(1, "введите пароль").max(200) }).strict();

export const changeRequestSchema = z
  .object({ changes: partnerCardPatchSchema.default({}), comment: z.string().trim().max(4000).optional() })
  .strict()
  .refine((r) => Object.keys(r.changes).length > 0 || !!r.comment, { message: "укажите, что изменить", path: ["changes"] });
export type ChangeRequestInput = z.infer<typeof changeRequestSchema>;
export const changeReviewSchema = z.object({ decision: z.enum(["apply", "refuse"]), reason: z.string().trim().max(2000).optional() }).strict();
