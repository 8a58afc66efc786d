import type { MigrationFn } from "../src/db/migrator.ts";

// One notification to one person (or address): the unit of delivery, keyed for idempotency.
// status: queued → sending → sent | retry (→ sending) | failed | dead | skipped | uncertain.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE deliveries (
      id bigserial PRIMARY KEY,
      key text NOT NULL UNIQUE,
      outbox_id bigint,
      kind text NOT NULL,
      resident_id integer REFERENCES residents(id) ON DELETE SET NULL,
      user_id integer REFERENCES users(id) ON DELETE SET NULL,
      email text,
      channel text,
      address text,
      tried_channels text[] NOT NULL DEFAULT '{}',
      subject text,
      text text NOT NULL,
      html text,
      buttons jsonb,
      status text NOT NULL DEFAULT 'queued',
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      claimed_at timestamptz,
      sent_at timestamptz,
      external_id text,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX deliveries_status ON deliveries (status, next_attempt_at) WHERE status NOT IN ('sent','skipped');
    CREATE INDEX deliveries_resident ON deliveries (resident_id, id);
    CREATE INDEX deliveries_user ON deliveries (user_id, id);
    CREATE INDEX deliveries_pending ON deliveries (id) WHERE status IN ('queued','retry','sending');
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE deliveries`);
};
