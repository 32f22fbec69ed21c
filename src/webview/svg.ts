// SVG built the same way as the rest of the DOM: `createElementNS`, attributes and text nodes, never
// markup strings. Colours come from CSS classes (theme variables), not inline styles, which the CSP forbids.

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number | undefined> = {}, ...children: (Node | string | null)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined) el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c !== null) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}
