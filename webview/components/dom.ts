// The one DOM helper of both webviews: an element with its class, text, title, attributes and children.
// Text always goes in through textContent (model output and selections are untrusted).

export type Child = Node | string | null | undefined | false;

export interface ElementProps { class?: string; text?: string; title?: string; attrs?: Record<string, string | undefined> }

/** el('div', { class: 'x', attrs: { id: 'y' } }, child, …); undefined attributes and falsy children are skipped. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.text !== undefined) e.textContent = props.text;
  if (props.title) e.title = props.title;
  for (const [k, v] of Object.entries(props.attrs ?? {})) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) if (c) e.append(c);
  return e;
}

/** An element holding one of the inline SVG icons (trusted markup from ./icons). */
export function iconElement(tag: 'span' | 'div', className: string, svg: string): HTMLElement {
  const e = el(tag, { class: className, attrs: { 'aria-hidden': 'true' } });
  e.innerHTML = svg;
  return e;
}

/**
 * Links a stylesheet given relative to `base` (a script's import.meta.url: dist/x.js → '../media/y.css'), after the
 * page's own. The page stays usable without it (media/panel.css comes with the HTML), so a failure is not fatal.
 */
export function linkStylesheet(relative: string, base: string): void {
  try {
    document.head.append(el('link', { attrs: { rel: 'stylesheet', href: new URL(relative, base).toString() } }));
  } catch {
    // No URL for it (a test page): the page keeps media/panel.css.
  }
}

/** Work waiting for the browser's next paint (afterPaint): `run` does it now instead, `cancel` drops it. */
export interface AfterPaint { run(): void; cancel(): void }

/**
 * Runs `f` once the browser has painted what the page shows now: a task after the next animation frame (the frame's
 * style, layout and paint come between them). A hidden page paints nothing, and `f` waits until it is shown.
 */
export function afterPaint(win: (Window & typeof globalThis) | null, f: () => void): AfterPaint {
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let frame: number | undefined;
  const run = () => {
    if (done) return;
    done = true;
    f();
  };
  if (win?.requestAnimationFrame) frame = win.requestAnimationFrame(() => { timer = setTimeout(run, 0); });
  else timer = setTimeout(run, 16);
  return {
    run,
    cancel: () => {
      done = true;
      if (frame !== undefined) win?.cancelAnimationFrame(frame);
      clearTimeout(timer);
    },
  };
}
