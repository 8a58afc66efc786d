// Every personal field of the generated residents, and a scanner that finds any of them in a
// public output (JSON, CSV or XML text).
import type { Generated } from "./generate.ts";

export function personalNeedles(g: Generated): Array<{ what: string; re: RegExp }> {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const out: Array<{ what: string; re: RegExp }> = [];
  for (const r of g.residents) {
    if (!r.fullName || !r.phone) throw new Error("generated residents have a name and a phone");
    out.push({ what: `name ${r.fullName}`, re: new RegExp(esc(r.fullName), "i") });
    const last = r.fullName.split(" ").at(-1)!;
    out.push({ what: `name part ${last}`, re: new RegExp(esc(last), "i") });
    const d = r.phone!.replace(/\D/g, ""); // 7912xxxxxxx
    out.push({ what: `phone ${r.phone}`, re: new RegExp(`${d.slice(4, 7)}\\D?${d.slice(7, 9)}\\D?${d.slice(9)}`) });
  }
  for (const a of g.apartments) {
    out.push({ what: `apartment ${a.number}`, re: new RegExp(`(?<![\\p{L}\\p{N}:.-])${esc(a.number)}(?![\\p{L}\\p{N}:.-])`, "u") });
    out.push({ what: `account ${a.personalAccount}`, re: new RegExp(esc(a.personalAccount!), "i") });
    out.push({ what: `owner ${a.ownerName}`, re: new RegExp(esc(a.ownerName!), "i") });
  }
  return out;
}

/** The personal fields found in `text` (empty when the output is clean). */
export function findPersonal(text: string, needles: ReturnType<typeof personalNeedles>): string[] {
  return needles.flatMap((n) => {
    const m = n.re.exec(text);
    return m ? [`${n.what} in «${text.slice(Math.max(0, m.index - 40), m.index + 40)}»`] : [];
  });
}
