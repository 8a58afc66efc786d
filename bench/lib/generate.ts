// Analytics-scale data made in SQL (generate_series) inside the bench database: УО, executors,
// buildings, apartments, residents and tickets spread over two years in every state.
// setseed makes a run reproducible; everything is marked "Бенч" so it is never mistaken for real data.
import pg from "pg";

export interface Generated {
  uoIds: number[];
  executorIds: number[];
  buildingIds: number[];
  tickets: number;
  residents: number;
  ms: number;
}

export async function generateDistrict(url: string, size: { tickets: number; residents: number }, log: (m: string) => void): Promise<Generated> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t0 = performance.now();
  try {
    await c.query("SET synchronous_commit = off");
    await c.query("SELECT setseed(0.42)");
    const uo = await c.query<{ id: number }>(
      `INSERT INTO organisations (type, name, short_name) SELECT 'management_company', 'Бенч УО ' || g, 'Бенч УО ' || g FROM generate_series(1, 30) g RETURNING id`,
    );
    const ex = await c.query<{ id: number }>(
      `INSERT INTO organisations (type, name, short_name)
       SELECT CASE WHEN g % 4 = 0 THEN 'resource_supplier' ELSE 'contractor' END, 'Бенч ПО ' || g, 'Бенч ПО ' || g FROM generate_series(1, 40) g RETURNING id`,
    );
    const uoIds = uo.rows.map((r) => r.id);
    const executorIds = ex.rows.map((r) => r.id);
    await c.query(
      `INSERT INTO organisation_links (uo_id, provider_id) SELECT u, e FROM unnest($1::int[]) WITH ORDINALITY AS a(u, i), unnest($2::int[]) WITH ORDINALITY AS b(e, j) WHERE (i + j) % 5 = 0`,
      [uoIds, executorIds],
    );
    const b = await c.query<{ id: number }>(
      `INSERT INTO buildings (settlement, city_district, street, house, uo_id)
       SELECT 'г. Печора', 'Бенч-район ' || (g % 6), 'ул. Бенч ' || (g / 10), (g % 10 + 1)::text, ($1::int[])[1 + g % 30]
         FROM generate_series(0, 2999) g RETURNING id`,
      [uoIds],
    );
    const buildingIds = b.rows.map((r) => r.id);
    await c.query(
      `INSERT INTO apartments (building_id, number, floor, entrance)
       SELECT bid, n::text, 1 + n / 8, 1 + n / 20 FROM unnest($1::int[]) bid, generate_series(1, 40) n`,
      [buildingIds],
    );
    log(`P4: ${buildingIds.length} buildings, ${buildingIds.length * 40} apartments; ${size.residents} residents…`);
    await c.query(
      `INSERT INTO residents (full_name, phone, consent_at, consent_version)
       SELECT 'Бенч Житель ' || g, '+7900' || lpad(g::text, 7, '0'), now(), 'bench' FROM generate_series(1, $1::int) g`,
      [size.residents],
    );
    // Fresh statistics before the join: after another scenario (P3's 1,200 residents) the planner
    // still thinks the tables small and nests loops over 20,000 × 120,000 rows.
    await c.query("ANALYZE residents, apartments");
    await c.query(
      `INSERT INTO resident_apartments (resident_id, apartment_id)
       SELECT r.id, a.id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM residents WHERE consent_version = 'bench') r
       JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM apartments WHERE building_id = ANY($1::int[])) a
         ON a.n = 1 + (r.n - 1) % ($2::int * 40)`,
      [buildingIds, buildingIds.length],
    );
    log(`P4: ${size.tickets} tickets…`);
    const chunk = 250_000;
    for (let from = 1; from <= size.tickets; from += chunk) {
      const to = Math.min(size.tickets, from + chunk - 1);
      await c.query(TICKETS_SQL, [from, to, buildingIds, executorIds]);
    }
    // A district that has been running: its watches have already raised their notices (else the
    // first tick after start would raise one for each of ~250,000 open tickets), and tickets wait
    // for the resident's confirmation since days, not years (else the first tick closes them all).
    await c.query(SEEN_BY_THE_WATCHES_SQL);
    // The app's scheduled fold would do this within seconds; the bench does not wait for it.
    await c.query("SELECT ticket_summary_fold()");
    // A table grown over two years has been vacuumed by autovacuum many times over: visibility map
    // and hint bits set. A bulk load has neither, and every first read would pay for them.
    await c.query("VACUUM (ANALYZE) organisations, buildings, apartments, residents, resident_apartments, tickets, ticket_summary_folded, ticket_summary_delta, scheduled_notices");
    return { uoIds, executorIds, buildingIds, tickets: size.tickets, residents: size.residents, ms: performance.now() - t0 };
  } finally {
    await c.end();
  }
}

