import type { MigrationFn } from "../src/db/migrator.ts";

// Conflict notices between participants (regulation §5).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE conflicts (
      id serial PRIMARY KEY,
      notifier_org_id integer NOT NULL REFERENCES organisations(id),
      respondent_org_id integer NOT NULL REFERENCES organisations(id),
      filed_by_user_id integer NOT NULL REFERENCES users(id),
      ticket_id integer REFERENCES tickets(id),
      substance text NOT NULL,
      circumstances text NOT NULL,
      arose_on date NOT NULL,
      negotiators jsonb NOT NULL,
      working_days_late integer NOT NULL DEFAULT 0,
      status text NOT NULL DEFAULT 'notified' CHECK (status IN ('notified','answered','resolved','escalated','decided')),
      answer text,
      respondent_negotiators jsonb,
      answered_at timestamptz,
      escalation_reason text,
      escalated_at timestamptz,
      decision text,
      decided_by_user_id integer REFERENCES users(id),
      decided_at timestamptz,
      resolved_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (notifier_org_id <> respondent_org_id)
    );
    CREATE INDEX conflicts_notifier ON conflicts (notifier_org_id, created_at DESC);
    CREATE INDEX conflicts_respondent ON conflicts (respondent_org_id, created_at DESC);
    CREATE INDEX conflicts_status ON conflicts (status);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE conflicts`);
};
