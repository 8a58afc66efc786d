// Every API request and panel page starts by finding who it is: the session or token, its user
// and the user's organisation. That is one plain statement here, its row split into the three
// model instances: the model layer's nested include cost ~1 ms of CPU a request (a plain query
// ~0.15 ms), a fifth of a whole ticket create; and it is a prepared statement (planning it anew
// cost the database more than running it).
import type { Model, ModelStatic } from "sequelize";
import { columnsOf, instanceOf } from "../db/joinedRow.ts";
import { preparedQuery } from "../db/prepared.ts";
import { Organisation } from "../models/Organisation.ts";
import { ApiToken, Session } from "../models/Session.ts";
import { User } from "../models/User.ts";

let sql: { token: string; session: string } | undefined;
const statements = () =>
  (sql ??= {
    token: `SELECT ${columnsOf(ApiToken, "c")}, ${columnsOf(User, "u")}, ${columnsOf(Organisation, "o")}
              FROM api_tokens c JOIN users u ON u.id = c.user_id LEFT JOIN organisations o ON o.id = u.organisation_id
             WHERE c.token_hash = $1 AND c.revoked_at IS NULL LIMIT 1`,
    session: `SELECT ${columnsOf(Session, "c")}, ${columnsOf(User, "u")}, ${columnsOf(Organisation, "o")}
                FROM sessions c JOIN users u ON u.id = c.user_id LEFT JOIN organisations o ON o.id = u.organisation_id
               WHERE c.id = $1`,
  });

async function load<C extends Model>(model: ModelStatic<C>, which: "token" | "session", key: string): Promise<{ credential: C; user: User } | null> {
  const [row] = await preparedQuery<Record<string, unknown>>(null, `op_auth_${which}`, statements()[which], [key]);
  const credential = row && instanceOf(model, row, "c");
  const user = row && instanceOf(User, row, "u");
  if (!row || !credential || !user) return null;
  const o = instanceOf(Organisation, row, "o");
  if (o) user.organisation = o;
  return { credential, user };
}

/** An API token that is not revoked, by its hash, with its user and organisation. */
export const tokenWithUser = (tokenHash: string) => load(ApiToken, "token", tokenHash);

/** A session by its id (the hash of its cookie), with its user and organisation. */
export const sessionWithUser = (id: string) => load(Session, "session", id);
