// A new row of a model inserted as one prepared statement and returned as a loaded instance: for
// the ticket create, where the model layer's save (validation, hooks, building the statement
// every time) and PostgreSQL planning it anew cost more than the insert. Every attribute but
// `id` is written — as set on the instance, null when unset, the time now for unset timestamps —
// so the statement's text is the same for every row; `sql` gives an attribute an SQL expression
// instead (the ticket number drawn from its sequence). The database's constraints still apply.
import type { Model, ModelStatic, Transaction } from "sequelize";
import { columnsOf, instanceOf } from "./joinedRow.ts";
import { preparedQuery } from "./prepared.ts";

interface Shape {
  text: string;
  attributes: string[];
}
const shapes = new Map<string, Shape>();

function shapeOf(model: ModelStatic<Model>, name: string, sql: Record<string, string>): Shape {
  let s = shapes.get(name);
  if (!s) {
    const attrs = Object.entries(model.getAttributes()).filter(([n]) => n !== "id");
    const attributes = attrs.filter(([n]) => !(n in sql)).map(([n]) => n);
    let i = 0;
    const values = attrs.map(([n]) => (n in sql ? sql[n] : `$${++i}`));
    const table = model.getTableName() as string;
    s = {
      attributes,
      text: `INSERT INTO ${table} AS r (${attrs.map(([n, a]) => a.field ?? n).join(", ")}) VALUES (${values.join(", ")}) RETURNING ${columnsOf(model, "r")}`,
    };
    shapes.set(name, s);
  }
  return s;
}

export async function insertPrepared<M extends Model>(
  transaction: Transaction,
  model: ModelStatic<M>,
  instance: M,
  name: string,
  sql: Record<string, string> = {},
): Promise<M> {
  const shape = shapeOf(model as ModelStatic<Model>, name, sql);
  const now = new Date();
  const values = shape.attributes.map((a) => {
    const v = instance.getDataValue(a as never) as unknown;
    if (v === undefined || v === null) return a === "createdAt" || a === "updatedAt" ? now : null;
    return v;
  });
  const [row] = await preparedQuery<Record<string, unknown>>(transaction, name, shape.text, values);
  const saved = row && instanceOf(model, row, "r");
  if (!saved) throw new Error(`${model.name}: the insert returned no row`);
  return saved;
}
