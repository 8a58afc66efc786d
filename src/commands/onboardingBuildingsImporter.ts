// Imports a УО's buildings and personal accounts from a file: everything checked first, then
// applied in one transaction; nothing is applied while any row is wrong; re-import changes nothing.
import type { Ctx } from "../context.ts";
import { sequelize } from "../db/sequelize.ts";
import { errors } from "../errors.ts";
import { Organisation } from "../models/Organisation.ts";
import { authorize } from "../policies/index.ts";
import { applyRows, buildReport, invalidImport, recordsFromTable } from "../onboarding/buildingRows.ts";
import { readTable } from "../onboarding/tableFile.ts";

export async function onboardingBuildingsImporter({ ctx, uoId, data, fileName, dryRun = false }: { ctx: Ctx; uoId: number; data: Buffer; fileName: string; dryRun?: boolean }) {
  authorize(ctx.actor, "buildings:import");
  const uo = await Organisation.findByPk(uoId, { transaction: ctx.transaction });
  if (!uo) throw errors.notFound("organisation");
  if (uo.type !== "management_company") throw errors.validationFailed([{ field: "uoId", message: "дома загружаются только для управляющей организации" }]);
  const table = await readTable(data, fileName);
  const records = recordsFromTable(table.rows);
  // Serialise imports for one УО so two uploads cannot interleave.
  await sequelize().query("SELECT pg_advisory_xact_lock(727100, $1)", { bind: [uoId], transaction: ctx.transaction });
  const { rows, report } = await buildReport(records, uoId, ctx.transaction);
  if (!report.valid) throw invalidImport(report);
  const file = { format: table.format, encoding: table.encoding, rows: report.rows };
  if (dryRun) return { file, report, applied: null };
  return { file, report, applied: await applyRows(rows, uoId, ctx.transaction) };
}
