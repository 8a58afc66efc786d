import type { MigrationFn } from "../src/db/migrator.ts";

// A request to connect an organisation (Appendix 2): the card, staff, served organisations and,
// for a УО, its buildings and personal accounts; reviewed by the agency.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE connection_requests (
      id serial PRIMARY KEY,
      org_type text NOT NULL CHECK (org_type IN ('management_company','contractor','resource_supplier')),
      status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted','approved','rejected')),
      card jsonb NOT NULL,
      staff jsonb NOT NULL DEFAULT '[]'::jsonb,
      served jsonb NOT NULL DEFAULT '[]'::jsonb,
      buildings jsonb NOT NULL DEFAULT '[]'::jsonb,
      requester_name text NOT NULL,
      requester_email text NOT NULL,
      reject_reason text,
      organisation_id integer REFERENCES organisations(id),
      reviewed_by_user_id integer REFERENCES users(id),
      reviewed_at timestamptz,
      result jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX connection_requests_status ON connection_requests (status, created_at);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE connection_requests`);
};
