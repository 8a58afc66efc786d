// Named prepared statements for the few fixed statements on hot paths (who is asking, the
// ticket's building, its history and outbox rows, the screen-pop): the driver prepares a
// statement once per connection and PostgreSQL then reuses its plan, where an unnamed statement
// is parsed and planned again on every call (for these, that cost the database more than running
// them: ~1 ms of its CPU per ticket created). Runs on the transaction's own connection, or on one
// borrowed from the pool for the one statement; errors come back as Sequelize's DatabaseError,
// like every other query's. A name must always go with the same text.
import { DatabaseError, type Transaction } from "sequelize";
import type pg from "pg";
import { sequelize } from "./sequelize.ts";

/** The driver's client under a Sequelize transaction (set by Transaction.prepareEnvironment). */
function clientOf(transaction: Transaction): pg.Client {
  const client = (transaction as unknown as { connection?: pg.Client }).connection;
  if (!client || typeof client.query !== "function") throw new Error("transaction has no connection");
  return client;
}

interface Pool {
  getConnection(options?: object): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): void;
}

async function run<T>(client: pg.Client, name: string | null, text: string, values: unknown[]): Promise<T[]> {
  try {
    const r = await client.query<T & pg.QueryResultRow>(name ? { name, text, values } : { text, values });
    return r.rows;
  } catch (err) {
    throw new DatabaseError(err as Error & { sql: string; parameters: object });
  }
}

/**
 * Runs the statement `name` (null: unnamed, for texts that vary) in `transaction`, or outside any
 * transaction on a pooled connection when it is null.
 */
export async function preparedQuery<T>(transaction: Transaction | null, name: string | null, text: string, values: unknown[]): Promise<T[]> {
  if (transaction) return run<T>(clientOf(transaction), name, text, values);
  const pool = sequelize().connectionManager as unknown as Pool;
  const client = await pool.getConnection();
  try {
    return await run<T>(client, name, text, values);
  } finally {
    pool.releaseConnection(client);
  }
}
