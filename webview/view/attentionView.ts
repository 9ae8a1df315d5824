// The Attention panel's UI: status, busy and error lines, the translation with its sentence picker, and the parts that
// own their state: token strips (./tokenStrips), the heatmap with its pickers (./heatmapView), hover (./hover) and the
// step player (./stepPlayer). Plain DOM; drawing maths in ../render, widgets in ../components.
import type { SentenceResult, TranslationResult } from '../../src/shared/results';
import { afterPaint, el, iconElement, type AfterPaint } from '../components/dom';
import { ICONS } from '../components/icons';
import { Dropdown } from '../components/widgets';
import { quote } from '../render/tokens';
import { formatMegabytes } from '../../src/engine/attentionBudget';
import type { Translate } from '../strings';
import { type Figure, HeatmapView } from './heatmapView';
import { HoverInspector } from './hover';
import { type AttentionKind, type HeadChoice, type Selection, type Units, stripGroups } from './selection';
import { StepPlayer } from './stepPlayer';
import { TokenStrips } from './tokenStrips';

/**
 * How long a request runs before the panel shows that it is busy (its line with the moving bar, the previous result
 * dimmed). A warm translation ends before this, so nothing on screen changes until its text comes: no flash of a
 * busy line, and no animation frames meanwhile. Where the browser composites in software (code-server without a
 * GPU, the end-to-end test) each of those frames cost the engine's worker the CPU it was waiting for
 * (docs/PERFORMANCE.md, "The busy line after a delay"). The result's `aria-busy` is set at once.
 */
const BUSY_SHOWN_AFTER_MS = 500;
/** A request that starts this soon after a busy line went down (the translation after a model load) shows it at once. */
const BUSY_CONTINUES_MS = 1000;

export class AttentionView {
  /** Receives exported figures; the export button shows only when this is set. */
  onAction?: (a: { kind: 'exportFigure' } & Figure) => void;

  private readonly doc: Document;
  private readonly container: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly busyEl: HTMLElement;
  private readonly busyText: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly errorText: HTMLElement;
  private readonly emptyEl: HTMLElement;
  private readonly leftOutEl: HTMLElement;
  private readonly resultEl: HTMLElement;
  private readonly translationEl: HTMLElement;
  private readonly metaEl: HTMLElement;
  private readonly sentenceRow: HTMLElement;
  private readonly sentencePicker: Dropdown;
  private readonly strips: TokenStrips;
  private readonly heatmap: HeatmapView;
  private readonly hover: HoverInspector;
  private readonly steps: StepPlayer;
  private result?: TranslationResult;
  private sentenceIndex = 0;
  /** Pieces or words, for the strips and the heatmap alike (the strips' toggle). */
  private units: Units = 'pieces';
  /** The shown result's strips, steps and heatmap, when they wait for its text to be painted (showResult). */
  private pendingSentence?: AfterPaint;
  /** Shows the busy line when a request outlasts BUSY_SHOWN_AFTER_MS. */
  private busyTimer?: ReturnType<typeof setTimeout>;
  /** When a shown busy line was last taken down without a result or an error after it (performance.now()). */
  private busyLineDownAt = -Infinity;

