// The Attention panel's step player: walks through the decoding steps of a sentence (previous / next / slider /
// play), showing each step's chosen token, its top candidates and where it looked. Owns the step, whether the player
// is in use, and the play timer; the panel around it answers through StepPlayerHost.
import { matrixRow, topEntries } from '../../src/engine/attention';
import type { DecodeStep, SentenceResult } from '../../src/shared/results';
import { el } from '../components/dom';
import { ICONS } from '../components/icons';
import { button, setButtonContent } from '../components/widgets';
import { formatPercent, formatValue } from '../render/colorScale';
import { type TokenLabel, pieceLabel, tokenLabels } from '../../src/engine/tokenLabels';
import type { Translate } from '../strings';
import { type Selection, layerCount, normalizeSelection, selectMatrix } from './selection';

const PLAY_INTERVAL_MS = 750;

/** What the step player asks of the panel around it. */
export interface StepPlayerHost {
  /** The attention shown now: "looks at" follows it when it is cross-attention (else the last layer's mean). */
  selection(): Selection;
  /** The player moved to `step`: show the attention rows of that target token. */
  stepped(step: number): void;
  /** Marks target token `current` and fades later ones; undefined: the player is not in use. */
  markSteps(current: number | undefined): void;
}

export class StepPlayer {
  readonly element: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly counter: HTMLElement;
  private readonly prev: HTMLElement & { disabled: boolean };
  private readonly next: HTMLElement & { disabled: boolean };
  private readonly play: HTMLElement & { disabled: boolean };
  private readonly chosen: HTMLElement;
  private readonly candidates: HTMLOListElement;
  private readonly looks: HTMLElement;
  private sentence?: SentenceResult;
  private step = 0;
  private active = false;
  private timer?: ReturnType<typeof setInterval>;
  /** What "looks at" shows now: the sentence, and the step with the cross-attention layer and head. */
  private looksFor?: { sentence: SentenceResult; key: string };

  constructor(private readonly t: Translate, private readonly host: StepPlayerHost) {
    this.prev = button({ id: 'step-prev', title: t('panel.prevStep'), icon: ICONS.chevronLeft });
    this.next = button({ id: 'step-next', title: t('panel.nextStep'), icon: ICONS.chevronRight });
    this.play = button({ id: 'step-play', title: t('panel.play'), icon: ICONS.play });
    this.slider = el('input', { class: 'step-slider', attrs: { id: 'step-slider', type: 'range', min: '0', max: '0', step: '1', value: '0', 'aria-label': t('panel.steps') } });
    this.counter = el('span', { class: 'step-counter', attrs: { id: 'step-counter' } });
    this.prev.addEventListener('click', () => { this.stop(); this.goTo(this.step - 1); });
    this.next.addEventListener('click', () => { this.stop(); this.goTo(this.step + 1); });
    this.play.addEventListener('click', () => this.togglePlay());
    this.slider.addEventListener('input', () => { this.stop(); this.goTo(Number(this.slider.value)); });
    this.chosen = el('div', { class: 'step-chosen' });
    this.candidates = el('ol', { class: 'candidates', attrs: { 'aria-label': t('panel.candidates') } });
    this.looks = el('div', { class: 'step-looks' });
    this.element = el('section', { class: 'section steps-section' },
      el('div', { class: 'section-title' }, el('span', { text: t('panel.steps') })),
      el('div', { class: 'step-controls' }, this.prev, this.slider, this.next, this.play, this.counter),
      el('div', { class: 'step-body' }, this.chosen,
        el('div', { class: 'step-column' }, el('div', { class: 'step-label', text: t('panel.candidates') }), this.candidates),
        el('div', { class: 'step-column' }, el('div', { class: 'step-label', text: t('panel.looksAt') }), this.looks)));
  }

  /** The step the overlay marks: the current one while the player is in use. */
  get current(): number | undefined {
    return this.active ? this.step : undefined;
  }

  private get count(): number {
    return this.sentence?.steps?.length ?? 0;
  }

  /** A new sentence: back to its first step, not in use; hidden when it has no steps. */
  show(sentence: SentenceResult): void {
    this.stop();
    this.sentence = sentence;
    this.step = 0;
    this.active = false;
    const n = this.count;
    this.element.hidden = n === 0;
    if (n === 0) return;
    this.slider.max = String(n - 1);
    this.slider.value = String(this.step);
    this.render();
  }

