// The hover inspector: over a translated range (or a translation written into the document), what a word attends to
// and what attended to it, as two bar charts with a text alternative; the pin/unpin commands; the range's underline.
import * as vscode from 'vscode';
import { readSettings, SECTION } from '../config';
import type { AttentionCache, TokenHit } from './attentionCache';
import { barsSvg, svgDataUri, type Bar } from './barsSvg';
import { type ChartSpec, type HeadKind, type PinnedHead, hoverFacts, readPin } from './hoverCharts';
import { altText, markdownLiteral } from './hoverText';

const PIN_KEY = 'attentionCompanion.pinnedHead';
/** Contributed in package.json (`contributes.colors`): themes and high-contrast themes set it. */
const UNDERLINE_COLOR = 'attentionCompanion.translatedRangeUnderline';

/** Layer and head counts of the current model, per kind (for "Pin Hover Attention Head…" from the palette). */
export type HeadCounts = Record<HeadKind, { layers: number; heads: number }>;

const kindName = (kind: HeadKind) => (kind === 'encoder' ? vscode.l10n.t('encoder') : kind === 'cross' ? vscode.l10n.t('cross-attention') : vscode.l10n.t('decoder'));

function headName(c: { kind: HeadKind; layer: number; head: number | 'mean' }): string {
  return c.head === 'mean'
    ? vscode.l10n.t('{0}, layer {1}, head mean', kindName(c.kind), c.layer + 1)
    : vscode.l10n.t('{0}, layer {1}, head {2}', kindName(c.kind), c.layer + 1, c.head + 1);
}

function chartTitle(c: ChartSpec): string {
  switch (c.role) {
    case 'attendsTo': return vscode.l10n.t('Attends to ({0})', headName(c));
    case 'attendedBy': return vscode.l10n.t('Attended by ({0})', headName(c));
    case 'looksAt': return vscode.l10n.t('Looks at ({0})', headName(c));
    case 'earlierOutput': return vscode.l10n.t('Attends to earlier output ({0})', headName(c));
  }
}

/** The chart as words, for screen readers and the accessible view: "Attends to (…): 은행 0.42, 에 0.20". */
export function chartText(title: string, bars: Bar[]): string {
  return `${title}: ${bars.map((b) => `${b.label} ${b.value.toFixed(2)}`).join(', ')}`;
}

export function hoverContent(hit: TokenHit, pinned: PinnedHead | undefined, colors: { bar: string; text: string }): vscode.MarkdownString {
  const s = hit.sentence;
  const facts = hoverFacts(s, hit.side, hit.tokenIndex, pinned);
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['attentionCompanion.openInPanel', 'attentionCompanion.pinHead', 'attentionCompanion.unpinHead'] };
  md.supportHtml = false;
  const title = hit.side === 'source' ? vscode.l10n.t('Attention for "{0}"', markdownLiteral(facts.label))
    : vscode.l10n.t('Attention for "{0}" (translation)', markdownLiteral(facts.label));
  // The label is the user's text: literal, so it can never become emphasis, a link or a command.
  md.appendMarkdown(`**${title}** · ${s.from}→${s.to}\n\n`);
  const first = facts.charts[0];
  const open = encodeURIComponent(JSON.stringify([{ kind: first.kind, layer: first.layer, head: first.head }]));
  md.appendMarkdown(`[${vscode.l10n.t('Open in attention panel')}](command:attentionCompanion.openInPanel?${open}) · `);
  // The link names exactly the head it pins, kind included; pinned, it offers to unpin that one.
  md.appendMarkdown(pinned
    ? `[${vscode.l10n.t('Unpin head ({0})', headName(pinned))}](command:attentionCompanion.unpinHead)`
    : `[${vscode.l10n.t('Pin this head ({0})', headName(facts.strongest))}](command:attentionCompanion.pinHead?${encodeURIComponent(JSON.stringify([facts.strongest]))})`);
  md.appendMarkdown('\n\n');
  for (const c of facts.charts) {
    const t = chartTitle(c);
    // The image's alternative text carries the numbers: a screen reader reads the chart, not "image".
    md.appendMarkdown(`![${altText(chartText(t, c.bars))}](${svgDataUri(barsSvg(t, c.bars, colors.bar, colors.text))})\n\n`);
  }
  return md;
}

