// The Attention panel's token strips: the source and target pieces of a sentence as focusable chips, with the marks
// that hover (highlight, weight tints) and the step player (current and later steps) put on them.
import type { SentenceResult, TokenInfo } from '../../src/shared/results';
import { el } from '../components/dom';
import { rovingFocus } from '../components/rovingFocus';
import { tokenLabel } from '../render/tokens';
import type { Translate } from '../strings';
import type { StripRef } from './selection';

export class TokenStrips {
  readonly element: HTMLElement;
  readonly source: HTMLElement;
  readonly target: HTMLElement;
  private readonly sourceLabel: HTMLElement;
  private readonly targetLabel: HTMLElement;
  private readonly roving: { reset(): void }[];

  constructor(private readonly t: Translate) {
    this.source = el('div', { class: 'token-strip source', attrs: { role: 'list' } });
    this.target = el('div', { class: 'token-strip target', attrs: { role: 'list' } });
    // Each strip is one tab stop; arrow keys move between its tokens.
    this.roving = [rovingFocus(this.source, '.token'), rovingFocus(this.target, '.token')];
    this.sourceLabel = el('span', { class: 'strip-label', text: t('panel.source') });
    this.targetLabel = el('span', { class: 'strip-label', text: t('panel.target') });
    this.element = el('section', { class: 'section tokens-section' },
      el('div', { class: 'section-title' }, el('span', { text: t('panel.tokens') })),
      el('div', { class: 'strip-row' }, this.sourceLabel, this.source),
      el('div', { class: 'strip-row' }, this.targetLabel, this.target));
  }

  show(st: SentenceResult): void {
    this.sourceLabel.textContent = `${this.t('panel.source')} · ${st.from}`;
    this.targetLabel.textContent = `${this.t('panel.target')} · ${st.to}`;
    fill(this.source, st.srcTokens);
    fill(this.target, st.tgtTokens);
    this.source.setAttribute('aria-label', this.t('panel.tokenStrip', { strip: this.t('panel.source'), lang: st.from }));
    this.target.setAttribute('aria-label', this.t('panel.tokenStrip', { strip: this.t('panel.target'), lang: st.to }));
    for (const r of this.roving) r.reset();
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

  /** The step player's marks: target token `current`, later ones faded; undefined: the player is not in use. */
  markSteps(current: number | undefined): void {
    Array.from(this.target.children).forEach((e, i) => {
      e.classList.toggle('step-current', current !== undefined && i === current);
      e.classList.toggle('step-future', current !== undefined && i > current);
    });
  }
}

function fill(strip: HTMLElement, tokens: TokenInfo[]): void {
  strip.replaceChildren(...tokens.map((tok, i) => {
    const l = tokenLabel(tok);
    return el('span', {
      class: `token${l.wordStart ? ' word-start' : ''}${l.special ? ' special' : ''}`, text: l.text,
      attrs: { role: 'listitem', tabindex: '-1', 'data-index': String(i), 'data-piece': tok.piece, 'data-id': String(tok.id) },
    });
  }));
}
