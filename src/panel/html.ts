// Escape-by-default HTML templates: every interpolated value is escaped unless it is an
// Html value produced by this module (another template, or raw() of trusted markup).
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]!);

type Value = Html | string | number | boolean | null | undefined | Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return "";
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join("");
  return escapeHtml(String(v));
}

/** html`<p>${text}</p>`: interpolations are escaped; arrays are joined; null/false render nothing. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Trusted markup only (constants written in this code base, never user data). */
export const raw = (s: string): Html => new Html(s);

export const when = (cond: unknown, v: () => Html): Html | null => (cond ? v() : null);

export const selected = (a: unknown, b: unknown) => (String(a) === String(b) ? raw(" selected") : null);
export const checked = (v: unknown) => (v ? raw(" checked") : null);
