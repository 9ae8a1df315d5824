// The Attention panel's token strips: the source and target of a sentence as focusable chips (pieces, or words in the
// word view), with the Pieces/Words toggle, and the marks that hover (highlight, weight tints) and the step player
// (current and later steps) put on them. A word start is a wider gap before its chip, never a glyph.
import type { TokenGroup } from '../../src/engine/words';
import type { SentenceResult, TokenInfo } from '../../src/shared/results';
import { el } from '../components/dom';
import { rovingFocus } from '../components/rovingFocus';
import { segmented } from '../components/widgets';
import type { Translate } from '../strings';
import type { StripRef, Units } from './selection';

export class TokenStrips {
  readonly element: HTMLElement;
  readonly source: HTMLElement;
  readonly target: HTMLElement;
  private readonly sourceLabel: HTMLElement;
  private readonly targetLabel: HTMLElement;
  private readonly unitsSlot: HTMLElement;
  private units: Units = 'pieces';
  private targetGroups: TokenGroup[] = [];
  private readonly roving: { reset(): void }[];

  /** `onUnits`: the user switched between pieces and words. */
  constructor(private readonly t: Translate, private readonly onUnits: (u: Units) => void) {
    this.source = el('div', { class: 'token-strip source', attrs: { role: 'list' } });
    this.target = el('div', { class: 'token-strip target', attrs: { role: 'list' } });
    // Each strip is one tab stop; arrow keys move between its tokens.
    this.roving = [rovingFocus(this.source, '.token'), rovingFocus(this.target, '.token')];
    this.sourceLabel = el('span', { class: 'strip-label', text: t('panel.source') });
    this.targetLabel = el('span', { class: 'strip-label', text: t('panel.target') });
    this.unitsSlot = el('span', { class: 'units-toggle', attrs: { id: 'units-toggle' } });
    this.renderToggle();
    this.element = el('section', { class: 'section tokens-section' },
      el('div', { class: 'section-title' }, el('span', { text: t('panel.tokens') }), this.unitsSlot),
      el('div', { class: 'strip-row' }, this.sourceLabel, this.source),
      el('div', { class: 'strip-row' }, this.targetLabel, this.target));
  }

  /** A sentence's chips: `groups` are its pieces or its words (selection.ts stripGroups) under `units`. */
  show(st: SentenceResult, groups: { source: TokenGroup[]; target: TokenGroup[] }, units: Units): void {
    this.sourceLabel.textContent = `${this.t('panel.source')} · ${st.from}`;
    this.targetLabel.textContent = `${this.t('panel.target')} · ${st.to}`;
    if (units !== this.units) { this.units = units; this.renderToggle(); }
    this.targetGroups = groups.target;
    fill(this.source, groups.source, st.srcTokens, units);
    fill(this.target, groups.target, st.tgtTokens, units);
    this.source.setAttribute('aria-label', this.t('panel.tokenStrip', { strip: this.t('panel.source'), lang: st.from }));
    this.target.setAttribute('aria-label', this.t('panel.tokenStrip', { strip: this.t('panel.target'), lang: st.to }));
    for (const r of this.roving) r.reset();
  }

  private renderToggle(): void {
    const { t } = this;
    const choices = [
      { value: 'pieces' as const, label: t('panel.pieces'), title: t('panel.piecesTitle') },
      { value: 'words' as const, label: t('panel.words'), title: t('panel.wordsTitle') },
    ];
    this.unitsSlot.replaceChildren(segmented<Units>(choices, this.units, (u) => this.onUnits(u), t('panel.units')));
  }

  /** The target chip that holds target piece `piece` (the step player counts pieces). */
  targetChipOf(piece: number): number {
    return this.targetGroups.findIndex((g) => g.tokens.includes(piece));
  }

  /** The first target piece of target chip `chip`. */
  firstPieceOf(chip: number): number {
    return this.targetGroups[chip]?.tokens[0] ?? chip;
  }

  /** Which strip an element of a strip belongs to. */
  stripOf(strip: HTMLElement): StripRef['strip'] {
    return strip === this.source ? 'source' : 'target';
  }

  token(ref: StripRef | undefined): HTMLElement | undefined {
    if (!ref) return undefined;
    return ((ref.strip === 'source' ? this.source : this.target).children[ref.index] as HTMLElement | undefined) ?? undefined;
  }

  /** Removes every hover mark. */
  clearMarks(): void {
    for (const e of [this.source, this.target].flatMap((s) => Array.from(s.querySelectorAll<HTMLElement>('.token.highlight, .token.weighted')))) {
      e.classList.remove('highlight', 'weighted');
      e.style.removeProperty('--w');
    }
  }

  highlight(ref: StripRef | undefined): void {
    this.token(ref)?.classList.add('highlight');
  }

  /** Tints a token by a weight in [0, 1] (share of the largest weight). */
  tint(ref: StripRef | undefined, w: number): void {
    const e = this.token(ref);
    if (!e) return;
    e.classList.add('weighted');
    e.style.setProperty('--w', w.toFixed(3));
  }

  /** The step player's marks: the chip of target piece `current`, later ones faded; undefined: the player is not in use. */
  markSteps(current: number | undefined): void {
    const chip = current === undefined ? -1 : this.targetChipOf(current);
    Array.from(this.target.children).forEach((e, i) => {
      e.classList.toggle('step-current', current !== undefined && i === chip);
      e.classList.toggle('step-future', current !== undefined && i > chip);
    });
  }
}

/** One chip per group; its pieces and ids (space-separated for a word) go into data-piece / data-id for the tooltip. */
function fill(strip: HTMLElement, groups: TokenGroup[], tokens: TokenInfo[], units: Units): void {
  strip.dataset.units = units;
  strip.replaceChildren(...groups.map((g, i) => {
    const l = g.label;
    return el('span', {
      class: `token${l.wordStart ? ' word-start' : ''}${l.special ? ' special' : ''}`, text: l.text,
      attrs: {
        role: 'listitem', tabindex: '-1', 'data-index': String(i),
        'data-piece': g.tokens.map((k) => tokens[k]?.piece ?? '').join(' '), 'data-id': g.tokens.map((k) => String(tokens[k]?.id ?? '')).join(' '),
      },
    });
  }));
}
