// What leaves the server about the PBX link: a state, since when, and what it means for the
// people at the phones, in Russian. The technical reason (an address, a socket error) only for
// admins.
import { localTime } from "./ticket.ts";

export type PbxLinkState = "ready" | "down" | "auth_failed";

export interface PbxLinkRow {
  pbx: string;
  state: PbxLinkState;
  since: Date;
  lastError: string | null;
  checkedAt: Date;
}

/** A link whose holder has not confirmed it for this long is shown as unknown. */
export const PBX_LINK_STALE_MS = 2 * 60_000;

export type PbxLinkView = {
  configured: boolean;
  /** off: telephony not configured; unknown: no instance vouched for the link lately. */
  state: PbxLinkState | "off" | "unknown";
  since: string | null;
  sinceLocal: string | null;
  message: string | null;
  lastError?: string | null;
};

function messageOf(state: PbxLinkView["state"], sinceLocal: string | null): string | null {
  const from = sinceLocal ? ` с ${sinceLocal}` : "";
  switch (state) {
    case "down":
      return `Нет связи с АТС${from}: карточки входящих звонков не появятся, звонок из панели недоступен. Связь восстанавливается автоматически.`;
    case "auth_failed":
      return `АТС отклонила вход${from} (неверный логин или пароль AMI): карточки звонков не появятся. Сообщите администратору.`;
    case "unknown":
      return "Связь с АТС не подтверждена: сервер, который держит связь, давно не отвечал. Карточки звонков могут не появиться.";
    default:
      return null;
  }
}

export function presentPbxLink(row: PbxLinkRow | null | undefined, o: { configured: boolean; now?: Date; forAdmin?: boolean }): PbxLinkView {
  if (!o.configured) return { configured: false, state: "off", since: null, sinceLocal: null, message: null };
  const now = o.now ?? new Date();
  if (!row) return { configured: true, state: "unknown", since: null, sinceLocal: null, message: messageOf("unknown", null) };
  const since = new Date(row.since);
  const stale = row.state === "ready" && now.getTime() - new Date(row.checkedAt).getTime() > PBX_LINK_STALE_MS;
  const state = stale ? "unknown" : row.state;
  const sinceLocal = localTime(since);
  return {
    configured: true,
    state,
    since: since.toISOString(),
    sinceLocal,
    message: messageOf(state, sinceLocal),
    ...(o.forAdmin ? { lastError: row.lastError } : {}),
  };
}
