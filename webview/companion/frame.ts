// The frame every companion section lives in: a collapsible block with the paper reference, the live content,
// and the "Try with the selection" action. Sections only render; the frame runs them, shows progress and errors.
import type { ModelInfo } from '../../src/shared/protocol';
import type { SentenceResult, TranslationResult } from '../../src/shared/results';
import type { StringKey, Translate, UiLang } from '../strings';
import type { Theme } from '../components/theme';
import { el } from '../components/dom';
import { textButton } from '../components/widgets';
import { quote } from '../render/tokens';

export interface Analysis { result: TranslationResult; sentence: SentenceResult }

/** What sections get from the companion. */
export interface CompanionContext {
  t: Translate;
  uiLang: UiLang;
  model(): ModelInfo | undefined;
  /** Why the model could not be loaded, when it could not. */
  modelProblem(): string | undefined;
  /** Runs the model (greedy, with attention) on `text`; cached per text. */
  analyze(text: string): Promise<Analysis>;
  /** How many tokens the encoder reads for `text` (tag and </s> included). */
  encoderLength(text: string): Promise<number>;
  theme(): Theme;
  /** Width available to a section's content, in CSS pixels. */
  width(): number;
  /** Per-section UI state that survives reloads (saved with the webview state). */
  state(section: string): Record<string, unknown>;
  save(): void;
}

export type Source = 'example' | 'selection';

export interface SectionSpec {
  id: string;
  title: StringKey;
  reference: StringKey;
  /** The section's own example text (absent: it needs no text). */
  example?: string;
  /** Draws into `body`. `rerender` redraws the section (after a control changed). */
  render(body: HTMLElement, ctx: CompanionContext, input: { text?: string; source: Source; rerender: () => void }): Promise<void> | void;
}

export interface FrameCallbacks {
  requestSelection(): Promise<string>;
  onChange(): void;
}

const SLOW_MS = 120;

export class SectionFrame {
  readonly element: HTMLDetailsElement;
  private readonly body: HTMLElement;
  private readonly foot: HTMLElement;
  private readonly sourceLine: HTMLElement;
  private readonly problem: HTMLElement;
  private generation = 0;
  text?: string;
  source: Source = 'example';

  constructor(readonly spec: SectionSpec, private readonly number: number, private readonly ctx: CompanionContext, private readonly cb: FrameCallbacks, saved?: { text?: string; open?: boolean }) {
    const { t } = ctx;
    this.text = spec.example;
    if (saved?.text && spec.example !== undefined) {
      this.text = saved.text;
      this.source = 'selection';
    }
    this.element = el('details', { class: 'cc-section', attrs: { id: `cc-${spec.id}` } });
    this.element.open = saved?.open ?? true;
    const summary = el('summary', { class: 'cc-summary' },
      el('span', { class: 'cc-num', text: String(number) }),
      el('span', { class: 'cc-title', text: t(spec.title) }),
      el('span', { class: 'cc-ref', text: t(spec.reference) }));
    this.body = el('div', { class: 'cc-body' });
    this.sourceLine = el('span', { class: 'cc-source' });
    this.problem = el('p', { class: 'cc-problem', attrs: { role: 'status', hidden: '' } });
    this.foot = el('div', { class: 'cc-foot' },
      textButton(t('common.trySelection'), () => void this.trySelection(), 'cc-btn secondary'),
      this.sourceLine);
    this.element.append(summary, this.body, this.problem, this.foot);
    this.element.addEventListener('toggle', () => {
      cb.onChange();
      if (this.element.open && this.body.childElementCount === 0) this.refresh();
    });
  }

  get saved(): { text?: string; open: boolean } {
    return { text: this.source === 'selection' ? this.text : undefined, open: this.element.open };
  }

  /** Draws the section again (model loaded, theme or width changed, a control changed). */
  refresh(): void {
    const gen = ++this.generation;
    this.renderSource();
    if (!this.element.open) {
      this.body.replaceChildren();
      return;
    }
    const { t } = this.ctx;
    if (!this.ctx.model()) {
      const problem = this.ctx.modelProblem();
      this.body.replaceChildren(problem
        ? el('p', { class: 'cc-error', text: t('model.error', { error: problem }) })
        : el('p', { class: 'cc-waiting', text: t('common.waiting') }));
      return;
    }
    const box = el('div', { class: 'cc-content' });
    let done = false;
    const slow = setTimeout(() => {
      if (!done && gen === this.generation) this.body.replaceChildren(el('p', { class: 'cc-waiting cc-busy', text: t('common.running') }));
    }, SLOW_MS);
    Promise.resolve()
      .then(() => this.spec.render(box, this.ctx, { text: this.text, source: this.source, rerender: () => { this.cb.onChange(); this.refresh(); } }))
      .then(() => {
        if (gen === this.generation) this.body.replaceChildren(box);
      }, (e: Error) => {
        if (gen === this.generation) this.body.replaceChildren(el('p', { class: 'cc-error', text: t('common.error', { error: e?.message ?? String(e) }) }));
      })
      .finally(() => {
        done = true;
        clearTimeout(slow);
      });
  }

  private renderSource(): void {
    const { t } = this.ctx;
    this.sourceLine.replaceChildren();
    if (this.spec.example === undefined && this.source === 'example') return;
    if (this.source === 'selection') {
      this.sourceLine.append(el('span', { class: 'cc-source-kind', text: t('common.selection') }), ` “${quote(this.text ?? '')}” `,
        textButton(t('common.backToExample'), () => this.reset(), 'cc-link'));
    }
  }

  private reset(): void {
    this.text = this.spec.example;
    this.source = 'example';
    this.showProblem(undefined);
    this.cb.onChange();
    this.refresh();
  }

  private async trySelection(): Promise<void> {
    try {
      const text = await this.cb.requestSelection();
      this.text = text;
      this.source = 'selection';
      this.showProblem(undefined);
      this.element.open = true;
      this.cb.onChange();
      this.refresh();
    } catch (e) {
      this.showProblem((e as Error).message);
    }
  }

  private showProblem(message: string | undefined): void {
    this.problem.textContent = message ?? '';
    this.problem.toggleAttribute('hidden', !message);
  }
}
