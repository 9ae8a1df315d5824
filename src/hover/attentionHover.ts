// The hover attention inspector: over a translated range, what a word attends to and which output words attended to it.
import * as vscode from 'vscode';
import { readSettings, SECTION } from '../config';
import { type HeadChoice, layerMatrix, matrixCol, matrixRow, strongestHead, topEntries } from '../engine/attention';
import { tokenLabels } from '../engine/tokenLabels';
import type { Matrix, SentenceResult, Tensor } from '../shared/results';
import type { AttentionCache, TokenHit } from './attentionCache';
import { barsSvg, svgDataUri } from './barsSvg';
import { markdownLiteral } from './hoverText';

export interface PinnedHead { layer: number; head: number }
const PIN_KEY = 'attentionCompanion.pinnedHead';
const TOP = 4;

/** Layer/head to show: the pinned one when it exists in this model, else the head mean of the last layer. */
function pick(t: Tensor, pinned: PinnedHead | undefined): { m: Matrix; layer: number; head: HeadChoice } {
  const [L, H] = t.dims;
  const choice = pinned && pinned.layer < L && pinned.head < H ? { layer: pinned.layer, head: pinned.head } : { layer: L - 1, head: 'mean' as const };
  return { m: layerMatrix(t, choice.layer, choice.head), ...choice };
}

export function hoverContent(hit: TokenHit, pinned: PinnedHead | undefined, colors: { bar: string; text: string }): vscode.MarkdownString {
  const s: SentenceResult = hit.sentence;
  const att = s.attention!;
  const q = hit.tokenIndex;
  const enc = pick(att.encoder, pinned);
  const row = matrixRow(enc.m, q);
  // The labelling rule of every view (engine/tokenLabels.ts): the hover names a piece as the panel and companion do.
  const srcLabels = tokenLabels(s.srcTokens).map((l) => l.text), tgtLabels = tokenLabels(s.tgtTokens).map((l) => l.text);
  const attendsTo = topEntries(row, TOP).map((e) => ({ label: srcLabels[e.index] ?? '?', value: e.value }));
  const cross = pick(att.cross, pinned);
  const column = matrixCol(cross.m, q);
  const attendedBy = topEntries(column, TOP).map((e) => ({ label: tgtLabels[e.index] ?? '?', value: e.value }));
  const headName = (x: { layer: number; head: HeadChoice }) =>
    x.head === 'mean' ? vscode.l10n.t('layer {0}, head mean', x.layer + 1) : vscode.l10n.t('layer {0}, head {1}', x.layer + 1, x.head + 1);
  const strongest = strongestHead(att.encoder, q);
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['attentionCompanion.openInPanel', 'attentionCompanion.pinHead', 'attentionCompanion.unpinHead'] };
  md.supportHtml = false;
  // The label is the user's text: literal, so it can never become emphasis, a link or a command.
  md.appendMarkdown(`**${vscode.l10n.t('Attention for "{0}"', markdownLiteral(srcLabels[q] ?? '?'))}** · ${s.from}→${s.to}\n\n`);
  const open = encodeURIComponent(JSON.stringify([{ layer: enc.layer, head: enc.head }]));
  const pin = encodeURIComponent(JSON.stringify([strongest]));
  md.appendMarkdown(`[${vscode.l10n.t('Open in attention panel')}](command:attentionCompanion.openInPanel?${open}) · `);
  md.appendMarkdown(pinned
    ? `[${vscode.l10n.t('Unpin head (layer {0}, head {1})', pinned.layer + 1, pinned.head + 1)}](command:attentionCompanion.unpinHead)`
    : `[${vscode.l10n.t('Pin this head (layer {0}, head {1})', strongest.layer + 1, strongest.head + 1)}](command:attentionCompanion.pinHead?${pin})`);
  md.appendMarkdown('\n\n');
  md.appendMarkdown(`![${vscode.l10n.t('attends to')}](${svgDataUri(barsSvg(vscode.l10n.t('Attends to (encoder, {0})', headName(enc)), attendsTo, colors.bar, colors.text))})\n\n`);
  md.appendMarkdown(`![${vscode.l10n.t('attended by')}](${svgDataUri(barsSvg(vscode.l10n.t('Attended by (cross-attention, {0})', headName(cross)), attendedBy, colors.bar, colors.text))})\n\n`);
  return md;
}

export function registerHover(context: vscode.ExtensionContext, cache: AttentionCache, openInPanel: (hit: TokenHit | undefined, focus: { layer: number; head: number | 'mean' }) => void): void {
  const enabled = () => readSettings().hover;
  const decoration = vscode.window.createTextEditorDecorationType({
    borderWidth: '0 0 1px 0', borderStyle: 'dotted', borderColor: new vscode.ThemeColor('editorHint.foreground'),
  });
  const redecorate = () => {
    for (const editor of vscode.window.visibleTextEditors) {
      const ranges = enabled() ? cache.ranges(editor.document).map((r) => new vscode.Range(editor.document.positionAt(r.start), editor.document.positionAt(r.end))) : [];
      editor.setDecorations(decoration, ranges);
    }
  };
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
        const tok = hit.sentence.srcTokens[hit.tokenIndex];
        const entryStart = hit.entry.start + hit.sentence.sourceOffset;
        const range = new vscode.Range(document.positionAt(entryStart + tok.start), document.positionAt(entryStart + tok.end));
        const dark = vscode.window.activeColorTheme.kind !== vscode.ColorThemeKind.Light && vscode.window.activeColorTheme.kind !== vscode.ColorThemeKind.HighContrastLight;
        return new vscode.Hover(hoverContent(hit, context.workspaceState.get<PinnedHead>(PIN_KEY), { bar: dark ? '#4e94ce' : '#1a73e8', text: dark ? '#cccccc' : '#333333' }), range);
      },
    }),
    vscode.commands.registerCommand('attentionCompanion.pinHead', async (head?: PinnedHead) => {
      if (!head || !Number.isInteger(head.layer) || !Number.isInteger(head.head)) return;
      await context.workspaceState.update(PIN_KEY, { layer: head.layer, head: head.head });
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Attention Companion: hover shows layer {0}, head {1}', head.layer + 1, head.head + 1), 4000);
    }),
    vscode.commands.registerCommand('attentionCompanion.unpinHead', () => context.workspaceState.update(PIN_KEY, undefined)),
    vscode.commands.registerCommand('attentionCompanion.openInPanel', (arg?: { layer?: number; head?: number | 'mean' }) => {
      openInPanel(lastHit, { layer: arg?.layer ?? 0, head: arg?.head ?? 'mean' });
    }),
  );
}
