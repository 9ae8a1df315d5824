// The Attention panel's UI: translation, token strips, heatmap with pickers, head grid, step player.
// Plain DOM; drawing maths lives in ../render (pure, unit-tested), toolkit elements in ../components/toolkit.
import type { Matrix } from '../../src/engine/attention';
import { topEntries } from '../../src/engine/attention';
import type { DecodeStep, SentenceResult, TranslationResult } from '../../src/shared/results';
import { ICONS } from '../components/icons';
import { Dropdown, button, setButtonContent, type Choice } from '../components/toolkit';
import {
  type RGB, flatten, formatPercent, formatValue, legendGradient, makeScale, parseColor, pickAccent, toCss,
} from '../render/colorScale';
import { FIGURE_MARGIN, heatmapSvg, printTheme } from '../render/figure';
import { type Ctx, type HeatmapTheme, type Highlight, drawHeatmap, drawOverlay, drawThumbnail, matrixMax, measureLabel } from '../render/heatmap';
import { type HeatmapLayout, canvasPixels, heatmapLayout, hitTest, thumbLayout } from '../render/layout';
import { type TokenLabel, pieceLabel, tokenLabel } from '../render/tokens';
import {
  type AttentionKind, type HeadChoice, KINDS, type Selection, type StripRef, axisLabels, colToken, headCount, layerCount,
  matrixCol, matrixRow, normalizeSelection, rowToken, selectMatrix, selectionName, tokenToCells,
} from './selection';

export interface ViewStrings { [key: string]: string }

/** English UI strings; the host may pass translations of any of them (placeholders {0}, {1}, …). */
export const DEFAULT_VIEW_STRINGS: ViewStrings = {
  emptyHint: "Select text in the editor and run 'Attention Companion: Show Attention for Selection'.",
  emptyTitle: 'No translation yet',
  translation: 'Translation',
  meta: '{0} → {1} · beam {2} · {3}',
  sentence: 'Sentence',
  tokens: 'Tokens',
  source: 'Source',
  target: 'Target',
  attention: 'Attention',
  kind: 'Attention',
  layer: 'Layer',
  head: 'Head',
  kindEncoder: 'Encoder self-attention',
  kindDecoder: 'Decoder self-attention',
  kindCross: 'Cross-attention',
  kindRollout: 'Encoder rollout',
  layerN: 'Layer {0}',
  rolloutUpTo: 'Layers 1–{0}',
  headN: 'Head {0}',
  headMean: 'Mean of heads',
  mean: 'Mean',
  heads: 'Heads of layer {0}',
  rolloutLayers: 'Rollout by depth',
  rolloutThumb: '1–{0}',
  axisEncoder: 'Rows: source tokens (queries) · columns: source tokens (keys)',
  axisDecoder: 'Rows: target tokens (the step producing each) · columns: decoder inputs',
  axisCross: 'Rows: target tokens (the step producing each) · columns: source tokens',
  axisRollout: 'Rows: source positions after layer {0} · columns: input tokens flowing into them',
  heatmapLabel: '{0}, {1}, {2}: {3} rows by {4} columns',
  noAttention: 'This translation has no attention data. Run "Attention Companion: Show Attention for Selection" to see it.',
  steps: 'Decoding steps',
  stepN: 'Step {0} / {1}',
  prevStep: 'Previous step',
  nextStep: 'Next step',
  play: 'Play',
  pause: 'Pause',
  chosen: 'Chosen',
  candidates: 'Top candidates',
  looksAt: 'Looks at',
  dismiss: 'Dismiss',
  exportFigure: 'Export figure',
  tokenInfo: '{0} · id {1}',
};

type Strings = typeof DEFAULT_VIEW_STRINGS;

const KIND_KEYS: Record<AttentionKind, string> = { encoder: 'kindEncoder', decoder: 'kindDecoder', cross: 'kindCross', rollout: 'kindRollout' };
const AXIS_KEYS: Record<AttentionKind, string> = { encoder: 'axisEncoder', decoder: 'axisDecoder', cross: 'axisCross', rollout: 'axisRollout' };
const THUMB_SIZE = 60;
const PLAY_INTERVAL_MS = 750;

type Hover =
  | { origin: 'cell'; row?: number; col?: number }
  | { origin: 'token'; ref: StripRef };

interface Drawn {
  sentence: SentenceResult;
  matrix: Matrix;
  rows: TokenLabel[];
  cols: TokenLabel[];
  layout: HeatmapLayout;
  max: number;
}

/** h('div', { class: 'x', id: 'y' }, child...) */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

function sectionTitle(text: string, extra?: HTMLElement): HTMLElement {
  const t = h('div', { class: 'section-title' }, h('span', {}, text));
  if (extra) t.append(extra);
  return t;
}

export class AttentionView {
  onAction?: (a: { kind: 'exportFigure'; svg: string; png: string; name: string }) => void;

  private readonly s: Strings;
  private readonly doc: Document;
  // Elements
  private readonly container: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly busyEl: HTMLElement;
  private readonly busyText: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly errorText: HTMLElement;
  private readonly emptyEl: HTMLElement;
  private readonly resultEl: HTMLElement;
  private readonly translationEl: HTMLElement;
  private readonly metaEl: HTMLElement;
  private readonly sentenceRow: HTMLElement;
  private readonly sentencePicker: Dropdown;
  private readonly srcStrip: HTMLElement;
  private readonly tgtStrip: HTMLElement;
  private readonly srcStripLabel: HTMLElement;
  private readonly tgtStripLabel: HTMLElement;
  private readonly attentionBody: HTMLElement;
  private readonly noAttentionEl: HTMLElement;
  private readonly kindPicker: Dropdown;
  private readonly layerPicker: Dropdown;
  private readonly headPicker: Dropdown;
  private readonly exportButton: HTMLElement & { disabled: boolean };
  private readonly axisCaption: HTMLElement;
  private readonly heatmapScroll: HTMLElement;
  private readonly mainCanvas: HTMLCanvasElement;
  private readonly overlayCanvas: HTMLCanvasElement;
  private readonly legendEl: HTMLElement;
  private readonly legendBar: HTMLElement;
  private readonly legendMax: HTMLElement;
  private readonly headTitle: HTMLElement;
  private readonly headGrid: HTMLElement;
  private readonly stepsSection: HTMLElement;
  private readonly stepSlider: HTMLInputElement;
  private readonly stepCounter: HTMLElement;
  private readonly stepPrev: HTMLElement & { disabled: boolean };
  private readonly stepNext: HTMLElement & { disabled: boolean };
  private readonly stepPlay: HTMLElement & { disabled: boolean };
  private readonly stepChosen: HTMLElement;
  private readonly stepCandidates: HTMLOListElement;
  private readonly stepLooks: HTMLElement;
  private readonly tooltip: HTMLElement;
  // State
  private result?: TranslationResult;
  private sentenceIndex = 0;
  private sel: Selection = { kind: 'cross', layer: Number.POSITIVE_INFINITY, head: 'mean' };
  private drawn?: Drawn;
  private hover?: Hover;
  private step = 0;
  private stepActive = false;
  private playTimer?: ReturnType<typeof setInterval>;
  private theme?: HeatmapTheme;
  private scale?: (t: number) => string;
  private colorProbe?: CanvasRenderingContext2D | null;
  private redrawQueued = false;
  private lastWidth = 0;

