// The only way the webview builds DOM: properties and text nodes, never HTML strings. Every string that
// reaches the page (agent messages, story titles, paths) goes through `textContent`/`createTextNode`.

export type Child = Node | string | number | null | undefined | false;

export interface ElementProps {
  className?: string;
  /** Plain attributes (aria-*, role, data-*, title, type…); values are set with setAttribute. */
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (e: HTMLElementEventMap[K]) => void }>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const [k, fn] of Object.entries(props.on ?? {})) {
    if (fn) el.addEventListener(k, fn as EventListener);
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's children with `children` (text stays text). */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A codicon glyph; decorative, hidden from screen readers (the control carries the label). */
export function icon(name: string, extra = ''): HTMLElement {
  return h('span', { className: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

export function button(label: string, iconName: string | undefined, onClick: () => void, opts: { className?: string; title?: string; text?: boolean } = {}): HTMLButtonElement {
  const showText = opts.text ?? true;
  return h(
    'button',
    {
      className: opts.className ?? 'btn',
      attrs: { type: 'button', 'aria-label': label, title: opts.title ?? label },
      on: { click: () => onClick() },
    },
    iconName ? icon(iconName) : null,
    showText ? h('span', { className: 'btn-label' }, label) : null,
  );
}
