// "Привязать мессенджер" on the staff profile page: the code is issued by the JSON API
// (POST /api/me/messenger-links/codes) from static/profile.js; linked accounts are listed here
// with "Отвязать" (DELETE /api/me/messenger-links/:channel).
import { config } from "../../config.ts";
import { html, type Html } from "../html.ts";

export interface LinkedAccount {
  channel: string;
  username: string | null;
  linkedAt: string;
  blocked: boolean;
}

const CHANNELS: Record<string, string> = { telegram: "Telegram", vk: "ВКонтакте" };
const when = (iso: string) => new Date(iso).toLocaleString("ru-RU", { timeZone: config().district.timezone, dateStyle: "short", timeStyle: "short" });

export function messengerSection(links: LinkedAccount[]): Html {
  return html`<section class="narrow" id="messenger" aria-labelledby="messenger-h">
<h2 id="messenger-h">Мессенджеры</h2>
<p>Привяжите Telegram или ВКонтакте, чтобы получать заявки и работать с ними в чате.</p>
<div id="api-result" role="status" aria-live="polite"></div>
${
  links.length
    ? html`<table class="grid" id="messenger-links"><thead><tr><th>Мессенджер</th><th>Аккаунт</th><th>Привязан</th><th></th></tr></thead><tbody>
${links.map(
  (l) => html`<tr data-channel="${l.channel}"><td>${CHANNELS[l.channel] ?? l.channel}</td><td>${l.username ? `@${l.username}` : "—"}${l.blocked ? html` <span class="badge red">бот заблокирован</span>` : null}</td><td>${when(l.linkedAt)}</td>
<td><form data-api="/api/me/messenger-links/${l.channel}" data-method="DELETE" data-reload><button type="submit" class="secondary">Отвязать</button></form></td></tr>`,
)}</tbody></table>`
    : html`<p class="muted" id="messenger-links-empty">Привязанных мессенджеров нет.</p>`
}
<button type="button" id="link-code-issue" data-link-code>Привязать мессенджер</button>
<div id="link-code" class="link-code" hidden></div>
</section>`;
}
