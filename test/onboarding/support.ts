// Helpers for onboarding tests: outbox e-mails and connection request bodies.
import { QueryTypes } from "sequelize";
import { sequelize } from "../../src/db/sequelize.ts";
import { uid } from "../support/factories.ts";
import { randomInn, validCard } from "./fixtures.ts";

export interface Mail {
  key: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export async function mailsTo(to: string): Promise<Mail[]> {
  const rows = await sequelize().query<{ payload: Mail }>("SELECT payload FROM outbox WHERE topic = 'email.requested' AND payload->>'to' = $1 ORDER BY id", {
    bind: [to.toLowerCase()],
    type: QueryTypes.SELECT,
  });
  return rows.map((r) => r.payload);
}

export const inviteToken = (m: Mail) => /\/invite\/([A-Za-z0-9_-]+)/.exec(m.text)?.[1] ?? null;

export function uoRequest(over: Record<string, unknown> = {}) {
  const tag = uid();
  return {
    orgType: "management_company",
    card: validCard({ inn: randomInn(), shortName: `ООО «УК ${tag}»`, email: `uk-${tag}@pechora.ru` }),
    staff: [
      { fullName: "Смирнова Ольга Ивановна", position: "Диспетчер", email: `disp-${tag}@pechora.ru` },
      { fullName: "Кузнецов Андрей Петрович", position: "Инженер", email: `eng-${tag}@pechora.ru`, phone: "+79121112233" },
    ],
    served: [] as Array<{ name: string; inn?: string }>,
    requesterName: "Иванов Иван Иванович",
    requesterEmail: `boss-${tag}@pechora.ru`,
    ...over,
  };
}