  constructor(root: HTMLElement, private readonly t: Translate) {
    this.doc = root.ownerDocument;

    // Header: status + busy line
    this.statusEl = el('div', { class: 'status', attrs: { id: 'status', role: 'status' } });
    this.busyText = el('span', { class: 'busy-text' });
    this.busyEl = el('div', { class: 'busy', attrs: { id: 'busy', role: 'status', 'aria-live': 'polite' } }, el('div', { class: 'busy-bar' }), this.busyText);
    this.busyEl.hidden = true;

    // Error banner
    this.errorText = el('span', { class: 'error-text' });
    const dismiss = el('button', { class: 'error-dismiss', title: t('panel.dismiss'), attrs: { type: 'button', 'aria-label': t('panel.dismiss') } });
    dismiss.innerHTML = ICONS.close;
    dismiss.addEventListener('click', () => { this.errorEl.hidden = true; });
    this.errorEl = el('div', { class: 'error-banner', attrs: { id: 'error', role: 'alert' } }, iconElement('span', 'error-icon', ICONS.error), this.errorText, dismiss);
    this.errorEl.hidden = true;

    // Empty state
    this.emptyEl = el('div', { class: 'empty-state', attrs: { id: 'empty' } }, iconElement('div', 'empty-icon', ICONS.grid),
      el('div', { class: 'empty-title', text: t('panel.emptyTitle') }), el('p', { class: 'empty-hint', text: t('panel.emptyHint') }));

    // Translation and the sentence picker
    this.translationEl = el('div', { class: 'translation', attrs: { id: 'translation' } });
    this.metaEl = el('span', { class: 'meta' });
    const translationSection = el('section', { class: 'section translation-section' },
      el('div', { class: 'section-title' }, el('span', { text: t('panel.translation') }), this.metaEl), this.translationEl);
    this.sentencePicker = new Dropdown('sentence-select', t('panel.sentence'));
    this.sentencePicker.onChange((v) => this.selectSentence(Number(v)));
    this.sentenceRow = el('div', { class: 'sentence-row' }, this.sentencePicker.field);

    // The parts with their own state, wired through their host interfaces.
    this.container = el('div', { class: 'ac-root' });
    this.strips = new TokenStrips(t, (u) => this.setUnits(u));
    this.heatmap = new HeatmapView(t, {
      selected: () => this.steps.refresh(),
      overlay: () => {
        const kind = this.heatmap.selection.kind;
        const step = this.steps.current;
        // Rows of cross and decoder attention are the target chips: the piece being decoded, or the word it is part of.
        return { highlight: this.hover.cells(), stepRow: (kind === 'cross' || kind === 'decoder') && step !== undefined ? this.strips.targetChipOf(step) : undefined };
      },
      exported: (figure) => this.onAction?.({ kind: 'exportFigure', ...figure }),
    }, this.container);
    this.steps = new StepPlayer(t, {
      selection: () => this.heatmap.selection,
      stepped: () => {
        // The player follows the cross-attention: switch to it when the view has no target rows.
        const kind = this.heatmap.selection.kind;
        if (kind === 'encoder' || kind === 'rollout') this.heatmap.select({ kind: 'cross', head: 'mean' });
        this.heatmap.drawOverlay();
      },
      markSteps: (current) => this.strips.markSteps(current),
    });
    this.hover = new HoverInspector(t, this.heatmap, this.strips, { pickTarget: (chip) => this.steps.goTo(this.strips.firstPieceOf(chip)) });

    // What the attention budget left out of this result (src/engine/attentionBudget.ts).
    this.leftOutEl = el('p', { class: 'notice', attrs: { id: 'attention-left-out', role: 'note' } });
    this.leftOutEl.hidden = true;

    this.resultEl = el('div', { class: 'result', attrs: { id: 'result' } },
      translationSection, this.leftOutEl, this.sentenceRow, this.strips.element, this.heatmap.element, this.steps.element);
    this.resultEl.hidden = true;
    this.container.append(el('header', { class: 'ac-header' }, this.statusEl), this.busyEl, this.errorEl, this.emptyEl, this.resultEl, this.hover.tooltip, this.hover.announcer);
    root.replaceChildren(this.container);
  }

  // ---------------------------------------------------------------- public API

  setStatus(text: string, backend?: 'webgpu' | 'wasm'): void {
    const parts: Node[] = [el('span', { class: 'status-text', text })];
    if (backend && !text.toLowerCase().includes(backend)) parts.push(el('span', { class: `backend-badge ${backend}`, text: backend }));
    if (backend) this.statusEl.dataset.backend = backend;
    else delete this.statusEl.dataset.backend;
    this.statusEl.replaceChildren(...parts);
  }

