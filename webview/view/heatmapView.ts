// The Attention panel's attention section: kind / layer / head pickers, the heatmap with its overlay and legend (of
// pieces or of words: selection.ts selectView), the head grid and the figure export. Owns the selection and what is drawn; hover and the step player tell it what
// the overlay shows through its host. Drawing maths: ../render (pure, unit-tested).
import { matrixMax } from '../../src/engine/attention';
import { visibleText } from '../../src/engine/tokenLabels';
import type { Matrix, SentenceResult } from '../../src/shared/results';
import { el } from '../components/dom';
import { ICONS } from '../components/icons';
import { readTheme, watchTheme } from '../components/theme';
import { Dropdown, button, type Choice } from '../components/widgets';
import { formatValue, legendGradient, makeScale, toCss } from '../render/colorScale';
import { type AxisTitles, heatmapSvg, printTheme } from '../render/figure';
import { figureName } from '../render/figureName';
import { type Ctx, type HeatmapTheme, type Highlight, drawHeatmap, drawOverlay, drawThumbnail, measureLabel, uprightHeight } from '../render/heatmap';
import { type HeatmapLayout, canvasPixels, heatmapLayout, thumbLayout } from '../render/layout';
import { fitSubtitle, heatmapPng } from '../render/png';
import type { TokenLabel } from '../render/tokens';
import type { StringKey, Translate } from '../strings';
import {
  type AttentionKind, type HeadChoice, KINDS, type Selection, type Units, headCount, layerCount, normalizeSelection, selectView, selectionName,
} from './selection';

const KIND_KEYS: Record<AttentionKind, StringKey> = { encoder: 'panel.kindEncoder', decoder: 'panel.kindDecoder', cross: 'panel.kindCross', rollout: 'panel.kindRollout' };
const AXIS_KEYS: Record<AttentionKind, StringKey> = { encoder: 'panel.axisEncoder', decoder: 'panel.axisDecoder', cross: 'panel.axisCross', rollout: 'panel.axisRollout' };
const THUMB_SIZE = 60;

/** An exported figure: SVG, PNG (data URL), a file name, its title, and the sentence it shows. */
export interface Figure { svg: string; png: string; name: string; title: string; source: string }

/** The matrix on screen: its sentence, labels, layout (as last drawn) and largest value. */
export interface Drawn { sentence: SentenceResult; matrix: Matrix; rows: TokenLabel[]; cols: TokenLabel[]; layout: HeatmapLayout; max: number }

/** What the heatmap view asks of the panel around it. */
export interface HeatmapHost {
  /** The selection changed: a picker, the head grid, or select(). */
  selected(sel: Selection): void;
  /** What the overlay marks now: the hovered cells and the step player's row. */
  overlay(): { highlight?: Highlight; stepRow?: number };
  /** The user exported the figure of what is shown. */
  exported(figure: Figure): void;
}

/** The screen theme as the heatmap draws it: a point smaller than the UI text. */
function heatmapTheme(doc: Document): HeatmapTheme {
  const t = readTheme('editor', doc);
  return { ...t, fontSize: Math.max(10, Math.round(t.fontSize - 1)) };
}

export class HeatmapView {
  readonly element: HTMLElement;
  /** The main heatmap (hover wiring: ./hover.ts). */
  readonly canvas: HTMLCanvasElement;
  private readonly doc: Document;
  private readonly body: HTMLElement;
  private readonly noAttention: HTMLElement;
  private readonly kindPicker: Dropdown;
  private readonly layerPicker: Dropdown;
  private readonly headPicker: Dropdown;
  private readonly exportButton: HTMLElement & { disabled: boolean };
  private readonly axisCaption: HTMLElement;
  private readonly scroll: HTMLElement;
  private readonly overlayCanvas: HTMLCanvasElement;
  private readonly legend: HTMLElement;
  private readonly legendBar: HTMLElement;
  private readonly legendMax: HTMLElement;
  private readonly headTitle: HTMLElement;
  private readonly headGrid: HTMLElement;
  private sentence?: SentenceResult;
  private sel: Selection = { kind: 'cross', layer: Number.POSITIVE_INFINITY, head: 'mean' };
  private units: Units = 'pieces';
  private shown?: Drawn;
  private theme?: HeatmapTheme;
  private scale?: (t: number) => string;
  private redrawQueued = false;
  private lastWidth = 0;
  /** Which buttons the head grid has (kind, layer, count): a head pick only moves the selection between them. */
  private gridKey = '';
  /** What the thumbnails were last drawn from: redrawn only when one of these changes, never for a head pick. */
  private thumbsDrawn?: { gridKey: string; sentence: SentenceResult; units: Units; theme: HeatmapTheme; dpr: number };
  /** Measured label widths (bold, as hovered labels are drawn) by label, for the current theme. */
  private readonly labelWidths = new Map<string, number>();
  /** The theme the legend's gradient was made for. */
  private legendTheme?: HeatmapTheme;

