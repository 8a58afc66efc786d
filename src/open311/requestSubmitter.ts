// POST requests: checks the api key, the service and the location, and creates the ticket
// through ticketCreator (channel "open311") — the same workflow as every other channel.
// Everything happens in one transaction: a refused request writes nothing.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { runCommand, systemActor } from "../context.ts";
import { ticketCreator } from "../commands/ticketCreator.ts";
import { sequelize } from "../db/sequelize.ts";
import type { Ticket } from "../models/Ticket.ts";
import { clientByKey } from "./clients.ts";
import { badRequest, forbidden, notFound, tooMany } from "./format.ts";
import { spendBudget } from "../commands/requestBudget.ts";
import { AppError } from "../errors.ts";
import { locateBuilding } from "./location.ts";
import { describeAttributes, serviceByCode } from "./services.ts";

/** Our jurisdiction; a request naming another one is refused (404, as the spec says). */
export const JURISDICTION_ID = "pechora";
export const MAX_DESCRIPTION = 4000;

const HTML = /<\s*\/?\s*[a-z!][^>]*>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i;
const num = (min: number, max: number, what: string) =>
  z.coerce.number({ message: `${what}: ожидается число` }).min(min, `${what}: от ${min} до ${max}`).max(max, `${what}: от ${min} до ${max}`);
const optText = (max: number) => z.string().trim().max(max, `не более ${max} символов`).optional();

export const postSchema = z.object({
  api_key: z.string().optional(),
  jurisdiction_id: z.string().optional(),
  service_code: z.string().trim().max(100).optional(),
  lat: num(-90, 90, "lat").optional(),
  long: num(-180, 180, "long").optional(),
  address_string: optText(300),
  address_id: z.coerce.number().int().positive("address_id: положительное целое").optional(),
  email: optText(200),
  device_id: optText(200),
  account_id: optText(200),
  first_name: optText(100),
  last_name: optText(100),
  phone: optText(30),
  description: z.string().optional(),
  media_url: optText(1000),
  attribute: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
});
export type PostInput = z.infer<typeof postSchema>;

export function checkJurisdiction(j: string | undefined): void {
  if (j !== undefined && j !== "" && j !== JURISDICTION_ID) throw notFound(`jurisdiction_id «${j}» не обслуживается; используйте «${JURISDICTION_ID}».`);
}

/** Reads `attribute[code]=value` whether the body parser nested it or not. */
export function attributesFrom(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const nested = body.attribute;
  if (nested && typeof nested === "object" && !Array.isArray(nested))
    for (const [k, v] of Object.entries(nested)) out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  for (const [k, v] of Object.entries(body)) {
    const m = /^attribute\[(.+)\]$/.exec(k);
    if (m) out[m[1]!] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return out;
}

export interface Submitted {
  ticket: Ticket;
  token: string;
}

export async function open311RequestSubmitter(body: Record<string, unknown>): Promise<Submitted> {
  // Form clients send empty fields for what they do not know: an empty field is an absent one.
  const input = postSchema.parse(Object.fromEntries(Object.entries(body).filter(([, v]) => v !== "")));
  if (!input.api_key) throw forbidden("api_key не передан.");
  return runCommand(systemActor("Open311"), async (ctx) => {
    const client = await clientByKey(input.api_key!, ctx.transaction);
    if (!client) throw forbidden("api_key неверен или отозван.");
    // Spent in the creating transaction: a refused request costs nothing of the budget.
    await spendBudget("open311", `client:${client.id}`, ctx.transaction).catch((err: unknown) => {
      throw err instanceof AppError && err.id === "rate_limited" ? tooMany(err.message) : err;
    });
    checkJurisdiction(input.jurisdiction_id);
    if (!input.service_code) throw badRequest("service_code: обязательный параметр.");
    const service = await serviceByCode(input.service_code);
    if (!service) throw notFound(`service_code «${input.service_code}» не найден.`);
    const description = (input.description ?? "").trim();
    if (!description) throw badRequest("description: опишите проблему.");
    if (description.length > MAX_DESCRIPTION) throw badRequest(`description: не более ${MAX_DESCRIPTION} символов (передано ${description.length}).`);
    if (HTML.test(description)) throw badRequest("description: HTML-разметка не допускается, передайте простой текст.");
    const attrs = describeAttributes(service, attributesFrom(body));
    if (attrs.errors.length) throw badRequest(attrs.errors.join("; "));
    const building = await locateBuilding(input, ctx.transaction);
    const name = [input.first_name, input.last_name].filter(Boolean).join(" ") || null;
    const text = [description, ...attrs.lines].join("\n");
    const ticket = await runCommand(
      systemActor(`Open311: ${client.name}`),
      (c) =>
        ticketCreator({
          ctx: c,
          input: { channel: "open311", categoryId: service.id, description: text, buildingId: building.id, contactName: name, contactPhone: input.phone || null },
        }),
      ctx,
    );
    const token = randomUUID();
    await sequelize().query(`INSERT INTO open311_requests (token, client_id, ticket_id) VALUES (:token, :client, :ticket)`, {
      replacements: { token, client: client.id, ticket: ticket.id },
      transaction: ctx.transaction,
    });
    return { ticket, token };
  });
}
