// Profile page: "Привязать мессенджер" asks the JSON API for a one-time link code and shows
// it with the Telegram deep link. Text goes in with textContent only.
"use strict";
(function () {
  const { $, csrf, el } = window.OP;
  document.addEventListener("DOMContentLoaded", () => {
    const button = $("[data-link-code]");
    const box = $("#link-code");
    if (!button || !box) return;
    button.addEventListener("click", async () => {
      button.disabled = true;
      box.hidden = false;
      box.className = "link-code";
      try {
        const res = await fetch("/api/me/messenger-links/codes", {
          method: "POST",
          headers: { "content-type": "application/json", "x-csrf-token": csrf(), accept: "application/json" },
          body: "{}",
          credentials: "same-origin",
        });
        const body = await res.json().catch(() => ({}));
        if (!res.ok) throw new Error((body.error && body.error.message) || `Ошибка ${res.status}`);
        const until = new Date(body.expiresAt).toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit" });
        box.replaceChildren(
          el("p", {}, "Код привязки: ", el("b", { class: "code", id: "link-code-value", text: body.codeFormatted })),
          el("p", { class: "muted", text: `Действует ${body.minutes} мин (до ${until}), один раз.` }),
          body.telegramDeepLink
            ? el("p", {}, el("a", { href: body.telegramDeepLink, id: "link-code-deeplink", target: "_blank", rel: "noopener", text: "Открыть бота в Telegram и привязать" }))
            : null,
          el("p", { text: body.instructions }),
          el("p", { class: "muted", text: "После привязки обновите страницу, чтобы увидеть аккаунт в списке." }),
        );
      } catch (e) {
        box.className = "link-code flash error";
        box.textContent = e instanceof Error && e.message !== "Failed to fetch" ? e.message : "Нет связи с сервером.";
      }
      button.disabled = false;
      button.textContent = "Получить новый код";
    });
  });
})();
