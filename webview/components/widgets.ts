// The one widget set of both webviews: dropdowns and icon buttons (the Attention panel), text buttons, segmented
// toggles and labelled selects (the paper companion). The only module that touches @vscode/webview-ui-toolkit
// (archived upstream): swapping the toolkit for native elements, or other components, changes this file only.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDropdown, vsCodeOption } from '@vscode/webview-ui-toolkit';
import { el } from './dom';

let registered = false;

/** Registers <vscode-dropdown>, <vscode-option> and <vscode-button> once. */
export function ensureToolkit(): void {
  if (registered) return;
  registered = true;
  try {
    provideVSCodeDesignSystem().register(vsCodeDropdown(), vsCodeOption(), vsCodeButton());
  } catch (e) {
    // Already defined by another bundle on the page: the elements still work.
    console.warn('webview-ui-toolkit registration:', e);
  }
}

export interface Choice<T = string> { value: T; label: string; title?: string }

/** The value-bearing element the view reads: `.value`, and a 'change' event when the user picks. */
type SelectLike = HTMLElement & { value: string; disabled: boolean };

/**
 * A labelled dropdown (`<vscode-dropdown id=...>` holding `<vscode-option value=...>`). When the options
 * change, the element is replaced by a fresh one whose wanted option carries `selected`: the toolkit's select
 * carries its old selected index over to replaced options, so swapping children in place picks the wrong one.
 */
export class Dropdown {
  readonly field: HTMLElement;
  private el: SelectLike;
  private choices: Choice[] = [];
  private current = '';
  private isDisabled = false;
  private listener?: (value: string) => void;

  constructor(private readonly id: string, private readonly label: string) {
    ensureToolkit();
    this.field = document.createElement('div');
    this.field.className = 'field';
    const lab = document.createElement('label');
    lab.className = 'field-label';
    lab.htmlFor = id;
    lab.textContent = label;
    this.el = this.create([]);
    this.field.append(lab, this.el);
  }

  /** The current `<vscode-dropdown>` (replaced when the options change). */
  get element(): SelectLike {
    return this.el;
  }

  private create(options: HTMLElement[]): SelectLike {
    const el = document.createElement('vscode-dropdown') as SelectLike;
    el.id = this.id;
    el.setAttribute('aria-label', this.label);
    el.setAttribute('position', 'below');
    if (this.isDisabled) el.setAttribute('disabled', '');
    el.append(...options);
    el.addEventListener('change', () => {
      const v = el.value;
      if (el !== this.el || typeof v !== 'string' || v === this.current || !this.choices.some((c) => c.value === v)) return;
      this.current = v;
      this.listener?.(v);
    });
    return el;
  }

  onChange(listener: (value: string) => void): void {
    this.listener = listener;
  }

  get value(): string {
    return this.current;
  }

  /** Selects a value without firing the change listener. */
  set value(v: string) {
    if (!this.choices.some((c) => c.value === v)) return;
    this.current = v;
    for (const o of Array.from(this.el.children)) {
      if (o.getAttribute('value') === v) o.setAttribute('selected', '');
      else o.removeAttribute('selected');
    }
    if (this.el.value !== v) this.el.value = v;
  }

  /** Replaces the options (unless they are the same) and selects `value` (or the first option). */
  setOptions(choices: Choice[], value: string): void {
    const same = choices.length === this.choices.length && choices.every((c, i) => c.value === this.choices[i].value && c.label === this.choices[i].label);
    const v = choices.some((c) => c.value === value) ? value : choices[0]?.value ?? '';
    // Nothing to change (a head pick sets every picker again): the toolkit's dropdown re-renders on each value set.
    if (same && v === this.current) return;
    if (!same) {
      this.choices = choices.map((c) => ({ ...c }));
      const options = choices.map((c) => {
        const o = document.createElement('vscode-option');
        o.setAttribute('value', c.value);
        o.textContent = c.label;
        if (c.title) o.title = c.title;
        if (c.value === v) o.setAttribute('selected', '');
        return o;
      });
      const old = this.el;
      const hadFocus = old.contains(document.activeElement) || document.activeElement === old;
      this.el = this.create(options);
      old.replaceWith(this.el);
      if (hadFocus) this.el.focus();
    }
    this.current = '';
    this.value = v;
  }

