// Page objects for the Attention Companion extension (its commands, the "Attention" panel, the status bar item),
// on top of harness.mjs. Scenario files import this; it is not a scenario itself (it lives outside scenarios/).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.mjs';

export const CMD = {
  translate: 'Attention Companion: Translate Selection',
  showAttention: 'Attention Companion: Show Attention for Selection',
  chooseDirection: 'Attention Companion: Choose Translation Direction',
  chooseModel: 'Attention Companion: Choose Model',
};
export const PANEL_TITLE = 'Attention';

/** Text in test/e2e/fixtures/sample.md. */
export const EN_SENTENCE = 'The Transformer allows for significantly more parallelization and can reach a new state of the art in translation quality after being trained for as little as twelve hours on eight P100 GPUs.';
export const EN_SHORT = 'An attention function can be described as mapping a query and a set of key-value pairs to an output';
/** The whole sentence EN_SHORT begins (its line in sample.md): another translation unit. */
export const EN_SHORT_WHOLE = 'An attention function can be described as mapping a query and a set of key-value pairs to an output, where the query, keys, values, and output are all vectors.';
export const KO_BANK = '은행에 가서 돈을 찾았다';

export const HANGUL = /[\uAC00-\uD7A3]/;
export const LATIN_WORD = /[A-Za-z]{2,}/;

/** The first model load in a cold webview (onnxruntime-web + weights) takes 20-30 s on 2 cores; software WebGPU more. */
export const MODEL_TIMEOUT = 120_000;

/** The Attention panel's content frame. */
export async function attentionFrame(page, { timeout = 60_000 } = {}) {
  return h.webviewFrame(page, PANEL_TITLE, { timeout });
}

/** Text of an element in the panel ('' when absent). */
export async function text(frame, selector) {
  const el = frame.locator(selector).first();
  if (!(await el.count())) return '';
  return ((await el.textContent({ timeout: 5_000 })) ?? '').replace(/\s+/g, ' ').trim();
}

