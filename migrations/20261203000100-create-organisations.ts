import type { MigrationFn } from "../src/db/migrator.ts";

export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE organisations (
      id serial PRIMARY KEY,
      type text NOT NULL CHECK (type IN ('call_centre','management_company','contractor','resource_supplier','agency','oversight')),
      name text NOT NULL,
      short_name text NOT NULL,
      inn text,
      kpp text,
      ogrn text,
      email text,
      phone text,
      dispatch_phone text,
      requisites jsonb NOT NULL DEFAULT '{}'::jsonb,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX organisations_inn_kpp ON organisations (inn, coalesce(kpp, '')) WHERE inn IS NOT NULL;
    CREATE INDEX organisations_type ON organisations (type);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE organisations`);
};
