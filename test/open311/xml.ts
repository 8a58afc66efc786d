// A strict XML reader for the tests (saxes, which exceljs already brings): well-formedness is
// checked by the parser; the tree is plain { name, text, children }.
import { SaxesParser } from "saxes";

export interface XNode {
  name: string;
  text: string;
  children: XNode[];
}

export function parseXml(xml: string): XNode {
  const parser = new SaxesParser();
  const root: XNode = { name: "#document", text: "", children: [] };
  const stack: XNode[] = [root];
  parser.on("opentag", (t) => {
    const n: XNode = { name: t.name, text: "", children: [] };
    stack.at(-1)!.children.push(n);
    stack.push(n);
  });
  parser.on("text", (s) => {
    stack.at(-1)!.text += s;
  });
  parser.on("closetag", () => void stack.pop());
  parser.on("error", (e) => {
    throw e;
  });
  parser.write(xml).close();
  return root.children[0]!;
}

export const child = (n: XNode, name: string) => n.children.find((c) => c.name === name);
export const kids = (n: XNode, name: string) => n.children.filter((c) => c.name === name);
/** The element as a flat record of its children's texts. */
export const flat = (n: XNode) => Object.fromEntries(n.children.map((c) => [c.name, c.text]));