/** The panel's error banner text when one is shown (`#error`), else ''. */
export async function panelError(frame) {
  const el = frame.locator('#error').first();
  if (!(await el.count()) || !(await el.isVisible())) return '';
  return ((await el.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * True while the panel runs a request: its result's `aria-busy` (set at once; the visible busy line follows only when
 * the request outlasts half a second, webview/view/attentionView.ts BUSY_SHOWN_AFTER_MS).
 */
export async function panelBusy(frame) {
  return (await frame.locator('#result[aria-busy="true"]').count()) > 0;
}

/** True when the panel shows a finished result: not busy and target tokens present. */
export async function panelDone(frame) {
  if (await panelBusy(frame)) return false;
  return (await frame.locator('.token-strip.target .token').count()) > 0;
}

/**
 * Waits until #translation holds a non-empty text that satisfies `test` and stays the same for `stableMs`
 * (decoding may stream partial results), and differs from `previous` when given. Returns the text.
 * Fails early when the panel shows an error (#error), or when it has finished (not busy, target tokens shown)
 * and the translation still does not pass `test` `graceMs` later.
 */
export async function waitForTranslation(frame, { test = () => true, previous, timeout = MODEL_TIMEOUT, stableMs = 1500, graceMs = 5000 } = {}) {
  let last = '', since = 0, doneSince = 0;
  return h.waitFor(async () => {
    const err = await panelError(frame);
    if (err) throw Object.assign(new Error(`the panel shows an error: ${err}`), { fatal: true });
    const t = await text(frame, '#translation');
    // The finished sentences of a translation still running (data-partial) are not its result.
    const partial = (await frame.locator('#translation[data-partial]').count()) > 0;
    if (!t || partial || !test(t) || (previous !== undefined && t === previous)) {
      last = t;
      if (await panelDone(frame)) {
        doneSince ||= Date.now();
        if (Date.now() - doneSince > graceMs) {
          throw Object.assign(new Error(`the panel finished, but its translation ${JSON.stringify(t)} is not the expected one` +
            ` (target tokens: ${JSON.stringify((await tokens(frame, 'target')).slice(0, 12))})`), { fatal: true });
        }
      } else doneSince = 0;
      return null;
    }
    if (t !== last) { last = t; since = Date.now(); return null; }
    return Date.now() - since >= stableMs ? t : null;
  }, { timeout, interval: 250, message: `a stable translation in the panel (last seen: ${JSON.stringify(last)})` })
    .catch(async (e) => {
      throw new Error(`${h.firstLine(e)}; #status: ${JSON.stringify(await text(frame, '#status').catch(() => '?'))}`);
    });
}

/** The backend the panel reports in #status: 'webgpu' | 'wasm' | null. */
export async function panelBackend(frame) {
  const attr = await frame.locator('#status').first().getAttribute('data-backend', { timeout: 2_000 }).catch(() => null);
  if (attr === 'webgpu' || attr === 'wasm') return attr;
  const s = (await text(frame, '#status')).toLowerCase();
  return /webgpu/.test(s) ? 'webgpu' : /wasm/.test(s) ? 'wasm' : null;
}

/** Waits for #status to name a backend; returns it. */
export async function waitForBackend(frame, { timeout = MODEL_TIMEOUT } = {}) {
  return h.waitFor(() => panelBackend(frame), { timeout, interval: 250, message: 'the backend in #status' })
    .catch(async (e) => { throw new Error(`${h.firstLine(e)}; #status: ${JSON.stringify(await text(frame, '#status'))}`); });
}

/** The extension's status bar item ("AC en→ko · wasm"), or undefined. */
export async function statusItem(page) {
  return (await h.statusBarText(page)).find((t) => /^AC\b/.test(t) || /→/.test(t));
}

/** Selects `selection` in sample.md (opened or brought to front first). */
export async function selectInSample(page, selection) {
  await h.openFile(page, 'sample.md');
  await h.selectText(page, selection);
}

/** Token labels of a strip ('source' | 'target'): the elements' text. */
export async function tokens(frame, which) {
  return frame.locator(`.token-strip.${which} .token`).evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
}

/** The SentencePiece pieces of a strip: `data-piece` when the elements carry it, else their text. */
export async function pieces(frame, which) {
  return frame.locator(`.token-strip.${which} .token`).evaluateAll((els) =>
    els.map((e) => e.dataset.piece ?? (e.textContent ?? '').trim()));
}

/** True for control pieces (<2ko>, <s>, </s>, <pad>, <unk>), false for byte pieces (<0xEB>). */
export const isSpecial = (p) => /^<\/?[^>]*>$/.test(p) && !/^<0x[0-9A-Fa-f]{2}>$/.test(p);

/**
 * Decodes pieces the way SentencePiece does (▁ = space, <0xNN> byte pieces = UTF-8 bytes, control pieces dropped)
 * and removes all whitespace: comparable to the input text with its whitespace removed.
 */
export function joinPieces(list) {
  const bytes = [];
  for (const p of list) {
    if (isSpecial(p)) continue;
    const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(p);
    if (m) bytes.push(parseInt(m[1], 16));
    else bytes.push(...Buffer.from(p.replace(/\u2581/g, ' '), 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8').replace(/\s+/g, '');
}

/** Waits until the panel shows a finished result (not busy, target tokens present) and no error. */
export async function waitForResult(frame, { timeout = MODEL_TIMEOUT } = {}) {
  await h.waitFor(async () => {
    const err = await panelError(frame);
    if (err) throw Object.assign(new Error(`the panel shows an error: ${err}`), { fatal: true });
    return panelDone(frame);
  }, { timeout, interval: 250, message: 'a finished result in the panel' })
    .catch(async (e) => { throw new Error(`${h.firstLine(e)}; #status: ${JSON.stringify(await text(frame, '#status').catch(() => '?'))}`); });
}

/** The default model's manifest (models/DEFAULT or models/default.txt -> models/<id>/manifest.json), or null. */
export function defaultManifest(repo) {
  try {
    const f = ['models/DEFAULT', 'models/default.txt'].map((p) => join(repo, p)).find((p) => existsSync(p));
    if (!f) return null;
    const id = readFileSync(f, 'utf8').trim();
    const p = join(repo, 'models', id, 'manifest.json');
    return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null;
  } catch { return null; }
}

/** Attributes of the main heatmap. */
export async function heatmapState(frame) {
  const c = frame.locator('canvas.heatmap-main').first();
  await c.waitFor({ state: 'visible', timeout: 10_000 });
  return c.evaluate((el) => ({ kind: el.dataset.kind, layer: el.dataset.layer, head: el.dataset.head,
    width: el.width, height: el.height, rows: el.dataset.rows, cols: el.dataset.cols }));
}

/**
 * Changes a dropdown (`#layer-select`, `#head-select`, `#kind-select`) to an option other than the current one
 * and waits until the main heatmap's pixels change. Returns {chosen, before, after} (data URLs).
 */
export async function changeAndExpectRedraw(frame, selector, option, { timeout = 15_000 } = {}) {
  const before = await h.canvasDataUrl(frame, 'canvas.heatmap-main');
  const chosen = await h.chooseOption(frame, selector, option);
  const after = await h.waitFor(async () => {
    const now = await h.canvasDataUrl(frame, 'canvas.heatmap-main');
    return now !== before ? now : null;
  }, { timeout, interval: 200, message: `the heatmap to redraw after ${selector} = ${chosen.label}` });
  return { chosen, before, after };
}

/** The options of a dropdown in the panel: [{value, label}]. */
export async function options(frame, selector) {
  return frame.locator(`${selector} option, ${selector} vscode-option`).evaluateAll((os) =>
    os.map((o) => ({ value: String(o.value ?? o.getAttribute('value') ?? ''), label: (o.textContent ?? '').trim() })));
}

/** The current value of a dropdown. */
export async function value(frame, selector) {
  return frame.locator(selector).first().evaluate((e) => String(e.value));
}

// ---------------------------------------------------------------------------------------------------------
// The hover inspector (src/hover/attentionHover.ts) and the Paper Companion view (webview/companion/)

/** The visible editor hover whose text contains `text` (a Locator; count 0 while none). */
export function hoverWidget(page, text = 'Attention for') {
  return page.locator('.monaco-hover:visible').filter({ hasText: text });
}

/**
 * Facts about the attention hover: its text, its images (src scheme, loaded or not; for SVG data URIs the SVG's
 * texts and its number of <rect> bars) and its links.
 */
export async function hoverState(page, text = 'Attention for') {
  const st = await hoverWidget(page, text).first().evaluate((el) => ({
    text: (el.textContent ?? '').replace(/\s+/g, ' ').trim(),
    images: [...el.querySelectorAll('img')].map((i) => ({ src: i.getAttribute('src') ?? '', alt: i.alt,
      complete: i.complete, width: i.naturalWidth, height: i.naturalHeight })),
    links: [...el.querySelectorAll('a')].map((a) => ({ text: (a.textContent ?? '').trim(), href: a.getAttribute('data-href') ?? a.getAttribute('href') ?? '' })),
  }));
  for (const img of st.images) {
    const m = /^data:image\/svg\+xml(;base64)?,(.*)$/s.exec(img.src);
    if (m) {
      const svg = m[1] ? Buffer.from(m[2], 'base64').toString('utf8') : decodeURIComponent(m[2]);
      img.svg = { texts: [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]), bars: (svg.match(/<rect\b/g) ?? []).length };
    }
    img.src = img.src.slice(0, 40);
  }
  return st;
}

/**
 * Moves the mouse over `word` (its first character; first occurrence) in the editor line `line`, and waits for the
 * attention hover. When the mouse hover does not come (the hover controller missed the move), falls back to the
 * keyboard: a click there puts the cursor into the word, then "Show or Focus Hover" (Ctrl+K Ctrl+I).
 * Returns {how: 'mouse' | 'keyboard'}.
 */
export async function showAttentionHover(page, line, word, { timeout = 15_000 } = {}) {
  const lineText = line instanceof RegExp ? null : String(line);
  const from = lineText ? lineText.indexOf(word) : 0;
  if (from < 0) throw new Error(`showAttentionHover: ${JSON.stringify(word)} is not in ${JSON.stringify(line)}`);
  const lineRe = lineText ? new RegExp(`^${lineText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : line;
  const hover = hoverWidget(page);
  const appeared = (ms) => hover.first().waitFor({ state: 'visible', timeout: ms }).then(() => true, () => false);
  // Over the word's first character: its middle is a character boundary (which token it hits would be a toss-up).
  for (let i = 0; i < 2; i++) {
    const at = await h.hoverEditorText(page, lineRe, from, from + 1);
    if (await appeared(4_000)) return { how: 'mouse', at, ...await faded(hover) };
  }
  const at = await h.hoverEditorText(page, lineRe, from, from + 1);
  await page.mouse.click(at.x, at.y);
  await page.keyboard.press('Control+k');
  await page.keyboard.press('Control+i');
  if (await appeared(timeout)) return { how: 'keyboard', at, ...await faded(hover) };
  const other = await page.locator('.monaco-hover:visible').allTextContents().catch(() => []);
  throw new Error(`no attention hover over ${JSON.stringify(word)} (mouse and Ctrl+K Ctrl+I); visible hovers: ${JSON.stringify(other.map((t) => t.slice(0, 120)))}`);
}

/**
 * Waits (at most 2 s) for the hover's fade-in to end: VS Code animates a new hover's opacity, and a screenshot taken
 * at once showed it half transparent over the editor text. Returns {fadeMs}, how long that took.
 */
async function faded(hover) {
  const t0 = Date.now();
  await hover.first().evaluate(async (el) => {
    const near = [];
    for (let e = el; e && near.length < 6; e = e.parentElement) near.push(e);
    const running = [...el.getAnimations({ subtree: true }), ...near.flatMap((e) => e.getAnimations())]
      .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity));
    await Promise.race([Promise.all(running.map((a) => a.finished.catch(() => undefined))), new Promise((r) => setTimeout(r, 2_000))]);
  }).catch(() => undefined);
  return { fadeMs: Date.now() - t0 };
}

export const COMPANION = {
  /** The command VS Code generates for the view (`attentionCompanion.companion.focus`), by its palette title. */
  focusCommand: 'Attention Companion: Focus on Paper Companion View',
  /** The view container's "show" command, a fallback. */
  showContainerCommand: 'View: Show Attention Companion',
  viewName: 'Paper Companion',
};

/** Opens the Paper Companion view from the palette; returns the command title that worked. */
export async function openCompanion(page) {
  try {
    await h.runCommand(page, COMPANION.focusCommand, { timeout: 15_000 });
    return COMPANION.focusCommand;
  } catch (e) {
    h.log(`${COMPANION.focusCommand}: ${h.firstLine(e)}; trying ${COMPANION.showContainerCommand}`);
    await h.runCommand(page, COMPANION.showContainerCommand, { timeout: 15_000 });
    return COMPANION.showContainerCommand;
  }
}

/** The companion's content frame (a webview view in the sidebar: found by its own DOM, it has no tab). */
export async function companionFrame(page, { timeout = 60_000 } = {}) {
  return h.webviewFrameWith(page, '.cc-root .cc-section', { timeout });
}

/** The error a companion section shows instead of its content ('' when none). */
export async function companionSectionError(frame, id) {
  const err = frame.locator(`#cc-${id} > .cc-body > .cc-error`).first();
  if (!(await err.count())) return '';
  return ((await err.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** The companion's header status line when the model could not be loaded ('' otherwise). */
export async function companionModelError(frame) {
  const s = frame.locator('.cc-header .cc-status.error').first();
  if (!(await s.count())) return '';
  return ((await s.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Waits until the companion section `id` (e.g. 'selfAttention') has rendered its content (`.cc-content`) and
 * `selector` inside it exists; fails at once on a section error or a model error. Returns the section's Locator.
 */
export async function waitForCompanionSection(frame, id, selector, { timeout = MODEL_TIMEOUT } = {}) {
  const section = frame.locator(`#cc-${id}`);
  await h.waitFor(async () => {
    const modelErr = await companionModelError(frame);
    if (modelErr) throw Object.assign(new Error(`the companion says: ${modelErr}`), { fatal: true });
    const err = await companionSectionError(frame, id);
    if (err) throw Object.assign(new Error(`companion section ${id} shows an error: ${err}`), { fatal: true });
    return (await section.locator(`.cc-body > .cc-content ${selector}`).count()) > 0;
  }, { timeout, interval: 250, message: `companion section ${id} to show ${selector}` })
    .catch(async (e) => {
      if (e?.fatal) throw e;
      const status = ((await frame.locator('.cc-header .cc-status').first().textContent().catch(() => '?')) ?? '').replace(/\s+/g, ' ').trim();
      const body = ((await section.locator('.cc-body').first().textContent().catch(() => '?')) ?? '').replace(/\s+/g, ' ').trim().slice(0, 160);
      throw new Error(`${h.firstLine(e)}; header: ${JSON.stringify(status)}; section: ${JSON.stringify(body)}`);
    });
  return section;
}

/**
 * The dotted underline (the hover inspector's decoration of translated ranges: a bottom border, which VS Code
 * draws as an overlay element in `.view-overlays`, not on the text spans) on the rendered editor line whose text is
 * `lineText`. Returns {text: {left, right, top, bottom}, marks: [{left, right, top, bottom}]} (rects of the
 * line's text and of the dotted overlays on that line), or null when the line is not rendered.
 */
export async function dottedUnderlines(page, lineText) {
  return h.activeEditor(page).evaluate((editor, want) => {
    const norm = (s) => (s ?? '').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
    const line = [...editor.querySelectorAll('.view-lines .view-line')].find((l) => norm(l.textContent) === want);
    if (!line) return null;
    const range = document.createRange();
    range.selectNodeContents(line);
    const rect = (r) => ({ left: Math.round(r.left), right: Math.round(r.right), top: Math.round(r.top), bottom: Math.round(r.bottom) });
    const text = rect(range.getBoundingClientRect());
    const marks = [...editor.querySelectorAll('.view-overlays div')]
      .filter((d) => getComputedStyle(d).borderBottomStyle === 'dotted')
      .map((d) => rect(d.getBoundingClientRect()))
      .filter((r) => r.bottom > text.top && r.top < text.bottom && r.right > r.left);
    return { text, marks };
  }, lineText);
}

/**
 * Waits (bounded) for the extension's status bar item; returns {text, aria} (its visible text without icons, and
 * the accessible name a screen reader reads: the item label's aria-label).
 */
export async function waitForStatusItem(page, { timeout = 30_000, aria } = {}) {
  // `aria`: wait until the spoken name matches it too (the host updates the item when the translation's answer
  // reaches it, which on a busy machine can be after the panel has drawn the result).
  return h.waitFor(() => page.locator('#workbench\\.parts\\.statusbar .statusbar-item').evaluateAll((els, pattern) => {
    for (const e of els) {
      const text = (e.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (!/^AC\b/.test(text)) continue;
      const label = e.querySelector('[aria-label]') ?? e;
      const spoken = label.getAttribute('aria-label') ?? '';
      return !pattern || new RegExp(pattern).test(spoken) ? { text, aria: spoken } : null;
    }
    return null;
  }, aria?.source), { timeout, message: `the Attention Companion status bar item${aria ? ` saying ${aria}` : ''}` });
}

/**
 * Scrolls `text` (its first occurrence in the active editor) into view and leaves the cursor right after it with
 * nothing selected: its line is rendered, and no selection highlight covers it (unlike clearSelection, which goes to
 * the top of the document).
 */
export async function revealText(page, text) {
  await h.selectText(page, text);
  await page.keyboard.press('ArrowRight');
  await h.waitFor(async () => !/selected/.test((await h.selectionStatus(page)) ?? ''), { timeout: 5_000, message: 'no selection' });
}

export * from './acMeasure.mjs';
