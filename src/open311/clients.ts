// Open311 client applications and their api keys. A key is shown once at creation and kept
// only as a SHA-256 hash; requests a client POSTs are created by the system on its behalf
// ("Open311: <client name>" in the ticket's history).
import { createHash, randomBytes } from "node:crypto";
import { QueryTypes, type Transaction } from "sequelize";
import { sequelize } from "../db/sequelize.ts";

export interface Open311Client {
  id: number;
  name: string;
  active: boolean;
  created_at: Date;
  last_used_at: Date | null;
}

const hash = (key: string) => createHash("sha256").update(key).digest("hex");

export async function createOpen311Client(name: string, createdByUserId: number | null): Promise<{ client: Open311Client; apiKey: string }> {
  const apiKey = `o311_${randomBytes(24).toString("base64url")}`;
  const rows = await sequelize().query<Open311Client>(
    `INSERT INTO open311_clients (name, api_key_hash, created_by_user_id) VALUES (:name, :hash, :by)
     RETURNING id, name, active, created_at, last_used_at`,
    { type: QueryTypes.SELECT, replacements: { name, hash: hash(apiKey), by: createdByUserId } },
  );
  return { client: rows[0]!, apiKey };
}

export async function clientByKey(apiKey: string, transaction?: Transaction): Promise<Open311Client | null> {
  const rows = await sequelize().query<Open311Client>(
    `UPDATE open311_clients SET last_used_at = now() WHERE api_key_hash = :hash AND active
     RETURNING id, name, active, created_at, last_used_at`,
    { type: QueryTypes.SELECT, replacements: { hash: hash(apiKey) }, transaction },
  );
  return rows[0] ?? null;
}

export async function listOpen311Clients(): Promise<Open311Client[]> {
  return sequelize().query<Open311Client>(`SELECT id, name, active, created_at, last_used_at FROM open311_clients ORDER BY id`, {
    type: QueryTypes.SELECT,
  });
}

export async function setOpen311ClientActive(id: number, active: boolean): Promise<Open311Client | null> {
  const rows = await sequelize().query<Open311Client>(
    `UPDATE open311_clients SET active = :active WHERE id = :id RETURNING id, name, active, created_at, last_used_at`,
    { type: QueryTypes.SELECT, replacements: { id, active } },
  );
  return rows[0] ?? null;
}
