// A connection request arrives (public form or API): checked whole, stored, the agency told.
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { ConnectionRequest } from "../models/ConnectionRequest.ts";
import { Organisation } from "../models/Organisation.ts";
import { buildReport, invalidImport, recordsFromObjects, type BuildingRow } from "../onboarding/buildingRows.ts";
import { notifyOrganisations, sendEmail } from "../onboarding/notify.ts";
import type { ConnectionRequestInput } from "../onboarding/schemas.ts";

export const ORG_TYPE_LABEL: Record<string, string> = {
  management_company: "управляющая организация",
  contractor: "подрядная организация",
  resource_supplier: "ресурсоснабжающая организация",
};

export async function connectionRequestSubmitter({
  ctx,
  input,
  buildingRecords,
}: {
  ctx: Ctx;
  input: ConnectionRequestInput;
  /** Rows read from an uploaded file (headers mapped); otherwise input.buildings is used. */
  buildingRecords?: Array<{ line: number; raw: Record<string, string> }>;
}): Promise<ConnectionRequest> {
  const t = ctx.transaction;
  const { card } = input;
  const exists = await Organisation.findOne({ where: { inn: card.inn, ...(card.kpp ? { kpp: card.kpp } : {}) }, transaction: t });
  if (exists) throw errors.conflict("organisation_exists", `Организация с ИНН ${card.inn} уже подключена к системе. Для изменения данных используйте обратную связь в личном кабинете.`);
  const pending = await ConnectionRequest.findOne({ where: { status: "submitted", card: { inn: card.inn } }, transaction: t });
  if (pending) throw errors.conflict("request_pending", `Заявка организации с ИНН ${card.inn} уже подана (№ ${pending.id}) и ждёт рассмотрения.`);

  let rows: BuildingRow[] = [];
  if (input.orgType === "management_company") {
    const records = buildingRecords ?? recordsFromObjects(input.buildings ?? []);
    if (records.length === 0) throw errors.validationFailed([{ field: "buildings", message: "приложите список обслуживаемых домов и лицевых счетов" }]);
    const checked = await buildReport(records, null, t);
    if (!checked.report.valid) throw invalidImport(checked.report);
    rows = checked.rows;
  }

  const req = await ConnectionRequest.create(
    {
      orgType: input.orgType,
      card: card as unknown as Record<string, string>,
      staff: input.staff.map((s) => ({ ...s, phone: s.phone ?? null })),
      served: input.served.map((s) => ({ name: s.name, inn: s.inn ?? null })),
      buildings: rows as unknown as Array<Record<string, unknown>>,
      requesterName: input.requesterName,
      requesterEmail: input.requesterEmail,
    },
    { transaction: t },
  );
  await sendEmail(
    ctx,
    `connection-request:${req.id}:received`,
    req.requesterEmail,
    `Заявка № ${req.id} на подключение к системе «Открытая Печора» принята`,
    `Здравствуйте, ${req.requesterName}!\n\nЗаявка № ${req.id} на подключение организации «${card.shortName}» (${ORG_TYPE_LABEL[req.orgType]}) принята и передана в МКУ «Управление по делам ГО и ЧС». О решении сообщим по этому адресу.`,
  );
  const agencies = await Organisation.findAll({ where: { type: "agency", active: true }, attributes: ["id"], transaction: t });
  if (agencies.length)
    await notifyOrganisations(
      ctx,
      agencies.map((a) => a.id),
      `connection-request:${req.id}:new`,
      `Новая заявка на подключение № ${req.id}`,
      `Поступила заявка № ${req.id}: «${card.shortName}», ИНН ${card.inn} (${ORG_TYPE_LABEL[req.orgType]}). Сотрудников: ${req.staff.length}${rows.length ? `, квартир: ${rows.length}` : ""}.`,
    );
  return req;
}