  set disabled(d: boolean) {
    if (d === this.isDisabled && this.el.disabled === d) return;
    this.isDisabled = d;
    this.el.disabled = d;
    this.field.classList.toggle('disabled', d);
  }

  set hidden(h: boolean) {
    this.field.hidden = h;
  }
}

export interface ButtonOptions { id?: string; label?: string; title: string; icon?: string; appearance?: 'primary' | 'secondary' | 'icon'; className?: string }

/** A `<vscode-button>` with an optional inline SVG icon (from render-free markup strings). */
export function button(o: ButtonOptions): HTMLElement & { disabled: boolean } {
  ensureToolkit();
  const b = document.createElement('vscode-button') as HTMLElement & { disabled: boolean };
  if (o.id) b.id = o.id;
  if (o.className) b.className = o.className;
  b.setAttribute('appearance', o.appearance ?? (o.label ? 'secondary' : 'icon'));
  b.title = o.title;
  b.setAttribute('aria-label', o.title);
  if (o.icon) {
    const span = document.createElement('span');
    span.className = 'icon';
    span.setAttribute('aria-hidden', 'true');
    if (o.label) span.setAttribute('slot', 'start');
    span.innerHTML = o.icon;
    b.append(span);
  }
  if (o.label) b.append(document.createTextNode(o.label));
  return b;
}

/** Sets a button's label text and icon in place (e.g. Play / Pause). */
export function setButtonContent(b: HTMLElement, title: string, icon?: string, label?: string): void {
  b.title = title;
  b.setAttribute('aria-label', title);
  const span = b.querySelector('span.icon');
  if (span && icon) span.innerHTML = icon;
  if (label !== undefined) {
    for (const n of Array.from(b.childNodes)) if (n.nodeType === Node.TEXT_NODE) n.remove();
    b.append(document.createTextNode(label));
  }
}

/** A plain text button (the companion's "Try with the selection"). */
export function textButton(label: string, onClick: () => void, className = 'cc-btn', title?: string): HTMLButtonElement {
  const b = el('button', { class: className, text: label, title, attrs: { type: 'button' } });
  b.addEventListener('click', onClick);
  return b;
}

/** A row of toggle buttons (one pressed). */
export function segmented<T>(choices: Choice<T>[], value: T, onChange: (v: T) => void, label?: string): HTMLElement {
  const group = el('div', { class: 'cc-seg', attrs: { role: 'radiogroup', 'aria-label': label } });
  for (const c of choices) {
    const b = el('button', { class: 'cc-seg-btn', text: c.label, title: c.title, attrs: { type: 'button', role: 'radio', 'aria-checked': String(c.value === value) } });
    b.addEventListener('click', () => {
      if (c.value === value) return;
      onChange(c.value);
    });
    group.append(b);
  }
  return group;
}

/** A labelled native <select>. */
export function labelledSelect<T extends string | number>(label: string, choices: Choice<T>[], value: T, onChange: (v: T) => void): HTMLElement {
  const s = el('select', { class: 'cc-select', attrs: { 'aria-label': label } });
  for (const c of choices) {
    const o = el('option', { text: c.label, attrs: { value: String(c.value) } });
    if (c.value === value) o.selected = true;
    s.append(o);
  }
  s.addEventListener('change', () => {
    const c = choices.find((x) => String(x.value) === s.value);
    if (c) onChange(c.value);
  });
  return el('label', { class: 'cc-field' }, el('span', { class: 'cc-field-label', text: label }), s);
}
