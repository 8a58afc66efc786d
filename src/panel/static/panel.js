// Open Pechora panel: a little script on server-rendered pages. Live list over SSE, the
// incoming-call card, address and resident look-ups, uploads and JSON-API forms.
// Everything that shows data builds DOM nodes with textContent: nothing is parsed as HTML
// except fragments the server rendered with its escaping templates.
"use strict";
(function () {
  const { $, $$, csrf, el } = window.OP;
  const isStaff = () => !!$(".who");
  const status = (text) => {
    const s = $("#live-status");
    if (s) s.textContent = text;
  };
  async function getJson(url) {
    const res = await fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }

  // ---- forms: no double submit; uploads with the CSRF header; JSON-API forms ----
  function showFormError(form, message) {
    let box = $(".form-error", form);
    if (!box) {
      box = el("div", { class: "form-error flash error", role: "alert" });
      form.append(box);
    }
    box.hidden = false;
    box.textContent = message;
    box.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || ev.defaultPrevented) return; // handled by a page script
    const buttons = $$('button[type="submit"], button:not([type])', form);
    if (form.dataset.busy === "1") {
      ev.preventDefault();
      return;
    }
    if (form.dataset.api) {
      ev.preventDefault();
      return apiSubmit(form, buttons);
    }
    // Uploads, and forms marked data-inline, are posted by the script: a refusal is shown in the
    // form and what was typed stays; on success the server names the page to open (its flash waits there).
    const multipart = form.enctype === "multipart/form-data";
    if ((multipart && form.dataset.native === undefined) || (form.method === "post" && form.dataset.inline !== undefined)) {
      ev.preventDefault();
      form.dataset.busy = "1";
      buttons.forEach((b) => (b.disabled = true));
      try {
        const data = new FormData(form);
        const res = await fetch(form.action, {
          method: "POST",
          body: multipart ? data : new URLSearchParams(data),
          headers: { "x-csrf-token": csrf(), "x-requested-with": "panel" },
          credentials: "same-origin",
        });
        if (res.redirected || (res.ok && res.headers.get("content-type")?.includes("text/html"))) {
          location.assign(res.url);
          return;
        }
        const body = await res.json().catch(() => ({}));
        if (body.redirect) return location.assign(body.redirect);
        showFormError(form, (body.error && body.error.message) || `Ошибка ${res.status}`);
      } catch {
        showFormError(form, "Нет связи с сервером. Проверьте подключение и повторите.");
      }
      form.dataset.busy = "";
      buttons.forEach((b) => (b.disabled = false));
      return;
    }
    // Plain forms: the browser posts; block a second click while it does.
    form.dataset.busy = "1";
    setTimeout(() => buttons.forEach((b) => (b.disabled = true)), 0);
  });

  async function apiSubmit(form, buttons) {
    const data = {};
    let url = form.dataset.api;
    for (const input of $$("input, select, textarea", form)) {
      if (!input.name) continue;
      const type = input.dataset.type;
      if (input.dataset.path !== undefined) {
        url = url.replace(`{${input.name}}`, encodeURIComponent(input.value));
        continue;
      }
      if (type === "bool") data[input.name] = input.checked;
      else if (type === "bool-value") data[input.name] = input.value === "true";
      else if (input.value === "") continue;
      else if (type === "int") data[input.name] = Number(input.value);
      else data[input.name] = input.value;
    }
    buttons.forEach((b) => (b.disabled = true));
    const out = $("#api-result") || form;
    try {
      const res = await fetch(url, {
        method: form.dataset.method || "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrf() },
        body: JSON.stringify(data),
        credentials: "same-origin",
      });
      const body = res.status === 204 ? {} : await res.json().catch(() => ({}));
      if (!res.ok) {
        out.className = "flash error";
        out.textContent = (body.error && body.error.message) || `Ошибка ${res.status}`;
      } else if (form.dataset.show && body[form.dataset.show]) {
        out.className = "flash ok";
        out.textContent = `Сохранено. Одноразовый пароль (передайте пользователю): ${body[form.dataset.show]}`;
      } else if (form.dataset.reload !== undefined) {
        location.reload();
        return;
      } else {
        out.className = "flash ok";
        out.textContent = "Сохранено.";
      }
    } catch {
      out.className = "flash error";
      out.textContent = "Нет связи с сервером.";
    }
    buttons.forEach((b) => (b.disabled = false));
  }

  // ---- deadline countdowns ----
  function countdowns() {
    const now = Date.now();
    for (const c of $$(".countdown[data-deadline]")) {
      if (!c.dataset.deadline) continue;
      const ms = new Date(c.dataset.deadline).getTime() - now;
      const m = Math.floor(Math.abs(ms) / 60000);
      const d = Math.floor(m / 1440);
      const text = `${d ? d + " дн " : ""}${Math.floor((m % 1440) / 60)} ч ${m % 60} мин`;
      c.title = ms >= 0 ? `осталось ${text}` : `просрочена на ${text}`;
      if (c.closest(".card")) c.textContent = c.title;
      c.classList.toggle("red", ms < 0);
    }
  }

  // ---- live list and card over SSE ----
  const table = $("table[data-live-list]");
  let refreshTimer = null;
  const changed = new Set();
  async function refreshList() {
    refreshTimer = null;
    try {
      const res = await fetch(table.dataset.liveList, { credentials: "same-origin" });
      if (res.redirected || !res.ok) return status("Сеанс истёк — обновите страницу.");
      $("tbody", table).innerHTML = await res.text(); // server-rendered, escaped rows
      for (const id of changed) $(`tr[data-ticket="${id}"]`, table)?.classList.add("changed");
      changed.clear();
      countdowns();
      status(`Список обновлён в ${new Date().toLocaleTimeString("ru-RU")}`);
    } catch {
      status("Нет связи с сервером, список может быть устаревшим.");
    }
  }
  function onTicketChanged(data) {
    if (table) {
      changed.add(String(data.id));
      if (!refreshTimer) refreshTimer = setTimeout(refreshList, 250);
    }
    const card = $("[data-ticket-card]");
    if (card && card.dataset.ticketCard === String(data.id) && Number(data.version) !== Number(card.dataset.version)) {
      const stale = $("#stale");
      if (stale) stale.hidden = false;
    }
  }

  // ---- the incoming-call card (events documented in docs/push-events.md) ----
  const calls = new Map();
  function renderCall(ev, data) {
    const box = $("#callpop");
    if (!box) return;
    const id = String(data.callId ?? "");
    const known = calls.get(id);
    if (ev === "call.withdrawn" || (ev === "call.ended" && !(known && known.state === "answered"))) calls.delete(id);
    else if (ev === "call.ringing" || known)
      calls.set(id, { ...(known || {}), ...data, state: ev === "call.answered" ? "answered" : ev === "call.ended" ? "ended" : (known && known.state) || "ringing" });
    box.replaceChildren();
    box.hidden = calls.size === 0;
    for (const [cid, c] of calls) box.append(callCard(cid, c));
  }
  function list(title, items, render) {
    if (!items || !items.length) return null;
    return el("div", {}, el("h3", { text: title }), el("ul", {}, ...items.map((x) => el("li", {}, render(x)))));
  }
  // Shape: src/presenters/call.ts presentPop (call.ringing); call.answered/ended/withdrawn carry { callId }.
  function callCard(id, c) {
    const residents = c.residents || [];
    const resident = residents.length === 1 ? residents[0] : null;
    const phone = c.callerNumberFormatted || c.callerNumber || "номер скрыт";
    const who = residents.length ? residents.map((r) => r.fullName || "житель без имени").join(", ") : "неизвестный абонент";
    const addresses = residents.flatMap((r) => r.addresses || []);
    const create = el("button", { type: "button", class: "primary", text: "Создать заявку" });
    create.addEventListener("click", () => {
      const home = addresses.length === 1 ? addresses[0] : null;
      sessionStorage.setItem(
        "op_prefill",
        JSON.stringify({ callId: id, phone: c.callerNumber || "", name: resident ? resident.fullName || "" : "", residentId: resident ? resident.id : null, home }),
      );
      location.assign("/panel/tickets/new");
    });
    const close = el("button", { type: "button", class: "link", text: "Скрыть" });
    close.addEventListener("click", () => renderCall("call.withdrawn", { callId: id }));
    const ticketLink = (t) => el("span", {}, el("a", { href: `/panel/tickets/${Number(t.id)}`, text: `№ ${t.number}` }), ` — ${t.statusLabel || ""}${t.address ? ", " + t.address : ""}`);
    const title = c.state === "ended" ? "Звонок завершён" : c.state === "answered" ? "Разговор" : "Входящий звонок";
    return el(
      "section",
      { class: "call", "data-call": id, role: "dialog", "aria-label": "Входящий звонок" },
      el("h2", { text: title }),
      el("p", { class: "caller" }, el("b", { text: phone }), ` — ${who}`),
      list("Адреса", addresses, (a) => a.address || ""),
      list("Открытые заявки жителя", c.tickets, ticketLink),
      list("Заявки по дому", c.buildingTickets, ticketLink),
      list("Отключения", c.outages, (o) => `${RESOURCES[o.resource] || o.resource || ""}: ${o.reason || ""}${o.expectedEndAt ? ", до " + new Date(o.expectedEndAt).toLocaleString("ru-RU") : ""}`),
      list("Недавние звонки", c.recentCalls, (r) => `${r.startedAt ? new Date(r.startedAt).toLocaleString("ru-RU") : ""} — ${r.outcomeLabel || ""}${r.operatorName ? ", " + r.operatorName : ""}`),
      el("div", { class: "row" }, create, close),
    );
  }
  const RESOURCES = { cold_water: "Холодная вода", hot_water: "Горячая вода", heating: "Отопление", electricity: "Электричество", gas: "Газ", sewerage: "Канализация" };

  // ---- the PBX link: a banner while screen-pops cannot come ----
  const SEES_PBX = ["operator", "admin", "oversight"];
  function renderPbxLink(link) {
    let box = $("#pbx-link");
    if (!box) {
      const main = $("#main");
      if (!main) return;
      box = el("div", { id: "pbx-link", class: "flash warn", role: "alert" });
      main.prepend(box);
    }
    box.dataset.state = link.state;
    box.hidden = !link.message;
    box.textContent = link.message || "";
  }
  async function loadPbxLink() {
    if (!SEES_PBX.includes(document.body.dataset.role)) return;
    try {
      renderPbxLink(await getJson("/api/telephony/link"));
    } catch {
      /* not for this user */
    }
  }

  function connectStream() {
    if (!isStaff() || !window.EventSource) return;
    const es = new EventSource("/api/stream");
    let connectedBefore = false;
    // Changes missed while pushes could not arrive are fetched at once: the list, the call-backs
    // and the calls ringing now (after a page change the pop would be lost otherwise).
    const catchUp = async (missed) => {
      void loadPbxLink();
      if (missed && table && !refreshTimer) refreshTimer = setTimeout(refreshList, 0);
      if (missed) document.dispatchEvent(new CustomEvent("op:callbacks"));
      if (document.body.dataset.role !== "operator") return;
      try {
        const { items } = await getJson("/api/calls/ringing");
        for (const pop of items) if (!calls.has(String(pop.callId))) renderCall("call.ringing", pop);
      } catch {
        /* telephony not configured */
      }
    };
    es.addEventListener("hello", () => {
      status("Обновления в реальном времени подключены");
      const missed = connectedBefore;
      connectedBefore = true;
      return catchUp(missed);
    });
    // The server's own link to the database was restored: pushes in between are lost.
    es.addEventListener("resync", () => catchUp(true));
    es.addEventListener("ticket.changed", (e) => onTicketChanged(JSON.parse(e.data)));
    es.addEventListener("callbacks.changed", () => document.dispatchEvent(new CustomEvent("op:callbacks")));
    es.addEventListener("pbx.link", (e) => renderPbxLink(JSON.parse(e.data)));
    for (const name of ["call.ringing", "call.answered", "call.ended", "call.withdrawn"])
      es.addEventListener(name, (e) => renderCall(name, JSON.parse(e.data)));
    es.onerror = () => status("Связь с сервером прервана, переподключение…");
  }

  // ---- address picker: street → house → apartment ----
  function addressPicker(box) {
    const base = box.dataset.addressApi;
    const street = $("#street", box);
    const streets = $("#street-list", box);
    const house = $("#buildingId", box);
    const apt = $("#apartmentId", box);
    let timer = null;
    let lastStreet = "";
    const fill = (select, items, placeholder, label) => {
      select.replaceChildren(el("option", { value: "", text: placeholder }), ...items.map((i) => el("option", { value: String(i.id), text: label(i) })));
    };
    street.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = street.value.trim();
        if (q.length < 2) return;
        const { items } = await getJson(`${base}/buildings?q=${encodeURIComponent(q)}`);
        const names = [...new Set(items.map((b) => b.street))];
        streets.replaceChildren(...names.map((n) => el("option", { value: n })));
        if (names.includes(q)) loadHouses(q);
      }, 200);
    });
    street.addEventListener("change", () => loadHouses(street.value.trim()));
    async function loadHouses(name) {
      if (!name || name === lastStreet) return;
      lastStreet = name;
      const { items } = await getJson(`${base}/buildings?street=${encodeURIComponent(name)}`);
      const mine = items.filter((b) => b.street.toLowerCase() === name.toLowerCase());
      fill(house, mine, mine.length ? "— выберите дом —" : "— дом не найден —", (b) => `д. ${b.house}${b.buildingPart ? " корп. " + b.buildingPart : ""}`);
      fill(apt, [], "— не указана —", () => "");
      if (mine.length === 1) {
        house.value = String(mine[0].id);
        house.dispatchEvent(new Event("change"));
      }
    }
    let seq = 0;
    house.addEventListener("change", async () => {
      const mySeq = ++seq;
      if (!house.value) return fill(apt, [], "— не указана —", () => "");
      const { items } = await getJson(`${base}/buildings/${encodeURIComponent(house.value)}/apartments`);
      if (mySeq !== seq) return; // a later choice is loading
      fill(apt, items, "— не указана —", (a) => `кв. ${a.number}`);
      if (apt.dataset.want) {
        apt.value = apt.dataset.want;
        delete apt.dataset.want;
      }
    });
    box.choose = async (streetName, buildingId, apartmentId) => {
      street.value = streetName;
      lastStreet = "";
      await loadHouses(streetName);
      house.value = String(buildingId);
      if (apartmentId) apt.dataset.want = String(apartmentId);
      house.dispatchEvent(new Event("change"));
    };
  }

  // ---- the operator's form: resident by phone, prefill from the call card ----
  function newTicketForm(form) {
    const phone = $("#contactPhone", form);
    const out = $("#resident-results", form);
    const picker = $("[data-address-api]", form);
    async function find() {
      out.replaceChildren();
      $("#residentId", form).value = "";
      if (phone.value.trim().length < 5) return;
      try {
        const { items } = await getJson(`/api/residents?phone=${encodeURIComponent(phone.value.trim())}`);
        if (!items.length) return out.append(el("p", { class: "muted", text: "Житель с этим номером не найден — будет записан новый контакт." }));
        for (const r of items) {
          const choices = r.apartments && r.apartments.length ? r.apartments : [null];
          for (const a of choices) {
            const b = el("button", { type: "button", class: "choice", text: `${r.fullName || "без имени"}${a ? ", " + a.address : ""}` });
            b.addEventListener("click", async () => {
              $("#residentId", form).value = String(r.id);
              $("#contactName", form).value = r.fullName || "";
              if (a) {
                const { items: bs } = await getJson(`/api/buildings?q=${encodeURIComponent(a.address.split(", ")[1] || "")}`);
                const bld = bs.find((x) => x.id === a.buildingId);
                if (bld && picker.choose) await picker.choose(bld.street, bld.id, a.id);
              }
              out.replaceChildren(el("p", { class: "ok", text: `Выбран: ${b.textContent}` }));
            });
            out.append(b);
          }
        }
      } catch {
        out.append(el("p", { class: "flash error", text: "Поиск не удался." }));
      }
    }
    $("#find-resident", form).addEventListener("click", find);
    phone.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        find();
      }
    });
    const pre = sessionStorage.getItem("op_prefill");
    if (pre) {
      sessionStorage.removeItem("op_prefill");
      try {
        const p = JSON.parse(pre);
        phone.value = p.phone || "";
        $("#contactName", form).value = p.name || "";
        $("#channel", form).value = "phone";
        if (p.callId) form.append(el("input", { type: "hidden", name: "callId", value: String(p.callId) }));
        if (p.residentId) $("#residentId", form).value = String(p.residentId);
        if (p.home && picker.choose) picker.choose(p.home.address.split(", ")[1] || "", p.home.buildingId, p.home.apartmentId);
        else if (phone.value) find();
      } catch {
        /* ignore a broken prefill */
      }
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    countdowns();
    setInterval(countdowns, 30000);
    for (const box of $$("[data-address-api]")) addressPicker(box);
    const form = $("#new-ticket");
    if (form) newTicketForm(form);
    connectStream();
  });
})();