  /** Goes to step `i` (clamped), e.g. from a click on a target token. */
  goTo(i: number): void {
    const n = this.count;
    if (n === 0) return;
    this.step = Math.max(0, Math.min(n - 1, i));
    this.active = true;
    this.host.stepped(this.step);
    this.slider.value = String(this.step);
    this.render();
  }

  /** The attention shown changed: "looks at" follows the cross-attention shown (only that part is drawn again). */
  refresh(): void {
    if (this.count > 0) this.renderLooks();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    setButtonContent(this.play, this.t('panel.play'), ICONS.play);
    this.play.classList.remove('playing');
  }

  private togglePlay(): void {
    if (this.timer) { this.stop(); return; }
    const n = this.count;
    if (n === 0) return;
    this.goTo(!this.active || this.step >= n - 1 ? 0 : this.step);
    setButtonContent(this.play, this.t('panel.pause'), ICONS.pause);
    this.play.classList.add('playing');
    this.timer = setInterval(() => {
      if (this.step >= this.count - 1) { this.stop(); return; }
      this.goTo(this.step + 1);
    }, PLAY_INTERVAL_MS);
  }

  private render(): void {
    const st = this.sentence;
    const steps = st?.steps;
    if (!st || !steps || steps.length === 0) return;
    const n = steps.length, i = this.step;
    const step: DecodeStep = steps[i];
    this.counter.textContent = this.t('panel.stepN', { n: i + 1, total: n });
    this.prev.disabled = i <= 0;
    this.next.disabled = i >= n - 1;
    this.host.markSteps(this.current);
    const chosen = step.candidates.find((c) => c.id === step.chosen);
    this.chosen.replaceChildren(
      el('span', { class: 'step-label', text: this.t('panel.chosen') }),
      chip(st.tgtTokens[i] ? tokenLabels(st.tgtTokens)[i] : pieceLabel(chosen?.piece ?? '?'), 'chip chosen'),
      ...(chosen ? [el('span', { class: 'prob', text: formatPercent(chosen.prob) })] : []),
    );
    const maxProb = step.candidates.reduce((m, c) => Math.max(m, c.prob), 0) || 1;
    this.candidates.replaceChildren(...step.candidates.map((c) => el('li', { class: `candidate${c.id === step.chosen ? ' chosen' : ''}` },
      chip(pieceLabel(c.piece), 'chip cand-piece'), bar((100 * c.prob) / Math.max(maxProb, 1e-9)), el('span', { class: 'cand-prob', text: formatPercent(c.prob) }))));
    this.renderLooks();
  }

  /** Where this step looked: cross-attention row i (the selected layer/head if cross is shown, else the last layer's mean). */
  private renderLooks(): void {
    const st = this.sentence;
    const att = st?.attention;
    const i = this.step;
    const shown = this.host.selection();
    const sel = att && normalizeSelection(att, shown.kind === 'cross' ? shown : { kind: 'cross', layer: layerCount(att, 'cross') - 1, head: 'mean' });
    // A head pick outside the cross-attention (or of the head already shown) changes nothing here.
    const key = sel ? `${i}|${sel.layer}|${sel.head}` : `${i}`;
    if (this.looksFor && st === this.looksFor.sentence && key === this.looksFor.key) return;
    this.looksFor = st && { sentence: st, key };
    this.looks.replaceChildren();
    if (!st || !att || !sel) return;
    const m = selectMatrix(att, sel);
    if (i >= m.rows) return;
    const labels = tokenLabels(st.srcTokens);
    for (const e of topEntries(matrixRow(m, i), 4)) {
      this.looks.append(el('div', { class: 'look' }, chip(labels[e.index] ?? { text: '?', wordStart: false, special: true }, 'chip'),
        bar(100 * e.value), el('span', { class: 'cand-prob', text: formatValue(e.value) })));
    }
  }
}

function chip(l: TokenLabel, cls: string): HTMLElement {
  return el('span', { class: `${cls}${l.wordStart ? ' word-start' : ''}${l.special ? ' special' : ''}`, text: l.text });
}

/** A bar filled to `percent` (at least 1%). */
function bar(percent: number): HTMLElement {
  const fill = el('span', { class: 'cand-fill' });
  fill.style.width = `${Math.max(1, percent)}%`;
  return el('span', { class: 'cand-bar' }, fill);
}
