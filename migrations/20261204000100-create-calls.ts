import type { MigrationFn } from "../src/db/migrator.ts";

// The call log (ПП 416 п.13): every call the PBX reports, with its outcome, recording and the
// call-back list (a missed or abandoned call waits here until a call-back connects or an
// operator dismisses it with a reason).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE calls (
      id serial PRIMARY KEY,
      pbx text NOT NULL,
      pbx_call_id text NOT NULL,
      direction text NOT NULL CHECK (direction IN ('inbound','outbound')),
      caller_number text,
      called_number text,
      queue text,
      operator_user_id integer REFERENCES users(id),
      operator_extension text,
      status text NOT NULL CHECK (status IN ('new','ringing','answered','ended')),
      outcome text CHECK (outcome IN ('answered','missed','abandoned','busy','failed')),
      hangup_cause integer,
      hangup_cause_text text,
      started_at timestamptz NOT NULL,
      ringing_at timestamptz,
      answered_at timestamptz,
      ended_at timestamptz,
      duration_sec integer,
      talk_sec integer,
      recording_file text,
      partial boolean NOT NULL DEFAULT false,
      contact_attempt_id integer REFERENCES contact_attempts(id) ON DELETE SET NULL,
      callback_status text CHECK (callback_status IN ('open','done','dismissed')),
      callback_due_at timestamptz,
      callback_reason text,
      callback_closed_at timestamptz,
      callback_closed_by_user_id integer REFERENCES users(id),
      callback_call_id integer REFERENCES calls(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'ended') = (outcome IS NOT NULL)),
      CHECK (callback_status IS NULL OR callback_due_at IS NOT NULL)
    );
    CREATE UNIQUE INDEX calls_live ON calls (pbx, pbx_call_id) WHERE status <> 'ended';
    CREATE INDEX calls_started ON calls (started_at DESC, id DESC);
    CREATE INDEX calls_caller ON calls (caller_number, started_at DESC) WHERE caller_number IS NOT NULL;
    CREATE INDEX calls_called ON calls (called_number, started_at DESC) WHERE direction = 'outbound';
    CREATE INDEX calls_callbacks ON calls (callback_due_at) WHERE callback_status = 'open';
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE calls`);
};