// One row per g; the random draws of a row come from the LATERAL subquery (it mentions g so it is
// evaluated per row). States: 75 % closed, the rest spread over the open states.
const TICKETS_SQL = `
WITH cat AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(emergency ORDER BY id) AS em FROM categories WHERE active),
     res AS (SELECT min(id) AS lo, max(id) AS hi FROM residents WHERE consent_version = 'bench'),
     bld AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(uo_id ORDER BY id) AS uos FROM buildings WHERE id = ANY($3::int[]))
INSERT INTO tickets (number, status, channel, resident_id, contact_name, contact_phone, building_id, address_text, category_id,
  description, emergency, uo_id, executor_org_id, deadline_at, deadline_basis, dispatch_deadline_at, crew_dispatched_at, works_done,
  closure_kind, rating, reopened_count, publishable, version, reported_at, verified_at, closed_at, created_at, updated_at)
SELECT 'B-' || lpad(g::text, 7, '0'), s.status,
  (ARRAY['phone','telegram','vk','web','panel'])[1 + floor(v.r5 * 5)::int],
  res.lo + floor(v.r6 * (res.hi - res.lo + 1))::int, 'Бенч Житель', '+7900' || lpad((g % 1000000)::text, 7, '0'),
  bld.ids[1 + bi], NULL, cat.ids[1 + ci],
  'Бенч: течёт батарея отопления в подъезде, нужен осмотр', cat.em[1 + ci] OR v.r7 < 0.03,
  CASE WHEN s.status IN ('pending_confirmation','awaiting_routing') THEN NULL ELSE bld.uos[1 + bi] END,
  CASE WHEN s.status IN ('pending_confirmation','awaiting_routing','routed') THEN NULL ELSE ($4::int[])[1 + g % cardinality($4::int[])] END,
  w.created + (1 + floor(v.r2 * 10)) * interval '1 day', 'bench',
  CASE WHEN cat.em[1 + ci] THEN w.created + interval '30 minutes' END,
  CASE WHEN cat.em[1 + ci] AND s.status NOT IN ('pending_confirmation','awaiting_routing','routed','assigned') THEN w.created + v.r3 * interval '50 minutes' END,
  CASE WHEN s.status IN ('reported','verified','closed') THEN 'Бенч: работы выполнены' END,
  CASE WHEN s.status = 'closed' THEN (ARRAY['resident_confirmed','resident_confirmed','operator_confirmed','no_answer','unreachable','declined'])[1 + floor(v.r4 * 6)::int] END,
  CASE WHEN s.status = 'closed' AND v.r8 < 0.3 THEN 1 + floor(v.r9 * 5)::int END,
  CASE WHEN v.r9 < 0.04 THEN 1 ELSE 0 END, v.r8 < 0.5, 3,
  CASE WHEN s.status IN ('reported','verified','closed') THEN w.created + v.r2 * interval '12 days' END,
  CASE WHEN s.status IN ('verified','closed') THEN w.created + v.r2 * interval '12 days' + interval '3 hours' END,
  CASE WHEN s.status = 'closed' THEN w.created + v.r2 * interval '12 days' + interval '1 day' END,
  w.created, w.created
FROM generate_series($1::int, $2::int) g
CROSS JOIN cat CROSS JOIN res CROSS JOIN bld
CROSS JOIN LATERAL (SELECT random() + 0 * g AS r0, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                           random() AS r5, random() AS r6, random() AS r7, random() AS r8, random() AS r9) v
-- closed tickets spread over two years, open ones over the last month
CROSS JOIN LATERAL (SELECT now() - v.r0 * CASE WHEN v.r1 < 0.75 THEN interval '730 days' ELSE interval '30 days' END AS created) w
CROSS JOIN LATERAL (SELECT (g::bigint * 7919) % cardinality(bld.ids) AS bi, floor(v.r3 * 997)::int % cardinality(cat.ids) AS ci) k(bi, ci)
CROSS JOIN LATERAL (SELECT CASE
    WHEN v.r1 < 0.75 THEN 'closed' WHEN v.r1 < 0.78 THEN 'verified' WHEN v.r1 < 0.81 THEN 'reported' WHEN v.r1 < 0.85 THEN 'accepted'
    WHEN v.r1 < 0.90 THEN 'assigned' WHEN v.r1 < 0.95 THEN 'routed' WHEN v.r1 < 0.97 THEN 'awaiting_routing' WHEN v.r1 < 0.985 THEN 'postponed'
    WHEN v.r1 < 0.995 THEN 'crew_dispatched' ELSE 'pending_confirmation' END AS status) s`;

// Refs as the watches write them (src/jobs/tasks.ts: deadlineWatch, emergencyDispatchWatch,
// confirmationWatch with the default settings: 4 h, 30 min, 24 h, 15 days).
const SEEN_BY_THE_WATCHES_SQL = `
UPDATE tickets SET verified_at = now() - random() * interval '14 days' WHERE status = 'verified' AND number LIKE 'B-%';
INSERT INTO scheduled_notices (kind, ref)
SELECT CASE WHEN deadline_at <= now() THEN 'deadline_passed' ELSE 'deadline_soon' END,
       id || ':' || CASE WHEN deadline_at <= now() THEN 'passed' ELSE 'soon' END || ':' || to_char(deadline_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MI')
  FROM tickets WHERE number LIKE 'B-%' AND status IN ('routed','assigned','accepted','crew_dispatched','reported') AND deadline_at <= now() + interval '4 hours'
ON CONFLICT DO NOTHING;
INSERT INTO scheduled_notices (kind, ref)
SELECT 'dispatch_overdue', id::text FROM tickets
 WHERE number LIKE 'B-%' AND emergency AND crew_dispatched_at IS NULL AND status IN ('awaiting_routing','routed','assigned','accepted') AND created_at <= now() - interval '30 minutes'
ON CONFLICT DO NOTHING;
INSERT INTO scheduled_notices (kind, ref)
SELECT 'confirmation_reminder', id::text || ':' || to_char(verified_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS') FROM tickets
 WHERE number LIKE 'B-%' AND status = 'verified' AND verified_at <= now() - interval '24 hours' AND resident_id IS NOT NULL
ON CONFLICT DO NOTHING;`;