  /** `styleRoot` gets the accent colour as --ac-accent (token tints, bars). */
  constructor(private readonly t: Translate, private readonly host: HeatmapHost, private readonly styleRoot: HTMLElement) {
    this.doc = styleRoot.ownerDocument;
    this.kindPicker = new Dropdown('kind-select', t('panel.kind'));
    this.layerPicker = new Dropdown('layer-select', t('panel.layer'));
    this.headPicker = new Dropdown('head-select', t('panel.head'));
    this.kindPicker.onChange((v) => this.select({ kind: v as AttentionKind }));
    this.layerPicker.onChange((v) => this.select({ layer: Number(v) }));
    this.headPicker.onChange((v) => this.select({ head: v === 'mean' ? 'mean' : Number(v) }));
    this.exportButton = button({ id: 'export-figure', title: t('panel.exportFigure'), icon: ICONS.export, appearance: 'icon' });
    this.exportButton.addEventListener('click', () => {
      const figure = this.figure();
      if (figure) this.host.exported(figure);
    });
    this.exportButton.hidden = true;
    const controls = el('div', { class: 'controls' }, this.kindPicker.field, this.layerPicker.field, this.headPicker.field,
      el('div', { class: 'controls-spacer' }), this.exportButton);
    this.axisCaption = el('div', { class: 'axis-caption' });
    this.canvas = el('canvas', { class: 'heatmap-main', attrs: { tabindex: '0', role: 'img' } });
    this.overlayCanvas = el('canvas', { class: 'heatmap-overlay', attrs: { 'aria-hidden': 'true' } });
    this.scroll = el('div', { class: 'heatmap-scroll' }, el('div', { class: 'heatmap-stack' }, this.canvas, this.overlayCanvas));
    this.legendBar = el('span', { class: 'legend-bar' });
    this.legendMax = el('span', { class: 'legend-max' });
    this.legend = el('div', { class: 'legend', attrs: { 'aria-hidden': 'true' } }, el('span', { class: 'legend-min', text: '0' }), this.legendBar, this.legendMax);
    this.headTitle = el('div', { class: 'subsection-title' });
    this.headGrid = el('div', { class: 'head-grid', attrs: { role: 'group' } });
    this.noAttention = el('p', { class: 'no-attention', text: t('panel.noAttention') });
    this.body = el('div', { class: 'attention-body' }, controls, this.axisCaption, this.scroll, this.legend, this.headTitle, this.headGrid);
    this.element = el('section', { class: 'section attention-section' },
      el('div', { class: 'section-title' }, el('span', { text: t('panel.attention') })), this.noAttention, this.body);

    // Theme changes re-read the colours; width changes re-layout; zoom changes devicePixelRatio.
    watchTheme(() => this.refreshTheme(), this.doc);
    const win = this.doc.defaultView;
    if (win && 'ResizeObserver' in win) {
      new ResizeObserver(() => {
        if (this.scroll.clientWidth !== this.lastWidth) this.queueRedraw();
      }).observe(this.scroll);
    }
    win?.addEventListener('resize', () => this.queueRedraw());
  }

  get selection(): Selection {
    return this.sel;
  }

  /** The matrix on screen with its labels and layout (undefined without attention). */
  get drawn(): Drawn | undefined {
    return this.shown;
  }

  /** Shows the export button (only when someone receives the figure). */
  set exportable(on: boolean) {
    this.exportButton.hidden = !on;
  }

  /** A sentence (another result, or another sentence of it); `focus` picks the attention shown first. */
  show(sentence: SentenceResult, focus?: Selection): void {
    this.sentence = sentence;
    if (focus) this.sel = { ...focus };
    const has = !!sentence.attention;
    this.noAttention.textContent = this.t(sentence.attentionLeftOut ? 'panel.attentionLeftOutHere' : 'panel.noAttention');
    this.noAttention.hidden = has;
    this.body.hidden = !has;
    this.update();
  }

  /** Pieces or words on the axes (the strips' toggle). */
  setUnits(units: Units): void {
    if (units === this.units) return;
    this.units = units;
    this.update();
  }