export interface HoverHooks {
  /** "Open in attention panel": the hovered result, shown on this kind/layer/head. */
  openInPanel(hit: TokenHit | undefined, focus: { kind: HeadKind; layer: number; head: number | 'mean' }): void;
  /** Layer and head counts of the current model (undefined when none loads). */
  headCounts(): Promise<HeadCounts | undefined>;
}

export function registerHover(context: vscode.ExtensionContext, cache: AttentionCache, hooks: HoverHooks): void {
  const enabled = () => readSettings().hover;
  const decoration = vscode.window.createTextEditorDecorationType({
    borderWidth: '0 0 1px 0', borderStyle: 'dotted', borderColor: new vscode.ThemeColor(UNDERLINE_COLOR),
  });
  const redecorate = () => {
    for (const editor of vscode.window.visibleTextEditors) {
      const ranges = enabled() ? cache.ranges(editor.document).map((r) => new vscode.Range(editor.document.positionAt(r.start), editor.document.positionAt(r.end))) : [];
      editor.setDecorations(decoration, ranges);
    }
  };
  const pinned = () => readPin(context.workspaceState.get(PIN_KEY));
  let lastHit: TokenHit | undefined;
  context.subscriptions.push(decoration,
    cache.onDidChange(redecorate),
    vscode.window.onDidChangeVisibleTextEditors(redecorate),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`${SECTION}.hover`) && redecorate()),
    vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'untitled' }], {
      provideHover(document, position) {
        if (!enabled()) return undefined;
        const hit = cache.tokenAt(document, document.offsetAt(position));
        if (!hit) return undefined;
        lastHit = hit;
        const range = new vscode.Range(document.positionAt(hit.start), document.positionAt(hit.end));
        const kind = vscode.window.activeColorTheme.kind;
        const dark = kind === vscode.ColorThemeKind.Dark || kind === vscode.ColorThemeKind.HighContrast;
        const colors = kind === vscode.ColorThemeKind.HighContrast ? { bar: '#ffff00', text: '#ffffff' }
          : kind === vscode.ColorThemeKind.HighContrastLight ? { bar: '#0f4a85', text: '#000000' }
            : { bar: dark ? '#4e94ce' : '#1a73e8', text: dark ? '#cccccc' : '#333333' };
        return new vscode.Hover(hoverContent(hit, pinned(), colors), range);
      },
    }),
    vscode.commands.registerCommand('attentionCompanion.pinHead', async (arg?: unknown) => {
      const head = arg === undefined ? await chooseHead(await hooks.headCounts()) : readPin(arg);
      if (!head) return;
      await context.workspaceState.update(PIN_KEY, head);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Attention Companion: the hover shows {0}', headName(head)), 4000);
    }),
    vscode.commands.registerCommand('attentionCompanion.unpinHead', async () => {
      const was = pinned();
      await context.workspaceState.update(PIN_KEY, undefined);
      void vscode.window.setStatusBarMessage(was ? vscode.l10n.t('Attention Companion: unpinned {0}; the hover shows head means again', headName(was))
        : vscode.l10n.t('Attention Companion: no head is pinned; the hover shows head means'), 4000);
    }),
    vscode.commands.registerCommand('attentionCompanion.openInPanel', (arg?: { kind?: HeadKind; layer?: number; head?: number | 'mean' }) => {
      const kind = arg?.kind === 'cross' || arg?.kind === 'decoder' ? arg.kind : 'encoder';
      hooks.openInPanel(lastHit, { kind, layer: arg?.layer ?? 0, head: arg?.head ?? 'mean' });
    }),
  );
}

/** "Pin Hover Attention Head…" from the palette: every head of the current model, by kind and layer. */
async function chooseHead(counts: HeadCounts | undefined): Promise<PinnedHead | undefined> {
  if (!counts) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Attention Companion: no model could be read to list its heads.'));
    return undefined;
  }
  const items = (['encoder', 'cross', 'decoder'] as const).flatMap((kind) => Array.from({ length: counts[kind].layers }, (_, layer) =>
    Array.from({ length: counts[kind].heads }, (_, head) => ({ label: headName({ kind, layer, head }), head: { kind, layer, head } }))).flat());
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Which head should the hover show?') });
  return pick?.head;
}
