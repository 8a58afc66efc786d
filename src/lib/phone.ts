// Phone numbers are stored in E.164. Withheld or anonymous numbers are "no number".
import { parsePhoneNumberFromString } from "libphonenumber-js/min";

const WITHHELD = new Set(["", "anonymous", "unknown", "<unknown>", "restricted", "private", "withheld", "unavailable"]);

// Parsing is the costly part (libphonenumber's metadata walk, ~0.1 ms); the same numbers come
// back with every event of a call and every turn of a dialogue, so results are remembered.
const MEMO_MAX = 10_000;
const memo = new Map<string, string | null>();

/** Normalises a Russian or international number to E.164, or null when it is not a usable number. */
export function normalizePhone(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const key = String(raw);
  const known = memo.get(key);
  if (known !== undefined) return known;
  const e164 = parse(key);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, e164);
  return e164;
}

function parse(raw: string): string | null {
  const s = raw.trim();
  if (WITHHELD.has(s.toLowerCase())) return null;
  let digits = s.replace(/[^\d+]/g, "");
  if (!digits) return null;
  if (!digits.startsWith("+")) {
    const d = digits.replace(/\+/g, "");
    if (d.length === 11 && (d.startsWith("8") || d.startsWith("7"))) digits = `+7${d.slice(1)}`;
    else if (d.length === 10 && d.startsWith("9")) digits = `+7${d}`;
    else digits = `+${d}`;
  }
  const p = parsePhoneNumberFromString(digits);
  if (!p || !p.isPossible()) return null;
  return p.number;
}

/** +79121234567 → +7 912 123-45-67 */
export function formatPhone(e164: string | null | undefined): string {
  if (!e164) return "";
  const m = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(e164);
  return m ? `+7 ${m[1]} ${m[2]}-${m[3]}-${m[4]}` : e164;
}