  /** Selects an attention view (as if picked in the dropdowns). */
  select(change: Partial<Selection>): void {
    this.sel = { ...this.sel, ...change };
    if (change.kind === 'rollout') this.sel.head = 'mean';
    this.update();
  }

  /** Re-reads the theme colours and redraws (called when VS Code changes theme). */
  refreshTheme(): void {
    this.theme = undefined;
    this.labelWidths.clear();
    this.queueRedraw();
  }

  /** Pickers + heatmap + head grid for the current selection. */
  private update(): void {
    const st = this.sentence;
    const att = st?.attention;
    if (!st || !att) {
      this.shown = undefined;
      return;
    }
    const { t } = this;
    const sel = normalizeSelection(att, this.sel);
    this.sel = sel;
    this.kindPicker.setOptions(KINDS.map((k) => ({ value: k, label: t(KIND_KEYS[k]) })), sel.kind);
    this.layerPicker.setOptions(Array.from({ length: layerCount(att, sel.kind) }, (_, l): Choice => ({ value: String(l), label: this.layerName(sel.kind, l) })), String(sel.layer));
    const headChoices: Choice[] = Array.from({ length: headCount(att, sel.kind) }, (_, i) => ({ value: String(i), label: t('panel.headN', { n: i + 1 }) }));
    headChoices.push({ value: 'mean', label: t('panel.headMean') });
    this.headPicker.setOptions(headChoices, String(sel.head));
    this.headPicker.disabled = sel.kind === 'rollout';

    const view = selectView(st, sel, this.units);
    const matrix = view.matrix;
    const layout = this.shown?.layout ?? heatmapLayout({ rows: 0, cols: 0, rowLabelWidths: [], colLabelWidths: [], fontSize: 12, maxWidth: 100 });
    this.shown = { sentence: st, matrix, rows: view.rows.map((g) => g.label), cols: view.cols.map((g) => g.label), layout, max: matrixMax(matrix) };
    const c = this.canvas;
    c.dataset.units = this.units;
    c.dataset.rows = String(matrix.rows);
    c.dataset.cols = String(matrix.cols);
    c.dataset.kind = sel.kind;
    c.dataset.layer = String(sel.layer);
    c.dataset.head = String(sel.head);
    c.setAttribute('aria-label', t('panel.heatmapLabel', {
      kind: t(KIND_KEYS[sel.kind]), layer: t('panel.layerN', { n: sel.layer + 1 }), head: this.headName(sel.head), rows: matrix.rows, cols: matrix.cols,
    }));
    this.axisCaption.textContent = t(AXIS_KEYS[sel.kind], { layer: sel.layer + 1 }) + (this.units === 'words' ? ` · ${t('panel.wordsCaption')}` : '');
    this.headTitle.textContent = sel.kind === 'rollout' ? t('panel.rolloutLayers') : t('panel.heads', { layer: sel.layer + 1 });
    this.syncHeadGrid(att);
    this.redrawNow();
    this.host.selected(sel);
  }

  private layerName(kind: AttentionKind, l: number): string {
    return kind === 'rollout' && l > 0 ? this.t('panel.rolloutUpTo', { n: l + 1 }) : this.t('panel.layerN', { n: l + 1 });
  }

  private headName(head: HeadChoice): string {
    return head === 'mean' ? this.t('panel.headMean') : this.t('panel.headN', { n: head + 1 });
  }

  /** The head grid for the selection: rebuilt when its buttons change (kind, layer), else only the selected one moves. */
  private syncHeadGrid(att: NonNullable<SentenceResult['attention']>): void {
    const { sel } = this;
    const count = sel.kind === 'rollout' ? layerCount(att, 'rollout') : headCount(att, sel.kind);
    const key = sel.kind === 'rollout' ? `rollout|${count}` : `${sel.kind}|${sel.layer}|${count}`;
    if (key !== this.gridKey) {
      this.gridKey = key;
      this.buildHeadGrid(att);
      return;
    }
    for (const b of Array.from(this.headGrid.querySelectorAll<HTMLElement>('.head-thumb'))) {
      const selected = sel.kind === 'rollout' ? b.dataset.layer === String(sel.layer) : b.dataset.head === String(sel.head);
      b.classList.toggle('selected', selected);
      b.setAttribute('aria-pressed', String(selected));
    }
  }