  /** A request runs (`message`: what it does, for the busy line) or none does (undefined). */
  setBusy(message: string | undefined): void {
    this.busyText.textContent = message ?? '';
    this.emptyEl.hidden = !!message || !!this.result;
    if (!message) {
      clearTimeout(this.busyTimer);
      this.busyTimer = undefined;
      if (!this.busyEl.hidden) this.busyLineDownAt = performance.now();
      this.resultEl.removeAttribute('aria-busy');
      this.showBusyLine(false);
      return;
    }
    // On the result alone: the busy line is a live region, which assistive technology holds back inside a busy element.
    this.resultEl.setAttribute('aria-busy', 'true');
    if (!this.busyEl.hidden || this.busyTimer !== undefined) return;
    if (performance.now() - this.busyLineDownAt < BUSY_CONTINUES_MS) {
      this.showBusyLine(true);
      return;
    }
    this.busyTimer = setTimeout(() => {
      this.busyTimer = undefined;
      this.showBusyLine(true);
    }, BUSY_SHOWN_AFTER_MS);
  }

  private showBusyLine(shown: boolean): void {
    this.busyEl.hidden = !shown;
    this.container.classList.toggle('is-busy', shown);
  }

  /** A request ended with something to show: the next one waits before it shows its busy line. */
  private requestEnded(): void {
    this.setBusy(undefined);
    this.busyLineDownAt = -Infinity;
  }

  showError(message: string): void {
    this.requestEnded();
    this.errorText.textContent = message;
    this.errorEl.hidden = false;
  }

  /**
   * The finished sentences of a translation still running: their text only (marked `data-partial`: "whole" when it
   * is all of the text, its attention still computing), over the previous result's strips and maps, which stay
   * dimmed until the result comes (or the translation is cancelled).
   */
  showPartial(text: string, whole = false): void {
    this.translationEl.textContent = text;
    this.translationEl.dataset.partial = whole ? 'whole' : 'sentences';
    this.container.classList.add('is-partial');
    this.emptyEl.hidden = true;
    this.resultEl.hidden = false;
  }

  /** The translation ended without a result (cancelled): the previous result comes back as it was. */
  dropPartial(): void {
    if (this.translationEl.dataset.partial === undefined) return;
    this.clearPartialMark();
    if (this.result) this.renderTranslation();
    else {
      this.translationEl.textContent = '';
      this.resultEl.hidden = true;
      this.emptyEl.hidden = false;
    }
  }

  private clearPartialMark(): void {
    delete this.translationEl.dataset.partial;
    this.container.classList.remove('is-partial');
  }

  /** Draws a translation; `focus` (optional) picks the attention shown first. */
  showResult(result: TranslationResult, focus?: { kind: AttentionKind; layer: number; head: HeadChoice }): void {
    this.steps.stop();
    this.clearPartialMark();
    this.requestEnded();
    this.errorEl.hidden = true;
    this.result = result;
    this.sentenceIndex = 0;
    if (!this.statusEl.textContent) this.setStatus(`${result.modelId} · ${result.backend}`, result.backend);
    this.emptyEl.hidden = true;
    this.resultEl.hidden = false;
    this.heatmap.exportable = !!this.onAction;
    const millis = result.millis >= 1000 ? `${(result.millis / 1000).toFixed(1)} s` : `${Math.round(result.millis)} ms`;
    this.metaEl.textContent = this.t('panel.meta', { from: result.from, to: result.to, beam: result.beam, time: millis });
    this.renderTranslation();
    const leftOut = result.attentionLeftOut;
    this.leftOutEl.hidden = !leftOut;
    this.leftOutEl.textContent = leftOut ? this.t('panel.attentionLeftOut', { n: leftOut.sentences, total: leftOut.of, mb: formatMegabytes(leftOut.limitBytes) }) : '';
    if (result.sentences.length > 1) {
      this.sentencePicker.setOptions(result.sentences.map((st, i) => ({ value: String(i), label: `${i + 1}. ${quote(st.source, 48)}`, title: st.source })), '0');
      if (!this.sentenceRow.isConnected) this.leftOutEl.after(this.sentenceRow);
    } else {
      this.sentenceRow.remove();
    }
    // The text first: the attention parts are drawn once the browser has painted it. In a page that has not drawn
    // Korean labels before, measuring and drawing them took 2.5 s of the first Translate Selection in code-server
    // (docs/PERFORMANCE.md, "The text before the maps").
    this.pendingSentence?.cancel();
    for (const part of this.sentenceParts) part.dataset.stale = 'true';          // dimmed: the previous result's
    this.pendingSentence = afterPaint(this.doc.defaultView, () => {
      this.pendingSentence = undefined;
      this.renderSentence(focus);
    });
  }

