// One plain statement's row (a few joined tables, or an upsert's RETURNING) split back into model
// instances: for the lookups on hot paths, where the model layer's nested include or its
// find-then-save cost several times the query.
import type { Model, ModelStatic } from "sequelize";

/** `alias.column AS "alias.attribute"` for every attribute of the model. */
export function columnsOf(model: ModelStatic<Model>, alias: string): string {
  return Object.entries(model.getAttributes())
    .map(([name, a]) => `${alias}.${a.field ?? name} AS "${alias}.${name}"`)
    .join(", ");
}

/** The instance of `alias` in a row selected with columnsOf (null when a left join found nothing). */
export function instanceOf<M extends Model>(model: ModelStatic<M>, row: Record<string, unknown>, alias: string): M | null {
  const values: Record<string, unknown> = {};
  const prefix = `${alias}.`;
  for (const k in row) if (k.startsWith(prefix)) values[k.slice(prefix.length)] = row[k];
  if (values.id === null || values.id === undefined) return null;
  return model.build(values as never, { raw: true, isNewRecord: false });
}