  private buildHeadGrid(att: NonNullable<SentenceResult['attention']>): void {
    const { sel, t } = this;
    const items: { label: string; head: HeadChoice; layer: number; selected: boolean }[] = [];
    if (sel.kind === 'rollout') {
      for (let l = 0; l < layerCount(att, 'rollout'); l++) items.push({ label: l > 0 ? t('panel.rolloutThumb', { n: l + 1 }) : '1', head: 'mean', layer: l, selected: l === sel.layer });
    } else {
      for (let i = 0; i < headCount(att, sel.kind); i++) items.push({ label: t('panel.headN', { n: i + 1 }), head: i, layer: sel.layer, selected: sel.head === i });
      items.push({ label: t('panel.mean'), head: 'mean', layer: sel.layer, selected: sel.head === 'mean' });
    }
    this.thumbsDrawn = undefined;
    this.headGrid.replaceChildren(...items.map((it) => {
      const b = el('button', {
        class: `head-thumb${it.selected ? ' selected' : ''}${it.head === 'mean' && sel.kind !== 'rollout' ? ' mean' : ''}`, title: it.label,
        attrs: { type: 'button', 'data-head': String(it.head), 'data-layer': String(it.layer), 'aria-pressed': String(it.selected) },
      }, el('span', { class: 'head-thumb-frame' }, el('canvas', { class: 'head-thumb-canvas' })), el('span', { class: 'head-caption', text: it.label }));
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

  private readTheme(): HeatmapTheme {
    if (this.theme) return this.theme;
    const theme = heatmapTheme(this.doc);
    this.theme = theme;
    this.scale = makeScale(theme.background, theme.accent);
    this.styleRoot.style.setProperty('--ac-accent', toCss(theme.accent));
    return theme;
  }

  private get dpr(): number {
    return this.doc.defaultView?.devicePixelRatio || 1;
  }

  /** Draws the heatmap, its overlay, the legend and the thumbnails with the current theme and width. */
  private redrawNow(): void {
    const d = this.shown;
    if (!d || this.body.closest('[hidden]')) return;          // hidden: drawn when shown (width unknown now)
    const theme = this.readTheme();
    const ctx = this.canvas.getContext('2d') as CanvasRenderingContext2D | null;
    if (!ctx) return;
    const dpr = this.dpr;
    const width = this.scroll.clientWidth || 640;
    this.lastWidth = this.scroll.clientWidth;
    // Bold widths: hovered labels are redrawn bold and must still fit.
    const rowW = d.rows.map((l) => this.labelWidth(ctx, l, theme));
    const colW = d.cols.map((l) => this.labelWidth(ctx, l, theme));
    const colUpright = d.cols.map((l) => uprightHeight(l, theme));
    d.layout = heatmapLayout({
      rows: d.matrix.rows, cols: d.matrix.cols, rowLabelWidths: rowW, colLabelWidths: colW, colLabelUpright: colUpright,
      fontSize: theme.fontSize, maxWidth: width - 2, minCell: 14, maxCell: 40,
    });
    const l = d.layout;
    for (const c of [this.canvas, this.overlayCanvas]) {
      const px = canvasPixels(l.width, l.height, dpr);
      if (c.width !== px.width) c.width = px.width;
      if (c.height !== px.height) c.height = px.height;
      setStyle(c, 'width', `${l.width}px`);
      setStyle(c, 'height', `${l.height}px`);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawHeatmap(ctx as unknown as Ctx, d.matrix, { layout: l, rowLabels: d.rows, colLabels: d.cols, theme, scale: this.scale!, max: d.max, dpr });
    this.drawOverlay();
    if (this.legendTheme !== theme) {
      this.legendBar.style.background = legendGradient(theme.background, theme.accent);
      this.legendTheme = theme;
    }
    const max = formatValue(d.max);
    if (this.legendMax.textContent !== max) this.legendMax.textContent = max;
    setStyle(this.legend, 'marginLeft', `${l.left}px`);
    const drawn = this.thumbsDrawn;
    if (!drawn || drawn.gridKey !== this.gridKey || drawn.sentence !== d.sentence || drawn.units !== this.units || drawn.theme !== theme || drawn.dpr !== dpr) {
      this.drawThumbnails(theme, dpr);
      this.thumbsDrawn = { gridKey: this.gridKey, sentence: d.sentence, units: this.units, theme, dpr };
    }
  }

  /** A label's width, measured once per theme (measureText is a large part of a redraw otherwise). */
  private labelWidth(ctx: CanvasRenderingContext2D, label: TokenLabel, theme: HeatmapTheme): number {
    const key = `${label.special ? 's' : 'n'}${label.text}`;
    let w = this.labelWidths.get(key);
    if (w === undefined) this.labelWidths.set(key, w = measureLabel(ctx, label, theme, 16, true));
    return w;
  }

  /** Redraws the overlay: what the host says is hovered, and the step player's row. */
  drawOverlay(): void {
    const d = this.shown;
    if (!d || !this.theme || !this.scale) return;
    const ctx = this.overlayCanvas.getContext('2d') as CanvasRenderingContext2D | null;
    if (!ctx) return;
    const dpr = this.dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const { highlight, stepRow } = this.host.overlay();
    drawOverlay(ctx as unknown as Ctx, d.matrix, {
      layout: d.layout, rowLabels: d.rows, colLabels: d.cols, theme: this.theme, scale: this.scale, max: d.max, dpr, highlight, stepRow,
    });
  }

  private drawThumbnails(theme: HeatmapTheme, dpr: number): void {
    const st = this.sentence;
    if (!st?.attention) return;
    for (const b of Array.from(this.headGrid.querySelectorAll<HTMLElement>('.head-thumb'))) {
      const canvas = b.querySelector('canvas');
      const ctx = canvas?.getContext('2d') as CanvasRenderingContext2D | null | undefined;
      if (!canvas || !ctx) continue;
      const head: HeadChoice = b.dataset.head === 'mean' ? 'mean' : Number(b.dataset.head);
      const m = selectView(st, { kind: this.sel.kind, layer: Number(b.dataset.layer), head }, this.units).matrix;
      const tl = thumbLayout(m.rows, m.cols, THUMB_SIZE);
      const px = canvasPixels(tl.width, tl.height, dpr);
      canvas.width = px.width;
      canvas.height = px.height;
      canvas.style.width = `${tl.width}px`;
      canvas.style.height = `${tl.height}px`;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      drawThumbnail(ctx as unknown as Ctx, m, THUMB_SIZE, this.scale!, matrixMax(m), theme.background, dpr);
    }
  }

  /** What the rows and the columns of the figure are: which axis is source, which target, and in which language. */
  private axisTitles(sel: Selection, st: SentenceResult): AxisTitles {
    const { t } = this;
    const src = { lang: st.from }, tgt = { lang: st.to };
    switch (sel.kind) {
      case 'encoder': return { rows: t('panel.axisTitleSourceQueries', src), cols: t('panel.axisTitleSourceKeys', src) };
      case 'cross': return { rows: t('panel.axisTitleTargetQueries', tgt), cols: t('panel.axisTitleSourceKeys', src) };
      case 'decoder': return { rows: t('panel.axisTitleTargetQueries', tgt), cols: t('panel.axisTitleDecoderKeys', tgt) };
      case 'rollout': return { rows: t('panel.axisTitleRolloutRows', { ...src, layer: sel.layer + 1 }), cols: t('panel.axisTitleRolloutCols', src) };
    }
  }

  /** The figure of what is shown, light for print: SVG and a 2× PNG with axis titles; undefined when nothing is shown. */
  figure(): Figure | undefined {
    const d = this.shown;
    if (!d || !this.theme) return undefined;
    const { sel, t } = this;
    const theme = printTheme(this.theme);
    const title = `${t(KIND_KEYS[sel.kind])} · ${this.layerName(sel.kind, sel.layer)}${sel.kind === 'rollout' ? '' : ` · ${this.headName(sel.head)}`}`;
    const canvas = this.doc.createElement('canvas');
    const base = { layout: d.layout, rowLabels: d.rows, colLabels: d.cols, theme, max: d.max, title, axes: this.axisTitles(sel, d.sentence) };
    // Controls and bidi marks escaped as in the labels: an override in the sentence must not reorder the caption.
    const subtitle = fitSubtitle(canvas, visibleText(`${d.sentence.source} → ${d.sentence.text}`.replace(/\s+/g, ' ')), base);
    const svg = heatmapSvg(d.matrix, { ...base, subtitle });
    const png = heatmapPng(canvas, d.matrix, { ...base, subtitle, scale: makeScale(theme.background, theme.accent) });
    const view = selectionName(sel) + (this.units === 'words' ? '-words' : '');
    return { svg, png, name: figureName(d.sentence.source, view), title, source: d.sentence.source };
  }
}

/** Sets an inline style only when it differs: an unchanged map should not make the page lay itself out again. */
function setStyle(e: HTMLElement, prop: 'width' | 'height' | 'marginLeft', value: string): void {
  if (e.style[prop] !== value) e.style[prop] = value;
}
