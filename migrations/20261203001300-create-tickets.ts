import type { MigrationFn } from "../src/db/migrator.ts";

export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE SEQUENCE ticket_number_seq;
    CREATE TABLE tickets (
      id serial PRIMARY KEY,
      number text NOT NULL UNIQUE,
      status text NOT NULL,
      channel text NOT NULL CHECK (channel IN ('phone','telegram','vk','web','panel','open311','api')),
      resident_id integer REFERENCES residents(id),
      contact_name text,
      contact_phone text,
      building_id integer REFERENCES buildings(id),
      apartment_id integer REFERENCES apartments(id),
      address_text text,
      category_id integer NOT NULL REFERENCES categories(id),
      description text NOT NULL,
      emergency boolean NOT NULL DEFAULT false,
      uo_id integer REFERENCES organisations(id),
      executor_org_id integer REFERENCES organisations(id),
      executor_user_id integer REFERENCES users(id),
      deadline_at timestamptz NOT NULL,
      deadline_basis text NOT NULL,
      dispatch_deadline_at timestamptz,
      crew_dispatched_at timestamptz,
      postponed_until timestamptz,
      works_done text,
      closure_kind text,
      rating smallint CHECK (rating BETWEEN 1 AND 5),
      rating_comment text,
      reopened_count integer NOT NULL DEFAULT 0,
      publishable boolean NOT NULL DEFAULT false,
      created_by_user_id integer REFERENCES users(id),
      version integer NOT NULL DEFAULT 0,
      reported_at timestamptz,
      verified_at timestamptz,
      closed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX tickets_uo_status ON tickets (uo_id, status, created_at DESC);
    CREATE INDEX tickets_executor ON tickets (executor_org_id, status, created_at DESC);
    CREATE INDEX tickets_status_created ON tickets (status, created_at DESC);
    CREATE INDEX tickets_created ON tickets (created_at DESC);
    CREATE INDEX tickets_building ON tickets (building_id, created_at DESC);
    CREATE INDEX tickets_resident ON tickets (resident_id, created_at DESC);
    CREATE INDEX tickets_category ON tickets (category_id, created_at DESC);
    CREATE INDEX tickets_open_deadline ON tickets (deadline_at) WHERE status <> 'closed';
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE tickets; DROP SEQUENCE ticket_number_seq`);
};
