// The bad-input corpus: each case is one request that must be refused with a clear error
// (4xx, a stable error id, a Russian message) and must write nothing.
export interface BadCase {
  name: string;
  as: "operator" | "uo" | "contractor" | "admin" | "anon";
  method: string;
  path: string;
  /** JSON body (object/array/primitive), a raw string with a content type, or multipart parts. */
  json?: unknown;
  raw?: { body: string | Uint8Array; type: string };
  multipart?: Array<{ field: string; value: string | { data: Uint8Array; name: string; type: string } }>;
}

export interface CorpusIds {
  ticketId: number;
  buildingId: number;
  otherApartmentId: number;
  categoryId: number;
  uoId: number;
  contractorId: number;
  outageId: number;
}

const BIG = "я".repeat(5000);
const INJECT = "1; DROP TABLE tickets; --";
const wrongTypes = [null, true, [], {}, "абв", -1, 0, 1.5, INJECT, BIG];

export function corpus(ids: CorpusIds): BadCase[] {
  const cases: BadCase[] = [];
  const add = (c: BadCase) => cases.push(c);
  const ticket = { categoryId: ids.categoryId, description: "Течёт кран", buildingId: ids.buildingId, channel: "phone" };

  // --- POST /api/tickets: every field with values of the wrong type or out of range
  const perField: Record<string, unknown[]> = {
    categoryId: [...wrongTypes, 999_999, "8; SELECT 1"],
    description: [null, 5, true, [], {}, "", "   ", "x".repeat(4001)],
    buildingId: ["абв", -5, 0, 1.5, {}, [], true, 999_999],
    apartmentId: ["x", -1, {}, 999_999, ids.otherApartmentId],
    residentId: ["x", -1, {}, 999_999],
    contactPhone: ["не телефон", "123", "x".repeat(31), 5, {}, "+7 (912) 000-00-0"],
    contactName: [5, {}, [], "x".repeat(201)],
    addressText: [5, {}, "x".repeat(301)],
    channel: ["telegram", "", 5, "ВК", null],
    emergency: ["yes", 1, {}, "true"],
  };
  for (const [field, values] of Object.entries(perField))
    values.forEach((v, i) => add({ name: `ticket ${field} #${i} ${JSON.stringify(v)?.slice(0, 30)}`, as: "operator", method: "POST", path: "/api/tickets", json: { ...ticket, [field]: v } }));
  for (const extra of ["status", "id", "uoId", "number", "version", "createdAt", "publishable", "executorOrgId"])
    add({ name: `ticket extra field ${extra}`, as: "operator", method: "POST", path: "/api/tickets", json: { ...ticket, [extra]: extra === "status" ? "closed" : 1 } });
  add({ name: "ticket __proto__ pollution", as: "operator", method: "POST", path: "/api/tickets", raw: { body: `{"categoryId":${ids.categoryId},"description":"x","buildingId":${ids.buildingId},"__proto__":{"admin":true}}`, type: "application/json" } });
  add({ name: "ticket constructor key", as: "operator", method: "POST", path: "/api/tickets", json: { ...ticket, constructor: { prototype: { x: 1 } } } });
  add({ name: "ticket without address", as: "operator", method: "POST", path: "/api/tickets", json: { categoryId: ids.categoryId, description: "x" } });
  for (const [i, body] of ["null", "[]", '"x"', "5", "{", '{"a":', "{'a':1}", "\u0000", '{"categoryId":1,,}', "[".repeat(5000)].entries())
    add({ name: `ticket malformed JSON #${i}`, as: "operator", method: "POST", path: "/api/tickets", raw: { body, type: "application/json" } });
  add({ name: "ticket as text/plain", as: "operator", method: "POST", path: "/api/tickets", raw: { body: "categoryId=1", type: "text/plain" } });
  add({ name: "ticket as XML", as: "operator", method: "POST", path: "/api/tickets", raw: { body: "<ticket/>", type: "application/xml" } });
  add({ name: "ticket body over 1 MB", as: "operator", method: "POST", path: "/api/tickets", raw: { body: JSON.stringify({ ...ticket, description: "x".repeat(1_100_000) }), type: "application/json" } });
  add({ name: "ticket created by a contractor", as: "contractor", method: "POST", path: "/api/tickets", json: ticket });
  add({ name: "ticket created anonymously", as: "anon", method: "POST", path: "/api/tickets", json: ticket });

  // --- actions on a real ticket
  const act = (action: string, json: unknown, name = `action ${action} ${JSON.stringify(json).slice(0, 40)}`, as: BadCase["as"] = "uo") =>
    add({ name, as, method: "POST", path: `/api/tickets/${ids.ticketId}/actions/${encodeURIComponent(action)}`, json });
  for (const a of ["hack", "__proto__", "constructor", "toString", "ASSIGN", "assign ", "../../etc/passwd", "close;drop"]) act(a, {});
  for (const v of ["x", -1, 999_999, 1.5, {}, null]) act("assign", { executorOrgId: v });
  act("assign", {});
  act("assign", { executorOrgId: ids.uoId }, "assign to a УО as executor");
  act("assign", { executorOrgId: ids.contractorId, expectedVersion: 999 }, "assign with a stale version");
  act("assign", { executorOrgId: ids.contractorId, expectedVersion: -1 }, "assign with a negative version");
  act("assign", { executorOrgId: ids.contractorId, expectedVersion: "x" }, "assign with a text version");
  act("assign", { executorOrgId: ids.contractorId, foo: 1 }, "assign with an unknown field");
  for (const v of ["", "  ", "x".repeat(2001), 5, {}]) act("reject", { reason: v });
  for (const v of ["2026-13-45", "вчера", "", 5e20, {}]) act("postpone", { until: v, reason: "ждём запчасть" });
  for (const v of ["2026-02-30T25:00", "никогда", {}]) act("extend", { deadlineAt: v, reason: "сложный случай" });
  for (const v of [0, 6, "x", 3.5, -1]) act("rate", { rating: v });
  for (const v of ["nope", 5, ""]) act("decline", { declineReason: v }, `decline reason ${JSON.stringify(v)}`, "contractor");
  act("set_publishable", { publishable: "да" });
  act("report", { worksDone: "" }, "report with empty works", "contractor");
  act("close", {}, "close an unverified ticket", "operator");
  act("accept", {}, "accept by someone else's contractor", "operator");

  // --- contact attempts
  for (const [i, body] of ([{ outcome: "maybe" }, { outcome: "" }, { outcome: 5 }, {}, { outcome: "answered", note: "x".repeat(1001) }, { outcome: "busy", phone: "x".repeat(31) }, { outcome: "busy", phone: "не номер" }, { outcome: "busy", extra: 1 }] as unknown[]).entries())
    add({ name: `contact attempt #${i}`, as: "operator", method: "POST", path: `/api/tickets/${ids.ticketId}/contact-attempts`, json: body });

  // --- ids in paths
  for (const id of ["0", "-1", "1.5", "abc", "999999999999", "1e3", "%00", "1;drop", "NaN", "Infinity"]) {
    add({ name: `ticket card id ${id}`, as: "operator", method: "GET", path: `/api/tickets/${id}` });
    add({ name: `attachment id ${id}`, as: "operator", method: "GET", path: `/api/attachments/${id}` });
  }

  // --- list queries
  for (const q of ["status=bogus", "status=closed,bogus", "page=0", "page=-1", "page=abc", "perPage=0", "perPage=1000", "sort=evil", "from=вчера", "to=2026-13-01", "emergency=maybe", "overdue=1", "open=yes", "uoId=abc", "uoId=-1", "buildingId=1.5", `q=${"x".repeat(201)}`, "from=2026-12-31&to=2026-01-01"])
    add({ name: `ticket list ${q.slice(0, 40)}`, as: "operator", method: "GET", path: `/api/tickets?${q}` });
  for (const q of ["from=2026-01-01", "from=bad&to=bad", "from=2026-01-01&to=2025-01-01", "from=2020-01-01&to=2026-01-01", "from=2026-01-01&to=2026-02-01&by=evil", "from=2026-01-01&to=2026-02-01&format=pdf", "from=2026-01-01&to=2026-02-01&uoId=x"])
    add({ name: `report ${q}`, as: "admin", method: "GET", path: `/api/reports?${q}` });
  for (const q of ["month=2026-13", "month=вчера", "month="]) add({ name: `ratings ${q}`, as: "admin", method: "GET", path: `/api/reports/ratings?${q}` });
  for (const q of ["from=x&to=y", "from=2026-01-01&to=2026-02-01&perPage=100000", "from=2026-01-01&to=2026-02-01&status=evil"])
    add({ name: `open feed ${q}`, as: "anon", method: "GET", path: `/open/v1/tickets?${q}` });

  // --- outages
  const day = 86_400_000;
  const outage = { resource: "heating", kind: "planned", startsAt: new Date(Date.now() + day).toISOString(), expectedEndAt: new Date(Date.now() + 2 * day).toISOString(), reason: "ремонт", buildingIds: [ids.buildingId] };
  const outageBad: Array<[string, unknown]> = [
    ["resource", "steam"], ["resource", 5], ["kind", "someday"], ["startsAt", "завтра"], ["expectedEndAt", "2026-99-99"],
    ["reason", ""], ["reason", "x".repeat(1001)], ["buildingIds", ["x"]], ["buildingIds", [-1]], ["buildingIds", "1,2"],
    ["buildingIds", Array.from({ length: 5001 }, (_, i) => i + 1)], ["streets", [{ street: "" }]], ["streets", [{ street: "Ленина", parity: "prime" }]],
    ["streets", [{ street: "Ленина", from: -5 }]], ["extra", 1],
  ];
  for (const [f, v] of outageBad) add({ name: `outage ${f}=${JSON.stringify(v).slice(0, 30)}`, as: "uo", method: "POST", path: "/api/outages", json: { ...outage, [f]: v } });
  add({ name: "outage ends before it starts", as: "uo", method: "POST", path: "/api/outages", json: { ...outage, expectedEndAt: new Date(Date.now() - day).toISOString() } });
  add({ name: "outage update with a stale version", as: "uo", method: "PATCH", path: `/api/outages/${ids.outageId}`, json: { reason: "другая", expectedVersion: 999 } });

  // --- accounts
  for (const body of [{}, { login: "" }, { login: "x", password: 5 }, { login: "x".repeat(1000), password: "y" }, { login: ["a"], password: "b" }, { login: "admin", password: "wrong-password" }])
    add({ name: `login ${JSON.stringify(body).slice(0, 40)}`, as: "anon", method: "POST", path: "/api/auth/login", json: body });
  for (const body of [{}, { role: "god", login: "x", fullName: "x" }, { role: "operator", login: "", fullName: "x" }, { role: "operator", login: "a b c", fullName: "" }])
    add({ name: `user create ${JSON.stringify(body).slice(0, 40)}`, as: "admin", method: "POST", path: "/api/users", json: body });
  for (const body of [{}, { userId: "x", name: "t" }, { userId: 999_999, name: "t" }, { userId: 1, name: "" }])
    add({ name: `token ${JSON.stringify(body)}`, as: "admin", method: "POST", path: "/api/tokens", json: body });
  for (const body of [{ deadlineValue: -1 }, { deadlineValue: "x" }, { active: "yes" }])
    add({ name: `category patch ${JSON.stringify(body)}`, as: "admin", method: "PATCH", path: `/api/categories/${ids.categoryId}`, json: body });
  for (const day of ["2026-02-30", "завтра", "2026-1-1"]) add({ name: `calendar day ${day}`, as: "admin", method: "PUT", path: `/api/calendar/${day}`, json: { kind: "off" } });

  // --- uploads (attachment: multipart "file" + "kind")
  const file = (data: Uint8Array | string, name: string, type: string) => ({ data: typeof data === "string" ? new TextEncoder().encode(data) : data, name, type });
  const up = (name: string, parts: BadCase["multipart"]) => add({ name: `upload ${name}`, as: "operator", method: "POST", path: `/api/tickets/${ids.ticketId}/attachments`, multipart: parts });
  up("text renamed .png", [{ field: "file", value: file("просто текст", "photo.png", "image/png") }]);
  up("html page", [{ field: "file", value: file("<html><script>alert(1)</script></html>", "x.html", "text/html") }]);
  up("svg with script", [{ field: "file", value: file('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg", "image/svg+xml") }]);
  up("ELF binary as pdf", [{ field: "file", value: file(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), "doc.pdf", "application/pdf") }]);
  up("zip as jpg", [{ field: "file", value: file(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]), "x.jpg", "image/jpeg") }]);
  up("empty file", [{ field: "file", value: file(new Uint8Array(), "empty.png", "image/png") }]);
  up("no file", [{ field: "kind", value: "photo" }]);
  up("wrong field name", [{ field: "document", value: file("%PDF-1.4", "x.pdf", "application/pdf") }]);
  up("two files", [{ field: "file", value: file("%PDF-1.4\n%%EOF", "a.pdf", "application/pdf") }, { field: "file", value: file("%PDF-1.4\n%%EOF", "b.pdf", "application/pdf") }]);
  up("bad kind", [{ field: "kind", value: "virus" }, { field: "file", value: file("%PDF-1.4\n%%EOF", "a.pdf", "application/pdf") }]);
  up("over the size limit", [{ field: "file", value: file(new Uint8Array(70_000).fill(0x41), "big.pdf", "application/pdf") }]);
  up("path traversal name, bad content", [{ field: "file", value: file("text", "../../../etc/passwd", "text/plain") }]);
  add({ name: "upload as JSON", as: "operator", method: "POST", path: `/api/tickets/${ids.ticketId}/attachments`, json: { file: "data:image/png;base64,AAAA" } });
  add({ name: "upload truncated multipart", as: "operator", method: "POST", path: `/api/tickets/${ids.ticketId}/attachments`, raw: { body: '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG', type: "multipart/form-data; boundary=XX" } });
  add({ name: "upload multipart without boundary", as: "operator", method: "POST", path: `/api/tickets/${ids.ticketId}/attachments`, raw: { body: "garbage", type: "multipart/form-data" } });
  add({ name: "upload to a missing ticket", as: "operator", method: "POST", path: `/api/tickets/999999/attachments`, multipart: [{ field: "file", value: file("%PDF-1.4\n%%EOF", "a.pdf", "application/pdf") }] });

  // --- CSV rows (buildings import into the УО, admin)
  const header = '"Населенный пункт";"Район города";"Улица";"Дом";"Корпус";"Квартира";"Лицевой счет";"Фамилия, имя, отчество";"Этаж";"Подъезд"';
  const good = '"г. Печора";"";"ул. Корпусная";"7";"";"1";"CSV-OK-1";"";"1";"1"';
  const csvRows: Array<[string, string]> = [
    ["missing street", '"г. Печора";"";"";"7";"";"2";"CSV-2";"";"1";"1"'],
    ["missing personal account", '"г. Печора";"";"ул. Корпусная";"7";"";"3";"";"";"1";"1"'],
    ["floor not a number", '"г. Печора";"";"ул. Корпусная";"7";"";"4";"CSV-4";"";"первый";"1"'],
    ["entrance negative", '"г. Печора";"";"ул. Корпусная";"7";"";"5";"CSV-5";"";"1";"-3"'],
    ["duplicate personal account", '"г. Печора";"";"ул. Корпусная";"7";"";"6";"CSV-OK-1";"";"1";"1"'],
    ["too few columns", '"г. Печора";"ул. Корпусная"'],
    ["unbalanced quote", '"г. Печора;"";"ул. Корпусная";"7";"";"7";"CSV-7";"";"1";"1"'],
    ["settlement only", '"г. Печора";"";"";"";"";"";"";"";"";""'],
    ["missing house", '"г. Печора";"";"ул. Корпусная";"";"";"9";"CSV-9";"";"1";"1"'],
    ["missing apartment", '"г. Печора";"";"ул. Корпусная";"7";"";"";"CSV-10";"";"1";"1"'],
  ];
  for (const [name, row] of csvRows)
    add({ name: `CSV ${name} (one good row, one bad)`, as: "admin", method: "POST", path: `/api/onboarding/organisations/${ids.uoId}/buildings/import`, multipart: [{ field: "file", value: file(`${header}\r\n${good}\r\n${row}\r\n`, "doma.csv", "text/csv") }] });
  add({ name: "CSV header only", as: "admin", method: "POST", path: `/api/onboarding/organisations/${ids.uoId}/buildings/import`, multipart: [{ field: "file", value: file(`${header}\r\n`, "doma.csv", "text/csv") }] });
  add({ name: "CSV unknown columns", as: "admin", method: "POST", path: `/api/onboarding/organisations/${ids.uoId}/buildings/import`, multipart: [{ field: "file", value: file(`"a";"b"\r\n"1";"2"\r\n`, "doma.csv", "text/csv") }] });
  add({ name: "CSV binary garbage", as: "admin", method: "POST", path: `/api/onboarding/organisations/${ids.uoId}/buildings/import`, multipart: [{ field: "file", value: file(new Uint8Array([0, 1, 2, 255, 254, 0, 7]), "doma.csv", "text/csv") }] });
  add({ name: "CSV into a contractor", as: "admin", method: "POST", path: `/api/onboarding/organisations/${ids.contractorId}/buildings/import`, multipart: [{ field: "file", value: file(`${header}\r\n${good}\r\n`, "doma.csv", "text/csv") }] });
  add({ name: "CSV fake xlsx", as: "admin", method: "POST", path: `/api/onboarding/organisations/${ids.uoId}/buildings/import`, multipart: [{ field: "file", value: file("not a zip", "doma.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") }] });
  return cases;
}
