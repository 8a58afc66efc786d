// Named prepared statements for the few fixed statements on a hot path (the screen-pop): the
// driver prepares a statement once per connection and PostgreSQL then reuses its plan, where
// an unnamed statement is planned again on every call (for the pop, planning cost more than
// running it). Runs on the transaction's own connection; errors come back as Sequelize's
// DatabaseError, like every other query's.
import { DatabaseError, type Transaction } from "sequelize";
import type pg from "pg";

/** The driver's client under a Sequelize transaction (set by Transaction.prepareEnvironment). */
function clientOf(transaction: Transaction): pg.Client {
  const client = (transaction as unknown as { connection?: pg.Client }).connection;
  if (!client || typeof client.query !== "function") throw new Error("transaction has no connection");
  return client;
}

export async function preparedQuery<T>(transaction: Transaction, name: string, text: string, values: unknown[]): Promise<T[]> {
  try {
    const r = await clientOf(transaction).query<T & pg.QueryResultRow>({ name, text, values });
    return r.rows;
  } catch (err) {
    throw new DatabaseError(err as Error & { sql: string; parameters: object });
  }
}
