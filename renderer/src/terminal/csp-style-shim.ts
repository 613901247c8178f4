/**
 * xterm's DOM renderer styles what it draws in two ways the console's CSP
 * (`style-src 'self'`, no 'unsafe-inline') blocks: `<style>` elements it adds
 * inside the terminal (cell size, theme colours, the scrollbar's), and
 * `style` attributes on cells in 24-bit colour. This shim gives both the same
 * effect through CSSOM, which the policy allows:
 * - a style element appended inside an `.xterm` stays out of the document,
 *   and the text xterm writes into it becomes a constructed stylesheet adopted
 *   by the document (same selectors), dropped when its terminal is gone;
 * - `setAttribute('style', text)` sets `element.style.cssText` (what the
 *   attribute would have said; React never sets style attributes as text).
 * Any other element and any other style element behave as before.
 */
const textContent = Object.getOwnPropertyDescriptor(Node.prototype, 'textContent')!;
const appendChild = Node.prototype.appendChild;
const setAttribute = Element.prototype.setAttribute;

/** Style elements kept out of the document, each with the terminal it belongs to and its sheet. */
const captured = new Map<HTMLStyleElement, { root: Element; sheet: CSSStyleSheet | null; text: string }>();
let installed = false;

function adopt(element: HTMLStyleElement, text: string): void {
  const entry = captured.get(element)!;
  entry.text = text;
  if (!entry.sheet) {
    entry.sheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, entry.sheet];
  }
  entry.sheet.replaceSync(text);
}

export function installXtermStyleShim(): void {
  if (installed) return;
  installed = true;
  Node.prototype.appendChild = function <T extends Node>(this: Node, child: T): T {
    const style = child instanceof HTMLStyleElement ? child : null;
    const root = style && this instanceof Element ? this.closest('.xterm') : null;
    if (!style || !root) return appendChild.call(this, child) as T;
    captured.set(style, { root, sheet: null, text: '' });
    return child;
  };
  Object.defineProperty(HTMLStyleElement.prototype, 'textContent', {
    configurable: true,
    enumerable: textContent.enumerable ?? true,
    get(this: HTMLStyleElement) {
      return captured.get(this)?.text ?? (textContent.get!.call(this) as string | null);
    },
    set(this: HTMLStyleElement, text: string | null) {
      if (captured.has(this)) adopt(this, text ?? '');
      else textContent.set!.call(this, text);
    },
  });
  Element.prototype.setAttribute = function (this: Element, name: string, value: string): void {
    if (name.toLowerCase() === 'style' && (this instanceof HTMLElement || this instanceof SVGElement)) this.style.cssText = value;
    else setAttribute.call(this, name, value);
  };
}

/** Drops the sheets of terminals that are gone (their element left the document). */
export function sweepXtermStyles(): void {
  const gone = [...captured].filter(([, entry]) => !entry.root.isConnected);
  if (gone.length === 0) return;
  const dropped = new Set(gone.map(([, entry]) => entry.sheet));
  for (const [element] of gone) captured.delete(element);
  document.adoptedStyleSheets = document.adoptedStyleSheets.filter((sheet) => !dropped.has(sheet));
}