  constructor(private readonly root: HTMLElement, strings?: Partial<ViewStrings>) {
    this.s = { ...DEFAULT_VIEW_STRINGS };
    for (const [k, v] of Object.entries(strings ?? {})) if (typeof v === 'string') this.s[k] = v;
    this.doc = root.ownerDocument;
    const s = this.s;

    // Header: status + busy line
    this.statusEl = h('div', { id: 'status', class: 'status', role: 'status' });
    this.busyText = h('span', { class: 'busy-text' });
    this.busyEl = h('div', { id: 'busy', class: 'busy', role: 'status', 'aria-live': 'polite' }, h('div', { class: 'busy-bar' }), this.busyText);
    this.busyEl.hidden = true;
    const header = h('header', { class: 'ac-header' }, this.statusEl);

    // Error banner
    this.errorText = h('span', { class: 'error-text' });
    const dismiss = h('button', { class: 'error-dismiss', type: 'button', title: s.dismiss, 'aria-label': s.dismiss });
    dismiss.innerHTML = ICONS.close;
    dismiss.addEventListener('click', () => { this.errorEl.hidden = true; });
    const errIcon = h('span', { class: 'error-icon', 'aria-hidden': 'true' });
    errIcon.innerHTML = ICONS.error;
    this.errorEl = h('div', { id: 'error', class: 'error-banner', role: 'alert' }, errIcon, this.errorText, dismiss);
    this.errorEl.hidden = true;

    // Empty state
    const emptyIcon = h('div', { class: 'empty-icon', 'aria-hidden': 'true' });
    emptyIcon.innerHTML = ICONS.grid;
    this.emptyEl = h('div', { id: 'empty', class: 'empty-state' }, emptyIcon,
      h('div', { class: 'empty-title' }, s.emptyTitle), h('p', { class: 'empty-hint' }, s.emptyHint));

    // Translation
    this.translationEl = h('div', { id: 'translation', class: 'translation' });
    this.metaEl = h('span', { class: 'meta' });
    const translationSection = h('section', { class: 'section translation-section' }, sectionTitle(s.translation, this.metaEl), this.translationEl);

    // Sentence picker
    this.sentencePicker = new Dropdown('sentence-select', s.sentence);
    this.sentencePicker.onChange((v) => this.selectSentence(Number(v)));
    this.sentenceRow = h('div', { class: 'sentence-row' }, this.sentencePicker.field);

    // Token strips
    this.srcStrip = h('div', { class: 'token-strip source', role: 'list' });
    this.tgtStrip = h('div', { class: 'token-strip target', role: 'list' });
    this.srcStripLabel = h('span', { class: 'strip-label' }, s.source);
    this.tgtStripLabel = h('span', { class: 'strip-label' }, s.target);
    const tokensSection = h('section', { class: 'section tokens-section' }, sectionTitle(s.tokens),
      h('div', { class: 'strip-row' }, this.srcStripLabel, this.srcStrip),
      h('div', { class: 'strip-row' }, this.tgtStripLabel, this.tgtStrip));
    for (const strip of [this.srcStrip, this.tgtStrip]) this.wireStrip(strip);

    // Attention: pickers, heatmap, legend, head grid
    this.kindPicker = new Dropdown('kind-select', s.kind);
    this.layerPicker = new Dropdown('layer-select', s.layer);
    this.headPicker = new Dropdown('head-select', s.head);
    this.kindPicker.onChange((v) => this.select({ kind: v as AttentionKind }));
    this.layerPicker.onChange((v) => this.select({ layer: Number(v) }));
    this.headPicker.onChange((v) => this.select({ head: v === 'mean' ? 'mean' : Number(v) }));
    this.exportButton = button({ id: 'export-figure', title: s.exportFigure, icon: ICONS.export, appearance: 'icon' });
    this.exportButton.addEventListener('click', () => this.exportFigure());
    this.exportButton.hidden = true;
    const controls = h('div', { class: 'controls' }, this.kindPicker.field, this.layerPicker.field, this.headPicker.field,
      h('div', { class: 'controls-spacer' }), this.exportButton);
    this.axisCaption = h('div', { class: 'axis-caption' });
    this.mainCanvas = h('canvas', { class: 'heatmap-main', tabindex: '0', role: 'img' });
    this.overlayCanvas = h('canvas', { class: 'heatmap-overlay', 'aria-hidden': 'true' });
    this.heatmapScroll = h('div', { class: 'heatmap-scroll' }, h('div', { class: 'heatmap-stack' }, this.mainCanvas, this.overlayCanvas));
    this.legendBar = h('span', { class: 'legend-bar' });
    this.legendMax = h('span', { class: 'legend-max' });
    this.legendEl = h('div', { class: 'legend', 'aria-hidden': 'true' }, h('span', { class: 'legend-min' }, '0'), this.legendBar, this.legendMax);
    this.headTitle = h('div', { class: 'subsection-title' });
    this.headGrid = h('div', { class: 'head-grid', role: 'group' });
    this.noAttentionEl = h('p', { class: 'no-attention' }, s.noAttention);
    this.attentionBody = h('div', { class: 'attention-body' }, controls, this.axisCaption, this.heatmapScroll, this.legendEl, this.headTitle, this.headGrid);
    const attentionSection = h('section', { class: 'section attention-section' }, sectionTitle(s.attention), this.noAttentionEl, this.attentionBody);
    this.wireHeatmap();

    // Steps
    this.stepPrev = button({ id: 'step-prev', title: s.prevStep, icon: ICONS.chevronLeft });
    this.stepNext = button({ id: 'step-next', title: s.nextStep, icon: ICONS.chevronRight });
    this.stepPlay = button({ id: 'step-play', title: s.play, icon: ICONS.play });
    this.stepSlider = h('input', { id: 'step-slider', class: 'step-slider', type: 'range', min: '0', max: '0', step: '1', value: '0', 'aria-label': s.steps });
    this.stepCounter = h('span', { id: 'step-counter', class: 'step-counter' });
    this.stepPrev.addEventListener('click', () => { this.stopPlaying(); this.goToStep(this.step - 1); });
    this.stepNext.addEventListener('click', () => { this.stopPlaying(); this.goToStep(this.step + 1); });
    this.stepPlay.addEventListener('click', () => this.togglePlay());
    this.stepSlider.addEventListener('input', () => { this.stopPlaying(); this.goToStep(Number(this.stepSlider.value)); });
    this.stepChosen = h('div', { class: 'step-chosen' });
    this.stepCandidates = h('ol', { class: 'candidates', 'aria-label': s.candidates });
    this.stepLooks = h('div', { class: 'step-looks' });
    this.stepsSection = h('section', { class: 'section steps-section' }, sectionTitle(s.steps),
      h('div', { class: 'step-controls' }, this.stepPrev, this.stepSlider, this.stepNext, this.stepPlay, this.stepCounter),
      h('div', { class: 'step-body' }, this.stepChosen,
        h('div', { class: 'step-column' }, h('div', { class: 'step-label' }, s.candidates), this.stepCandidates),
        h('div', { class: 'step-column' }, h('div', { class: 'step-label' }, s.looksAt), this.stepLooks)));

    this.resultEl = h('div', { id: 'result', class: 'result' }, translationSection, this.sentenceRow, tokensSection, attentionSection, this.stepsSection);
    this.resultEl.hidden = true;
    this.tooltip = h('div', { class: 'ac-tooltip', role: 'tooltip' });
    this.tooltip.hidden = true;
    this.container = h('div', { class: 'ac-root' }, header, this.busyEl, this.errorEl, this.emptyEl, this.resultEl, this.tooltip);
    root.replaceChildren(this.container);

    // Theme changes: VS Code swaps body classes (light/dark/high contrast) and the variables on <html>.
    const observer = new MutationObserver(() => this.refreshTheme());
    observer.observe(this.doc.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id', 'data-vscode-theme-kind'] });
    observer.observe(this.doc.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    // Width changes re-layout the heatmap; zoom changes devicePixelRatio.
    const win = this.doc.defaultView;
    if (win && 'ResizeObserver' in win) {
      new ResizeObserver(() => {
        const w = this.heatmapScroll.clientWidth;
        if (w !== this.lastWidth) this.queueRedraw();
      }).observe(this.heatmapScroll);
    }
    win?.addEventListener('resize', () => this.queueRedraw());
  }

  // ---------------------------------------------------------------- public API

  setStatus(text: string, backend?: 'webgpu' | 'wasm'): void {
    const parts: Node[] = [h('span', { class: 'status-text' }, text)];
    if (backend && !text.toLowerCase().includes(backend)) parts.push(h('span', { class: `backend-badge ${backend}` }, backend));
    if (backend) this.statusEl.dataset.backend = backend;
    else delete this.statusEl.dataset.backend;
    this.statusEl.replaceChildren(...parts);
  }

  setBusy(message: string | undefined): void {
    this.busyEl.hidden = !message;
    this.busyText.textContent = message ?? '';
    this.container.classList.toggle('is-busy', !!message);
    this.emptyEl.hidden = !!message || !!this.result;
  }

  showError(message: string): void {
    this.setBusy(undefined);
    this.errorText.textContent = message;
    this.errorEl.hidden = false;
  }

  /** Draws a translation; `focus` (optional) picks the attention shown first. */
  showResult(result: TranslationResult, focus?: { kind: AttentionKind; layer: number; head: HeadChoice }): void {
    this.stopPlaying();
    this.setBusy(undefined);
    this.errorEl.hidden = true;
    this.result = result;
    this.sentenceIndex = 0;
    if (focus) this.sel = { ...focus };
    if (!this.statusEl.textContent) this.setStatus(`${result.modelId} · ${result.backend}`, result.backend);
    this.emptyEl.hidden = true;
    this.resultEl.hidden = false;
    this.exportButton.hidden = !this.onAction;
    this.metaEl.textContent = this.format('meta', result.from, result.to, String(result.beam), result.millis >= 1000 ? `${(result.millis / 1000).toFixed(1)} s` : `${Math.round(result.millis)} ms`);
    this.renderTranslation();
    const n = result.sentences.length;
    if (n > 1) {
      this.sentencePicker.setOptions(result.sentences.map((st, i) => ({ value: String(i), label: `${i + 1}. ${short(st.source, 48)}`, title: st.source })), '0');
      if (!this.sentenceRow.isConnected) this.resultEl.insertBefore(this.sentenceRow, this.resultEl.children[1] ?? null);
    } else {
      this.sentenceRow.remove();
    }
    this.renderSentence();
  }

  /** Re-reads the theme colours and redraws (called automatically when VS Code changes theme). */
  refreshTheme(): void {
    this.theme = undefined;
    this.queueRedraw();
  }

  /** Selects an attention view programmatically (as if picked in the dropdowns). */
  select(change: Partial<Selection>): void {
    this.sel = { ...this.sel, ...change };
    if (change.kind === 'rollout') this.sel.head = 'mean';
    this.updateAttention();
  }

  // ---------------------------------------------------------------- rendering

  private format(key: string, ...args: string[]): string {
    return (this.s[key] ?? DEFAULT_VIEW_STRINGS[key] ?? key).replace(/\{(\d+)\}/g, (m, i) => args[Number(i)] ?? m);
  }

  private get sentence(): SentenceResult | undefined {
    return this.result?.sentences[this.sentenceIndex];
  }

  private renderTranslation(): void {
    const r = this.result!;
    const el = this.translationEl;
    el.replaceChildren();
    if (r.sentences.length <= 1) { el.textContent = r.text; return; }
    // Wrap each sentence's translation (found in order) so it can be highlighted and clicked; text stays r.text.
    let pos = 0;
    r.sentences.forEach((st, i) => {
      const at = st.text ? r.text.indexOf(st.text, pos) : -1;
      if (at < 0) return;
      if (at > pos) el.append(r.text.slice(pos, at));
      const span = h('span', { class: 'sentence-span', 'data-index': String(i), title: st.source }, st.text);
      span.addEventListener('click', () => {
        if (this.doc.getSelection()?.toString()) return; // selecting text, not picking
        this.selectSentence(i);
      });
      el.append(span);
      pos = at + st.text.length;
    });
    if (pos < r.text.length) el.append(r.text.slice(pos));
    if (el.textContent !== r.text) el.textContent = r.text;
  }

  private selectSentence(i: number): void {
    if (!this.result || !(i >= 0 && i < this.result.sentences.length) || i === this.sentenceIndex) return;
    this.stopPlaying();
    this.sentenceIndex = i;
    this.sentencePicker.value = String(i);
    this.renderSentence();
  }

  private renderSentence(): void {
    const st = this.sentence;
    if (!st) return;
    for (const span of Array.from(this.translationEl.querySelectorAll('.sentence-span'))) {
      span.classList.toggle('current', (span as HTMLElement).dataset.index === String(this.sentenceIndex));
    }
    this.srcStripLabel.textContent = `${this.s.source} · ${st.from}`;
    this.tgtStripLabel.textContent = `${this.s.target} · ${st.to}`;
    this.fillStrip(this.srcStrip, st.srcTokens.map(tokenLabel), st.srcTokens.map((t) => t.piece), st.srcTokens.map((t) => t.id));
    this.fillStrip(this.tgtStrip, st.tgtTokens.map(tokenLabel), st.tgtTokens.map((t) => t.piece), st.tgtTokens.map((t) => t.id));
    this.hover = undefined;
    this.hideTooltip();
    this.step = 0;
    this.stepActive = false;
    const hasAttention = !!st.attention;
    this.noAttentionEl.hidden = hasAttention;
    this.attentionBody.hidden = !hasAttention;
    this.updateAttention();
    this.renderSteps();
  }

  private fillStrip(strip: HTMLElement, labels: TokenLabel[], pieces: string[], ids: number[]): void {
    strip.replaceChildren(...labels.map((l, i) => {
      const cls = ['token'];
      if (l.wordStart) cls.push('word-start');
      if (l.special) cls.push('special');
      const el = h('span', { class: cls.join(' '), role: 'listitem', tabindex: '0', 'data-index': String(i), 'data-piece': pieces[i], 'data-id': String(ids[i]) }, l.text);
      return el;
    }));
  }

  /** Pickers + heatmap + head grid for the current selection. */
  private updateAttention(): void {
    const st = this.sentence;
    const att = st?.attention;
    if (!st || !att) { this.drawn = undefined; return; }
    const s = this.s;
    const sel = normalizeSelection(att, this.sel);
    this.sel = sel;
    this.kindPicker.setOptions(KINDS.map((k) => ({ value: k, label: s[KIND_KEYS[k]] })), sel.kind);
    const layers = layerCount(att, sel.kind);
    this.layerPicker.setOptions(Array.from({ length: layers }, (_, l): Choice => ({
      value: String(l), label: sel.kind === 'rollout' && l > 0 ? this.format('rolloutUpTo', String(l + 1)) : this.format('layerN', String(l + 1)),
    })), String(sel.layer));
    const heads = headCount(att, sel.kind);
    const headChoices: Choice[] = Array.from({ length: heads }, (_, i) => ({ value: String(i), label: this.format('headN', String(i + 1)) }));
    headChoices.push({ value: 'mean', label: s.headMean });
    this.headPicker.setOptions(headChoices, String(sel.head));
    this.headPicker.disabled = sel.kind === 'rollout';

    const matrix = selectMatrix(att, sel);
    const labels = axisLabels(st, sel.kind, matrix.rows, matrix.cols);
    this.drawn = { sentence: st, matrix, rows: labels.rows, cols: labels.cols, layout: this.drawn?.layout ?? heatmapLayout({ rows: 0, cols: 0, rowLabelWidths: [], colLabelWidths: [], fontSize: 12, maxWidth: 100 }), max: matrixMax(matrix) };
    this.mainCanvas.dataset.kind = sel.kind;
    this.mainCanvas.dataset.layer = String(sel.layer);
    this.mainCanvas.dataset.head = String(sel.head);
    this.mainCanvas.setAttribute('aria-label', this.format('heatmapLabel', s[KIND_KEYS[sel.kind]], this.format('layerN', String(sel.layer + 1)),
      sel.head === 'mean' ? s.headMean : this.format('headN', String(sel.head + 1)), String(matrix.rows), String(matrix.cols)));
    this.axisCaption.textContent = this.format(AXIS_KEYS[sel.kind], String(sel.layer + 1));
    this.headTitle.textContent = sel.kind === 'rollout' ? s.rolloutLayers : this.format('heads', String(sel.layer + 1));
    this.buildHeadGrid();
    this.redrawNow();
    if (this.stepCount() > 0) this.renderStepDetail();
  }

  private buildHeadGrid(): void {
    const att = this.sentence?.attention;
    if (!att) return;
    const sel = this.sel;
    const items: { label: string; head: HeadChoice; layer: number; selected: boolean }[] = [];
    if (sel.kind === 'rollout') {
      for (let l = 0; l < layerCount(att, 'rollout'); l++) items.push({ label: l > 0 ? this.format('rolloutThumb', String(l + 1)) : '1', head: 'mean', layer: l, selected: l === sel.layer });
    } else {
      for (let i = 0; i < headCount(att, sel.kind); i++) items.push({ label: this.format('headN', String(i + 1)), head: i, layer: sel.layer, selected: sel.head === i });
      items.push({ label: this.s.mean, head: 'mean', layer: sel.layer, selected: sel.head === 'mean' });
    }
    this.headGrid.replaceChildren(...items.map((it) => {
      const canvas = h('canvas', { class: 'head-thumb-canvas' });
      const b = h('button', {
        type: 'button', class: `head-thumb${it.selected ? ' selected' : ''}${it.head === 'mean' && sel.kind !== 'rollout' ? ' mean' : ''}`,
        'data-head': String(it.head), 'data-layer': String(it.layer), 'aria-pressed': String(it.selected), title: it.label,
      }, h('span', { class: 'head-thumb-frame' }, canvas), h('span', { class: 'head-caption' }, it.label));
      b.addEventListener('click', () => this.select(sel.kind === 'rollout' ? { layer: it.layer } : { head: it.head }));
      return b;
    }));
  }

  private queueRedraw(): void {
    if (this.redrawQueued) return;
    this.redrawQueued = true;
    const raf = this.doc.defaultView?.requestAnimationFrame ?? ((f: FrameRequestCallback) => setTimeout(() => f(0), 16));
    raf(() => { this.redrawQueued = false; this.redrawNow(); });
  }

  /** Draws the heatmap, its overlay, the legend and the thumbnails with the current theme and width. */
  private redrawNow(): void {
    const d = this.drawn;
    if (!d || this.resultEl.hidden || this.attentionBody.hidden) return;
    const theme = this.readTheme();
    const scale = this.scale!;
    const dpr = this.doc.defaultView?.devicePixelRatio || 1;
    const ctx = this.mainCanvas.getContext('2d') as CanvasRenderingContext2D | null;
    if (!ctx) return;
    const width = this.heatmapScroll.clientWidth || 640;
    this.lastWidth = this.heatmapScroll.clientWidth;
    // Bold widths: hovered labels are redrawn bold and must still fit.
    const rowW = d.rows.map((l) => measureLabel(ctx, l, theme, 16, true));
    const colW = d.cols.map((l) => measureLabel(ctx, l, theme, 16, true));
    d.layout = heatmapLayout({ rows: d.matrix.rows, cols: d.matrix.cols, rowLabelWidths: rowW, colLabelWidths: colW, fontSize: theme.fontSize, maxWidth: width - 2, minCell: 14, maxCell: 40 });
    const l = d.layout;
    for (const c of [this.mainCanvas, this.overlayCanvas]) {
      const px = canvasPixels(l.width, l.height, dpr);
      if (c.width !== px.width) c.width = px.width;
      if (c.height !== px.height) c.height = px.height;
      c.style.width = `${l.width}px`;
      c.style.height = `${l.height}px`;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawHeatmap(ctx as unknown as Ctx, d.matrix, { layout: l, rowLabels: d.rows, colLabels: d.cols, theme, scale, max: d.max, dpr });
    this.drawOverlayNow();
    this.legendBar.style.background = legendGradient(theme.background, theme.accent);
    this.legendMax.textContent = formatValue(d.max);
    this.legendEl.style.marginLeft = `${l.left}px`;
    this.drawThumbnails(theme, dpr);
  }

  private drawOverlayNow(): void {
    const d = this.drawn;
    if (!d || !this.theme || !this.scale) return;
    const ctx = this.overlayCanvas.getContext('2d') as CanvasRenderingContext2D | null;
    if (!ctx) return;
    const dpr = this.doc.defaultView?.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const stepRow = this.stepActive && (this.sel.kind === 'cross' || this.sel.kind === 'decoder') ? this.step : undefined;
    drawOverlay(ctx as unknown as Ctx, d.matrix, {
      layout: d.layout, rowLabels: d.rows, colLabels: d.cols, theme: this.theme, scale: this.scale, max: d.max, dpr,
      highlight: this.hoverCells(), stepRow,
    });
  }

  private drawThumbnails(theme: HeatmapTheme, dpr: number): void {
    const att = this.sentence?.attention;
    if (!att) return;
    for (const b of Array.from(this.headGrid.querySelectorAll<HTMLElement>('.head-thumb'))) {
      const canvas = b.querySelector('canvas');
      const ctx = canvas?.getContext('2d') as CanvasRenderingContext2D | null | undefined;
      if (!canvas || !ctx) continue;
      const head: HeadChoice = b.dataset.head === 'mean' ? 'mean' : Number(b.dataset.head);
      const m = selectMatrix(att, { kind: this.sel.kind, layer: Number(b.dataset.layer), head });
      const t = thumbLayout(m.rows, m.cols, THUMB_SIZE);
      const px = canvasPixels(t.width, t.height, dpr);
      canvas.width = px.width;
      canvas.height = px.height;
      canvas.style.width = `${t.width}px`;
      canvas.style.height = `${t.height}px`;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      drawThumbnail(ctx as unknown as Ctx, m, THUMB_SIZE, this.scale!, matrixMax(m), theme.background, dpr);
    }
  }

  // ---------------------------------------------------------------- theme

  private cssVar(name: string): string {
    return getComputedStyle(this.doc.body).getPropertyValue(name).trim();
  }

  /** Any CSS colour -> RGB, through a canvas for formats parseColor does not read. */
  private color(css: string): RGB | undefined {
    if (!css) return undefined;
    const direct = parseColor(css);
    if (direct) return direct;
    this.colorProbe ??= this.doc.createElement('canvas').getContext('2d');
    if (!this.colorProbe) return undefined;
    this.colorProbe.fillStyle = '#010203';
    this.colorProbe.fillStyle = css;
    const norm = String(this.colorProbe.fillStyle);
    return norm === '#010203' ? undefined : parseColor(norm);
  }

  private readTheme(): HeatmapTheme {
    if (this.theme) return this.theme;
    const body = this.doc.body;
    const cs = getComputedStyle(body);
    const hc = body.classList.contains('vscode-high-contrast') || body.classList.contains('vscode-high-contrast-light');
    const bg = this.color(this.cssVar('--vscode-editor-background')) ?? this.color(cs.backgroundColor) ?? { r: 30, g: 30, b: 30, a: 1 };
    const bgFlat = flatten(bg, { r: 255, g: 255, b: 255, a: 1 });
    const fg = flatten(this.color(this.cssVar('--vscode-editor-foreground')) ?? this.color(cs.color) ?? { r: 204, g: 204, b: 204, a: 1 }, bgFlat);
    const accent = pickAccent(bgFlat, [this.color(this.cssVar('--vscode-charts-blue')), this.color(this.cssVar('--vscode-focusBorder'))], fg);
    const muted = flatten(this.color(this.cssVar('--vscode-descriptionForeground')) ?? { ...fg, a: 0.75 }, bgFlat);
    const highlight = flatten((hc ? this.color(this.cssVar('--vscode-contrastActiveBorder')) : undefined) ?? this.color(this.cssVar('--vscode-focusBorder')) ?? fg, bgFlat);
    const border = hc ? this.color(this.cssVar('--vscode-contrastBorder')) : undefined;
    const size = parseFloat(this.cssVar('--vscode-font-size')) || parseFloat(cs.fontSize) || 13;
    this.theme = {
      background: bgFlat, foreground: fg, accent, muted, highlight,
      cellBorder: border ? flatten(border, bgFlat) : undefined,
      fontFamily: this.cssVar('--vscode-font-family') || cs.fontFamily || 'sans-serif',
      fontSize: Math.max(10, Math.round(size - 1)),
    };
    this.scale = makeScale(bgFlat, accent);
    this.container.style.setProperty('--ac-accent', toCss(accent));
    return this.theme;
  }

  // ---------------------------------------------------------------- hover / highlight

  private wireHeatmap(): void {
    const c = this.mainCanvas;
    const at = (e: PointerEvent | MouseEvent) => {
      const r = c.getBoundingClientRect();
      return this.drawn ? hitTest(this.drawn.layout, e.clientX - r.left, e.clientY - r.top) : undefined;
    };
    c.addEventListener('pointermove', (e) => {
      const hit = at(e);
      if (!hit) { this.setHover(undefined); return; }
      this.setHover({ origin: 'cell', row: hit.row, col: hit.col });
      this.showCellTooltip(hit.row, hit.col, e.clientX, e.clientY);
    });
    c.addEventListener('pointerleave', () => this.setHover(undefined));
    c.addEventListener('click', (e) => {
      const hit = at(e);
      if (hit?.row !== undefined && (this.sel.kind === 'cross' || this.sel.kind === 'decoder') && this.stepCount() > 0) this.goToStep(hit.row);
    });
    c.addEventListener('keydown', (e) => {
      const d = this.drawn;
      if (!d) return;
      const cur = this.hover?.origin === 'cell' ? this.hover : { origin: 'cell' as const, row: -1, col: -1 };
      let row = cur.row ?? 0, col = cur.col ?? 0;
      if (row < 0 || col < 0) { row = 0; col = 0; }
      else if (e.key === 'ArrowUp') row = Math.max(0, row - 1);
      else if (e.key === 'ArrowDown') row = Math.min(d.layout.rows - 1, row + 1);
      else if (e.key === 'ArrowLeft') col = Math.max(0, col - 1);
      else if (e.key === 'ArrowRight') col = Math.min(d.layout.cols - 1, col + 1);
      else if (e.key === 'Escape') { this.setHover(undefined); return; }
      else return;
      e.preventDefault();
      this.setHover({ origin: 'cell', row, col });
      const r = c.getBoundingClientRect();
      this.showCellTooltip(row, col, r.left + d.layout.left + (col + 1) * d.layout.cell, r.top + d.layout.top + (row + 1) * d.layout.cell);
    });
    c.addEventListener('blur', () => { if (this.hover?.origin === 'cell') this.setHover(undefined); });
  }

  private wireStrip(strip: HTMLElement): void {
    const which = strip.classList.contains('source') ? 'source' : 'target';
    const enter = (el: HTMLElement) => {
      const ref: StripRef = { strip: which, index: Number(el.dataset.index) };
      this.setHover({ origin: 'token', ref });
      this.showTokenTooltip(ref, el);
    };
    strip.addEventListener('pointerover', (e) => {
      const el = (e.target as HTMLElement).closest<HTMLElement>('.token');
      if (el && strip.contains(el)) enter(el);
    });
    strip.addEventListener('pointerleave', () => this.setHover(undefined));
    strip.addEventListener('focusin', (e) => {
      const el = (e.target as HTMLElement).closest<HTMLElement>('.token');
      if (el) enter(el);
    });
    strip.addEventListener('focusout', () => this.setHover(undefined));
    strip.addEventListener('click', (e) => {
      const el = (e.target as HTMLElement).closest<HTMLElement>('.token');
      if (el && which === 'target' && this.stepCount() > 0) this.goToStep(Number(el.dataset.index));
    });
  }

  /** The heatmap row/column the current hover stands for. */
  private hoverCells(): Highlight | undefined {
    const hv = this.hover, d = this.drawn;
    if (!hv || !d) return undefined;
    if (hv.origin === 'cell') return { row: hv.row, col: hv.col };
    return tokenToCells(this.sel.kind, hv.ref, d.matrix.rows, d.matrix.cols);
  }

  private setHover(hv: Hover | undefined): void {
    this.hover = hv;
    if (!hv) this.hideTooltip();
    this.drawOverlayNow();
    this.updateStripHighlights();
  }

  private stripToken(ref: StripRef | undefined): HTMLElement | undefined {
    if (!ref) return undefined;
    const strip = ref.strip === 'source' ? this.srcStrip : this.tgtStrip;
    return (strip.children[ref.index] as HTMLElement | undefined) ?? undefined;
  }

  private updateStripHighlights(): void {
    for (const el of Array.from(this.container.querySelectorAll<HTMLElement>('.token.highlight, .token.weighted'))) {
      el.classList.remove('highlight', 'weighted');
      el.style.removeProperty('--w');
    }
    const d = this.drawn, hv = this.hover;
    if (!hv) return;
    const kind = this.sel.kind;
    if (hv.origin === 'token') this.stripToken(hv.ref)?.classList.add('highlight');
    const cells = this.hoverCells();
    if (!d || !cells) return;
    if (cells.row !== undefined) this.stripToken(rowToken(kind, cells.row))?.classList.add('highlight');
    if (cells.col !== undefined) this.stripToken(colToken(kind, cells.col))?.classList.add('highlight');
    // Tint the other axis by the weights: a query's attention over keys, or a key's over queries.
    const tint = (values: Float32Array, ref: (i: number) => StripRef | undefined) => {
      const max = values.reduce((m, v) => Math.max(m, v), 0) || 1;
      values.forEach((v, i) => {
        const el = this.stripToken(ref(i));
        if (!el || v / max < 0.04) return;
        el.classList.add('weighted');
        el.style.setProperty('--w', (v / max).toFixed(3));
      });
    };
    if (cells.row !== undefined) tint(matrixRow(d.matrix, cells.row), (j) => colToken(kind, j));
    else if (cells.col !== undefined) tint(matrixCol(d.matrix, cells.col), (i) => rowToken(kind, i));
  }

  private showCellTooltip(row: number | undefined, col: number | undefined, x: number, y: number): void {
    const d = this.drawn;
    if (!d) return;
    if (row !== undefined && col !== undefined) {
      const v = d.matrix.data[row * d.matrix.cols + col];
      this.showTooltip([`${d.rows[row]?.text ?? '?'} → ${d.cols[col]?.text ?? '?'}: ${formatValue(v)}`], x, y);
    } else if (row !== undefined) {
      this.showTooltip([this.topLine(d, row, undefined)], x, y);
    } else if (col !== undefined) {
      this.showTooltip([this.topLine(d, undefined, col)], x, y);
    }
  }

  /** "은행 → 가서 0.42 · 에 0.20 · 돈 0.11" (a row) or "went 0.40 · bank 0.31 → 은행" (a column). */
  private topLine(d: Drawn, row: number | undefined, col: number | undefined): string {
    if (row !== undefined) {
      const top = topEntries(matrixRow(d.matrix, row), 3).map((e) => `${d.cols[e.index]?.text ?? '?'} ${formatValue(e.value)}`);
      return `${d.rows[row]?.text ?? '?'} → ${top.join(' · ')}`;
    }
    const top = topEntries(matrixCol(d.matrix, col!), 3).map((e) => `${d.rows[e.index]?.text ?? '?'} ${formatValue(e.value)}`);
    return `${top.join(' · ')} → ${d.cols[col!]?.text ?? '?'}`;
  }

  private showTokenTooltip(ref: StripRef, el: HTMLElement): void {
    const d = this.drawn;
    const lines: string[] = [];
    if (d) {
      const cells = tokenToCells(this.sel.kind, ref, d.matrix.rows, d.matrix.cols);
      if (cells.row !== undefined) lines.push(this.topLine(d, cells.row, undefined));
      else if (cells.col !== undefined) lines.push(this.topLine(d, undefined, cells.col));
    }
    lines.push(this.format('tokenInfo', el.dataset.piece ?? '', el.dataset.id ?? ''));
    const r = el.getBoundingClientRect();
    this.showTooltip(lines, r.left, r.bottom + 2, true);
  }

  private showTooltip(lines: string[], x: number, y: number, exact = false): void {
    const t = this.tooltip;
    t.replaceChildren(...lines.map((l, i) => h('div', { class: i === 0 ? 'tt-main' : 'tt-sub' }, l)));
    t.hidden = false;
    const win = this.doc.defaultView;
    const vw = win?.innerWidth ?? 1000, vh = win?.innerHeight ?? 800;
    const w = t.offsetWidth, hgt = t.offsetHeight;
    let left = exact ? x : x + 14, top = exact ? y : y + 16;
    if (left + w > vw - 4) left = Math.max(4, vw - 4 - w);
    if (top + hgt > vh - 4) top = Math.max(4, (exact ? y - 30 : y - 8) - hgt);
    t.style.left = `${left}px`;
    t.style.top = `${top}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }

  // ---------------------------------------------------------------- steps

  private stepCount(): number {
    return this.sentence?.steps?.length ?? 0;
  }

  private renderSteps(): void {
    const n = this.stepCount();
    this.stepsSection.hidden = n === 0;
    if (n === 0) return;
    this.stepSlider.max = String(n - 1);
    this.stepSlider.value = String(this.step);
    this.renderStepDetail();
  }

  private goToStep(i: number): void {
    const n = this.stepCount();
    if (n === 0) return;
    this.step = Math.max(0, Math.min(n - 1, i));
    this.stepActive = true;
    // The player follows the cross-attention: switch to it when the view has no target rows.
    if (this.sel.kind === 'encoder' || this.sel.kind === 'rollout') this.select({ kind: 'cross', head: 'mean' });
    this.stepSlider.value = String(this.step);
    this.renderStepDetail();
    this.drawOverlayNow();
  }

  private togglePlay(): void {
    if (this.playTimer) { this.stopPlaying(); return; }
    const n = this.stepCount();
    if (n === 0) return;
    if (!this.stepActive || this.step >= n - 1) this.goToStep(0);
    else this.goToStep(this.step);
    setButtonContent(this.stepPlay, this.s.pause, ICONS.pause);
    this.stepPlay.classList.add('playing');
    this.playTimer = setInterval(() => {
      if (this.step >= this.stepCount() - 1) { this.stopPlaying(); return; }
      this.goToStep(this.step + 1);
    }, PLAY_INTERVAL_MS);
  }

  private stopPlaying(): void {
    if (!this.playTimer) return;
    clearInterval(this.playTimer);
    this.playTimer = undefined;
    setButtonContent(this.stepPlay, this.s.play, ICONS.play);
    this.stepPlay.classList.remove('playing');
  }

  private renderStepDetail(): void {
    const st = this.sentence;
    const steps = st?.steps;
    if (!st || !steps || steps.length === 0) return;
    const n = steps.length, i = this.step;
    const step: DecodeStep = steps[i];
    this.stepCounter.textContent = this.format('stepN', String(i + 1), String(n));
    this.stepPrev.disabled = i <= 0;
    this.stepNext.disabled = i >= n - 1;
    // Target strip: the current step's token, later ones faded while the player is in use.
    Array.from(this.tgtStrip.children).forEach((el, t) => {
      el.classList.toggle('step-current', this.stepActive && t === i);
      el.classList.toggle('step-future', this.stepActive && t > i);
    });
    const chosenLabel = st.tgtTokens[i] ? tokenLabel(st.tgtTokens[i]) : pieceLabel(step.candidates.find((c) => c.id === step.chosen)?.piece ?? '?');
    const chosenProb = step.candidates.find((c) => c.id === step.chosen)?.prob;
    this.stepChosen.replaceChildren(
      h('span', { class: 'step-label' }, this.s.chosen),
      chip(chosenLabel, 'chip chosen'),
      ...(chosenProb !== undefined ? [h('span', { class: 'prob' }, formatPercent(chosenProb))] : []),
    );
    const maxProb = step.candidates.reduce((m, c) => Math.max(m, c.prob), 0) || 1;
    this.stepCandidates.replaceChildren(...step.candidates.map((c) => {
      const fill = h('span', { class: 'cand-fill' });
      fill.style.width = `${Math.max(1, (100 * c.prob) / Math.max(maxProb, 1e-9))}%`;
      return h('li', { class: `candidate${c.id === step.chosen ? ' chosen' : ''}` },
        chip(pieceLabel(c.piece), 'chip cand-piece'), h('span', { class: 'cand-bar' }, fill), h('span', { class: 'cand-prob' }, formatPercent(c.prob)));
    }));
    // Where this step looked: cross-attention row i (the selected layer/head if cross is shown, else last-layer mean).
    const att = st.attention;
    this.stepLooks.replaceChildren();
    if (att) {
      const sel = normalizeSelection(att, this.sel.kind === 'cross' ? this.sel : { kind: 'cross', layer: layerCount(att, 'cross') - 1, head: 'mean' });
      const m = selectMatrix(att, sel);
      if (i < m.rows) {
        const labels = st.srcTokens.map(tokenLabel);
        for (const e of topEntries(matrixRow(m, i), 4)) {
          const fill = h('span', { class: 'cand-fill' });
          fill.style.width = `${Math.max(1, 100 * e.value)}%`;
          this.stepLooks.append(h('div', { class: 'look' }, chip(labels[e.index] ?? { text: '?', wordStart: false, special: true }, 'chip'),
            h('span', { class: 'cand-bar' }, fill), h('span', { class: 'cand-prob' }, formatValue(e.value))));
        }
      }
    }
  }

  // ---------------------------------------------------------------- export

  private exportFigure(): void {
    const d = this.drawn;
    if (!d || !this.theme || !this.onAction) return;
    const theme = printTheme(this.theme);
    const scale = makeScale(theme.background, theme.accent);
    const sel = this.sel;
    const title = `${this.s[KIND_KEYS[sel.kind]]} · ${sel.kind === 'rollout' && sel.layer > 0 ? this.format('rolloutUpTo', String(sel.layer + 1)) : this.format('layerN', String(sel.layer + 1))}${sel.kind === 'rollout' ? '' : ` · ${sel.head === 'mean' ? this.s.headMean : this.format('headN', String(sel.head + 1))}`}`;
    const W = Math.ceil(Math.max(d.layout.width + 2 * FIGURE_MARGIN.side, 260)), H = Math.ceil(d.layout.height + FIGURE_MARGIN.top + FIGURE_MARGIN.bottom);
    const canvas = this.doc.createElement('canvas');
    const ctx = canvas.getContext('2d');
    let subtitle = `${d.sentence.source} → ${d.sentence.text}`.replace(/\s+/g, ' ');
    if (ctx) {
      // Shorten the subtitle to the figure's width.
      ctx.font = `${Math.max(9, theme.fontSize - 1)}px ${theme.fontFamily}`;
      const room = W - 2 * FIGURE_MARGIN.side;
      while (subtitle.length > 4 && ctx.measureText(subtitle).width > room) subtitle = short(subtitle, [...subtitle].length - 4);
    }
    const svg = heatmapSvg(d.matrix, { layout: d.layout, rowLabels: d.rows, colLabels: d.cols, theme, max: d.max, title, subtitle });
    // PNG at 2x: the same drawing code on an offscreen canvas, plus the title.
    const scaleFactor = 2;
    canvas.width = W * scaleFactor;
    canvas.height = H * scaleFactor;
    let png = '';
    if (ctx) {
      ctx.scale(scaleFactor, scaleFactor);
      ctx.fillStyle = toCss(theme.background);
      ctx.fillRect(0, 0, W, H);
      ctx.fillStyle = toCss(theme.foreground);
      ctx.font = `600 ${theme.fontSize}px ${theme.fontFamily}`;
      ctx.textBaseline = 'alphabetic';
      ctx.fillText(title, FIGURE_MARGIN.side, 18);
      ctx.fillStyle = toCss(theme.muted);
      ctx.font = `${Math.max(9, theme.fontSize - 1)}px ${theme.fontFamily}`;
      ctx.fillText(subtitle, FIGURE_MARGIN.side, 33);
      ctx.translate(FIGURE_MARGIN.side, FIGURE_MARGIN.top);
      drawHeatmap(ctx as unknown as Ctx, d.matrix, { layout: d.layout, rowLabels: d.rows, colLabels: d.cols, theme, scale, max: d.max, dpr: scaleFactor });
      const lx = d.layout.left, ly = d.layout.height + 12, lw = Math.min(160, Math.max(80, d.layout.gridWidth));
      for (let k = 0; k < lw; k++) { ctx.fillStyle = scale(k / (lw - 1)); ctx.fillRect(lx + k, ly, 1.5, 8); }
      ctx.fillStyle = toCss(theme.muted);
      ctx.font = `${Math.max(9, theme.fontSize - 2)}px ${theme.fontFamily}`;
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'right';
      ctx.fillText('0', lx - 4, ly + 4);
      ctx.textAlign = 'left';
      ctx.fillText(formatValue(d.max), lx + lw + 4, ly + 4);
      png = canvas.toDataURL('image/png');
    }
    this.onAction({ kind: 'exportFigure', svg, png, name: selectionName(sel) });
  }
}

function chip(l: TokenLabel, cls: string): HTMLElement {
  const el = h('span', { class: `${cls}${l.wordStart ? ' word-start' : ''}${l.special ? ' special' : ''}` }, l.text);
  return el;
}

function short(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return [...t].length > n ? [...t].slice(0, n - 1).join('') + '…' : t;
}
