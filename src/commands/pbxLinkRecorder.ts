// What the holder of the AMI link reports about it: up, down (and why), or refused at login.
// A change of state is recorded with its time and pushed to everyone who works with calls, in
// one transaction; the same state again only confirms it (checked_at). Called by the telephony
// door as the system.
import { QueryTypes } from "sequelize";
import type { Ctx } from "../context.ts";
import { sequelize } from "../db/sequelize.ts";
import { authorize } from "../policies/index.ts";
import { presentPbxLink, type PbxLinkRow, type PbxLinkState } from "../presenters/pbxLink.ts";
import { publishPush } from "../push/publish.ts";

/** Who hears of the link's changes: those who take calls and those who watch them. */
export const PBX_LINK_AUDIENCE = { roles: ["operator", "admin", "oversight"] };

const COLUMNS = `pbx, state, since, last_error AS "lastError", checked_at AS "checkedAt"`;

const RECORD_SQL = `
WITH prev AS (SELECT state FROM pbx_links WHERE pbx = $1 FOR UPDATE)
INSERT INTO pbx_links AS l (pbx, state, since, last_error, checked_at) VALUES ($1, $2, now(), $3, now())
ON CONFLICT (pbx) DO UPDATE SET
  since = CASE WHEN l.state = EXCLUDED.state THEN l.since ELSE now() END,
  state = EXCLUDED.state,
  last_error = CASE WHEN EXCLUDED.state = 'ready' THEN NULL ELSE coalesce(EXCLUDED.last_error, l.last_error) END,
  checked_at = now()
RETURNING ${COLUMNS}, (SELECT state FROM prev) AS "previous"`;

export async function pbxLinkRecorder({ ctx, pbx, state, error = null }: { ctx: Ctx; pbx: string; state: PbxLinkState; error?: string | null }): Promise<PbxLinkRow> {
  authorize(ctx.actor, "pbx:report");
  const [row] = await sequelize().query<PbxLinkRow & { previous: string | null }>(RECORD_SQL, {
    bind: [pbx, state, error],
    type: QueryTypes.SELECT,
    transaction: ctx.transaction,
  });
  if (!row) throw new Error("the PBX link state was not recorded");
  const { previous, ...link } = row;
  if (previous !== link.state) {
    await publishPush(sequelize(), { event: "pbx.link", audience: PBX_LINK_AUDIENCE, data: presentPbxLink(link, { configured: true }) }, ctx.transaction);
  }
  return link;
}

/** The holder still has the link up: the state is confirmed (a plain statement, no push). */
export async function pbxLinkConfirmer({ pbx }: { pbx: string }): Promise<void> {
  await sequelize().query("UPDATE pbx_links SET checked_at = now() WHERE pbx = $1 AND state = 'ready'", { bind: [pbx] });
}

/** The latest report about the link to `pbx` ("host:port"), if any. */
export async function pbxLinkOf(pbx: string): Promise<PbxLinkRow | null> {
  const [row] = await sequelize().query<PbxLinkRow>(
    `SELECT ${COLUMNS} FROM pbx_links WHERE pbx = $1`,
    { bind: [pbx], type: QueryTypes.SELECT },
  );
  return row ?? null;
}