  /** Draws now what waits for the text's paint (a caller about to read or change the attention shown). */
  drawPending(): void {
    this.pendingSentence?.run();
  }

  /** Re-reads the theme colours and redraws (called automatically when VS Code changes theme). */
  refreshTheme(): void {
    this.heatmap.refreshTheme();
  }

  /** The figure of the heatmap shown (for "Export Figure" from the palette); undefined when none is shown. */
  figure(): Figure | undefined {
    this.drawPending();
    return this.resultEl.hidden ? undefined : this.heatmap.figure();
  }

  /** Selects an attention view programmatically (as if picked in the dropdowns). */
  select(change: Partial<Selection>): void {
    this.drawPending();
    this.heatmap.select(change);
  }

  // ---------------------------------------------------------------- the translation and its sentences

  private get sentence(): SentenceResult | undefined {
    return this.result?.sentences[this.sentenceIndex];
  }

  private renderTranslation(): void {
    const r = this.result!;
    const box = this.translationEl;
    box.replaceChildren();
    if (r.sentences.length <= 1) { box.textContent = r.text; return; }
    // Wrap each sentence's translation (found in order) so it can be highlighted and clicked; text stays r.text.
    let pos = 0;
    r.sentences.forEach((st, i) => {
      const at = st.text ? r.text.indexOf(st.text, pos) : -1;
      if (at < 0) return;
      if (at > pos) box.append(r.text.slice(pos, at));
      const span = el('span', { class: 'sentence-span', text: st.text, title: st.source, attrs: { 'data-index': String(i) } });
      span.addEventListener('click', () => {
        if (this.doc.getSelection()?.toString()) return; // selecting text, not picking
        this.selectSentence(i);
      });
      box.append(span);
      pos = at + st.text.length;
    });
    if (pos < r.text.length) box.append(r.text.slice(pos));
    if (box.textContent !== r.text) box.textContent = r.text;
  }

  private selectSentence(i: number): void {
    this.drawPending();
    if (!this.result || !(i >= 0 && i < this.result.sentences.length) || i === this.sentenceIndex) return;
    this.sentenceIndex = i;
    this.sentencePicker.value = String(i);
    this.renderSentence();
  }

  /** What shows the current sentence: its token strips, heatmap and step player. */
  private get sentenceParts(): HTMLElement[] {
    return [this.strips.element, this.heatmap.element, this.steps.element];
  }

  private renderSentence(focus?: Selection): void {
    const st = this.sentence;
    // A text with nothing to translate (only code, links, numbers or emoji, kept as they are) has no attention to draw.
    for (const part of this.sentenceParts) {
      part.hidden = !st;
      delete part.dataset.stale;
    }
    if (!st) return;
    for (const span of Array.from(this.translationEl.querySelectorAll<HTMLElement>('.sentence-span'))) {
      span.classList.toggle('current', span.dataset.index === String(this.sentenceIndex));
    }
    this.strips.show(st, stripGroups(st, this.units), this.units);
    this.hover.reset();
    this.steps.show(st);
    this.heatmap.show(st, focus);
  }

  /** Shows the strips and the heatmap in pieces or in words; the selection and the step stay. */
  private setUnits(units: Units): void {
    this.drawPending();
    if (units === this.units) return;
    this.units = units;
    this.heatmap.setUnits(units);
    const st = this.sentence;
    if (!st) return;
    this.hover.reset();
    this.strips.show(st, stripGroups(st, units), units);
    this.steps.refresh();
    this.heatmap.drawOverlay();
  }
}
