// Section 6, "Results": the paper's Table 2 (BLEU and training cost) beside this model's measured scores and
// training record from its manifest, with an honest note on what differs.
import type { ModelManifest, ScorePair } from '../../../src/shared/manifest';
import type { SectionSpec } from '../frame';
import { el } from '../../components/dom';
import { compact } from '../ui';

const PAPER = [
  { name: 's6.base', ende: '27.3', enfr: '38.1', cost: 's6.cost.base' },
  { name: 's6.big', ende: '28.4', enfr: '41.8', cost: 's6.cost.big' },
] as const;

/** Measured scores as rows, newstest2014 first, then FLORES-200, then the rest; "_how" and other metadata skipped. */
export function scoreRows(m: ModelManifest): { set: string; direction: string; score: ScorePair }[] {
  const order = (s: string) => (s === 'newstest2014' ? 0 : s.startsWith('flores') ? 1 : 2);
  const rows: { set: string; direction: string; score: ScorePair }[] = [];
  for (const [set, byDirection] of Object.entries(m.scores ?? {})) {
    if (set.startsWith('_') || typeof byDirection !== 'object' || byDirection === null) continue;
    for (const [direction, score] of Object.entries(byDirection)) {
      if (!/^[a-z]{2,3}-[a-z]{2,3}$/.test(direction) || typeof score !== 'object' || score === null) continue;
      rows.push({ set, direction, score });
    }
  }
  return rows.sort((a, b) => order(a.set) - order(b.set) || a.set.localeCompare(b.set) || a.direction.localeCompare(b.direction));
}

const num = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(1) : '–');

export const resultsSection: SectionSpec = {
  id: 'results',
  title: 's6.title',
  reference: 's6.ref',
  example: '',
  async render(body, ctx, { text, source }) {
    const { t, uiLang: lang } = ctx;
    const model = ctx.model()!;
    const m = model.manifest;

    const paper = el('table', { class: 'cc-table cc-results' });
    paper.append(el('thead', {}, el('tr', {},
      el('th', { text: t('s6.col.model') }), el('th', { class: 'num', text: t('s6.col.ende') }), el('th', { class: 'num', text: t('s6.col.enfr') }), el('th', { text: t('s6.col.cost') }))));
    const pb = el('tbody');
    for (const r of PAPER) {
      pb.append(el('tr', {}, el('th', { text: t(r.name), attrs: { scope: 'row' } }), el('td', { class: 'num', text: r.ende }), el('td', { class: 'num', text: r.enfr }), el('td', { class: 'cc-small', text: t(r.cost) })));
    }
    paper.append(pb);
    body.append(el('p', { class: 'cc-table-title', text: t('s6.paper') }), el('div', { class: 'cc-scroll' }, paper));

    body.append(el('p', { class: 'cc-table-title', text: t('s6.ours', { id: m.id }) }));
    const rows = scoreRows(m);
    if (rows.length === 0) {
      body.append(el('p', { class: 'cc-note', text: t('s6.noScores') }));
    } else {
      const ours = el('table', { class: 'cc-table cc-results' });
      ours.append(el('thead', {}, el('tr', {},
        el('th', { text: t('s6.col.set') }), el('th', { text: t('s6.col.dir') }), el('th', { class: 'num', text: t('s6.col.bleu') }), el('th', { class: 'num', text: t('s6.col.chrf') }))));
      const ob = el('tbody');
      for (const r of rows) {
        const comparable = r.set === 'newstest2014' && r.direction === 'en-de';
        ob.append(el('tr', { class: comparable ? 'highlight' : '' },
          el('td', { class: 'cc-small', text: r.set }), el('td', { text: r.direction.toUpperCase() }),
          el('td', { class: 'num', text: num(r.score.bleu), title: r.score.bleuChar !== undefined ? `char-BLEU ${num(r.score.bleuChar)}` : undefined }),
          el('td', { class: 'num', text: num(r.score.chrf) })));
      }
      ours.append(ob);
      body.append(el('div', { class: 'cc-scroll' }, ours));
      if (rows.some((r) => r.set === 'newstest2014' && r.direction === 'en-de')) body.append(el('p', { class: 'cc-note', text: t('s6.comparable') }));
    }

    const tr = m.training;
    const parts: string[] = [];
    if (tr?.config) parts.push(t('s6.trainingConfig', { config: tr.config }));
    if (tr?.steps) parts.push(t('s6.trainingSteps', { steps: tr.steps.toLocaleString(lang) }));
    if (tr?.minutes) parts.push(t('s6.trainingMinutes', { minutes: Math.round(tr.minutes).toLocaleString(lang) }));
    if (tr?.device) parts.push(t('s6.trainingDevice', { device: tr.device }));
    if (m.dims.params) parts.push(t('s6.params', { params: compact(m.dims.params, lang) }));
    if (parts.length > 0) body.append(el('p', { class: 'cc-note', text: t('s6.training', { what: parts.join(', ') }) }));
    body.append(el('p', { class: 'cc-callout ours', text: t('s6.honest') }));

    if (source === 'selection' && text) {
      const { result } = await ctx.analyze(text);
      body.append(el('p', { class: 'cc-table-title', text: t('s6.try', { ms: result.millis }) }),
        el('blockquote', { class: 'cc-quote', text: (result.sentences[0]?.text ?? result.text).trim() || '–', attrs: { lang: result.to } }));
    }
  },
};
