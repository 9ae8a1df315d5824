// Page objects for the VS Code workbench: the quick input and commands, files and the editor's selection, editor
// hovers, notifications, the status bar, screenshots. Webviews: ./webviews.mjs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { firstLine, log, resultsDir, sleep, waitFor } from './runtime.mjs';

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget input.input';
const QUICK_ROW = '.quick-input-list .monaco-list-row';

/** Navigates to the workbench (when `url` is given) and waits until it is rendered and usable. */
export async function waitForWorkbench(page, { url, timeout = 60_000 } = {}) {
  if (url) await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout });
  // The status bar and the activity bar come last; the explorer shows the folder once the workspace loads.
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout });
  await page.locator('.explorer-folders-view, .monaco-workbench .part.sidebar').first().waitFor({ state: 'attached', timeout });
}

async function closeQuickInput(page) {
  for (let i = 0; i < 3; i++) {
    if (!(await page.locator(QUICK_INPUT).isVisible().catch(() => false))) return;
    await page.keyboard.press('Escape');
    await sleep(100);
  }
}

function normalize(s) { return String(s ?? '').replace(/\s+/g, ' ').trim(); }

/** The label of a quick-pick row (without keybinding/description decorations). */
async function rowLabels(page) {
  return page.locator(QUICK_ROW).evaluateAll((rows) => rows.map((r) => {
    const label = r.querySelector('.label-name') ?? r.querySelector('.monaco-icon-label') ?? r;
    const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
    return { label: norm(label.textContent), aria: r.getAttribute('aria-label') ?? '', text: norm(r.textContent),
      focused: r.classList.contains('focused') };
  }));
}

/**
 * Opens the quick input (F1), types `text`, waits (bounded) for a row whose label satisfies `match`, and accepts it:
 * Enter when it is the focused row, otherwise a click. Retries (bounded) because contributed commands and
 * file search results appear late.
 */
async function quickPick(page, text, match, { timeout = 30_000, what = text } = {}) {
  const deadline = Date.now() + timeout;
  let lastSeen = [];
  let attempt = 0;
  while (Date.now() < deadline) {
    attempt++;
    await closeQuickInput(page);
    await page.keyboard.press('F1');
    const box = page.locator(QUICK_INPUT_BOX);
    if (!(await box.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false))) {
      // F1 went nowhere (focus inside a webview or a widget that ate it): give the focus back to the workbench.
      await page.evaluate(() => { document.activeElement?.blur?.(); document.body.focus(); }).catch(() => {});
      continue;
    }
    // The box can close again before it is typed into (a webview taking the focus as it comes back after a
    // reload): then open it again, within the deadline, instead of failing on one attempt.
    if (!(await box.fill(text, { timeout: 5_000 }).then(() => true, () => false))) continue;
    // Wait up to 3 s (per attempt) for the row.
    const rowDeadline = Math.min(deadline, Date.now() + 3_000);
    let idx = -1;
    while (Date.now() < rowDeadline) {
      lastSeen = await rowLabels(page).catch(() => []);
      idx = lastSeen.findIndex((r) => match(r.label));
      if (idx >= 0) break;
      await sleep(150);
    }
    if (idx < 0) continue;
    if (lastSeen[idx].focused || idx === 0) await page.keyboard.press('Enter');
    else await page.locator(QUICK_ROW).nth(idx).click({ timeout: 5_000 });
    // Accepted when the quick input closes (or shows something else: a command may open its own quick pick).
    const closed = await waitFor(async () => {
      if (!(await page.locator(QUICK_INPUT).isVisible().catch(() => false))) return true;
      const v = await box.inputValue().catch(() => '');
      return v !== text;
    }, { timeout: 3_000, interval: 100 }).then(() => true, () => false);
    if (closed) { log(`quick pick "${what}" accepted on attempt ${attempt}`); return; }
  }
  await closeQuickInput(page);
  throw new Error(`quick pick: no row matching "${what}" within ${(timeout / 1000).toFixed(0)} s` +
    ` (last rows: ${lastSeen.slice(0, 5).map((r) => JSON.stringify(r.label)).join(', ') || 'none'})`);
}

/** Runs a command from the palette by its full title, e.g. "Attention Companion: Translate Selection". */
export async function runCommand(page, title, { timeout = 30_000 } = {}) {
  const want = normalize(title).toLowerCase();
  await quickPick(page, '>' + title, (label) => label.toLowerCase() === want, { timeout, what: title });
}

/**
 * After a command opened its own quick pick: chooses the first row whose label contains `label` (or matches a
 * RegExp); when no label matches, the first row whose whole text (description, detail) does. Returns the row.
 */
export async function pickQuickItem(page, label, { timeout = 15_000 } = {}) {
  const test = label instanceof RegExp ? (s) => label.test(s) : (s) => s.toLowerCase().includes(String(label).toLowerCase());
  await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout });
  let seen = [];
  const rows = await waitFor(async () => {
    const rs = seen = await rowLabels(page);
    let i = rs.findIndex((r) => test(r.label));
    if (i < 0) i = rs.findIndex((r) => test(r.text) || test(r.aria));
    return i >= 0 ? { i, rs } : null;
  }, { timeout, message: `quick pick item ${label}` }).catch((e) => {
    throw new Error(`${firstLine(e)} (rows: ${seen.slice(0, 8).map((r) => JSON.stringify(r.label)).join(', ') || 'none'})`);
  });
  await page.locator(QUICK_ROW).nth(rows.i).click({ timeout: 5_000 });
  await waitFor(async () => !(await page.locator(QUICK_INPUT).isVisible()), { timeout: 5_000, message: 'quick pick to close' }).catch(() => {});
  return rows.rs[rows.i];
}

/** Closes a quick input that a command left open (Escape, bounded). */
export async function dismissQuickInput(page) { await closeQuickInput(page); }

/** Opens a workspace file by name through quick open (file search), and waits for its tab to be active. */
export async function openFile(page, name, { timeout = 30_000 } = {}) {
  const base = name.split('/').pop();
  // Already open: activate its tab (keeps the editor in its group; does not cover a panel beside it).
  const tab = page.locator('.tabs-container .tab').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
  if (await tab.count()) {
    // A webview revealed just before (preserveFocus false) takes focus when it has loaded, which on a loaded machine
    // can come after this click and make its group the active one again (CI, scenario 43): click again.
    for (let attempt = 1; ; attempt++) {
      await tab.first().click({ timeout: 5_000 });
      const shown = await activeEditor(page).locator('.view-lines').waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
      if (shown) return;
      if (attempt === 3) throw new Error(`openFile ${name}: its tab was clicked 3 times, and the active group still shows no text editor`);
    }
  }
  // A top-level file shown in the Explorer: click it (fast); otherwise quick open (file search, slower when cold).
  // On a loaded machine the Explorer of a fresh workspace lists its files only after several seconds, and the cold
  // file search behind quick open then finds nothing either: give the Explorer up to 20 s.
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
  const inExplorer = !name.includes('/') &&
    await row.first().waitFor({ state: 'visible', timeout: Math.min(20_000, timeout) }).then(() => true, () => false);
  if (inExplorer) await row.first().click({ timeout: 5_000 });
  else await quickPick(page, name, (label) => label === base, { timeout, what: `file ${name}` });
  // Generous: on a loaded machine a first editor takes long to open.
  await page.locator(`.tabs-container .tab.active[aria-label*="${base.replace(/"/g, '\\"')}"]`)
    .waitFor({ state: 'visible', timeout: 30_000 });
  await activeEditor(page).locator('.view-lines').waitFor({ state: 'visible', timeout: 30_000 });
}

/** The active text editor (the one in the active editor group). */
export function activeEditor(page) {
  return page.locator('.editor-group-container.active .monaco-editor:not(.inline-diff-editor)').first();
}

/**
 * Focuses the active text editor without moving its cursor or selection: focuses its input element
 * (EditContext div or the classic textarea); falls back to clicking the active tab.
 */
export async function focusEditor(page) {
  const ed = activeEditor(page);
  await ed.waitFor({ state: 'visible', timeout: 10_000 });
  const focused = () => ed.evaluate((e) => e.contains(document.activeElement));
  if (await focused()) return;
  await ed.locator('.native-edit-context, textarea.inputarea').first().evaluate((e) => e.focus()).catch(() => {});
  if (await focused()) return;
  await page.locator('.editor-group-container.active .tabs-container .tab.active').first().click({ timeout: 5_000 });
  await waitFor(focused, { timeout: 5_000, message: 'the editor to take focus' });
}

/**
 * Selects the first occurrence of `text` in the active editor: Find widget (Ctrl+F), type, Enter to land on it,
 * Escape (the match stays selected). Verified by reading the editor's "Selection" status bar entry
 * (e.g. "Ln 3, Col 1 (12 selected)").
 */
export async function selectText(page, text, { timeout = 15_000 } = {}) {
  await focusEditor(page);
  await page.keyboard.press('Control+Home');          // search from the top: first occurrence
  await waitFor(async () => /^Ln 1, Col 1$/.test((await selectionStatus(page)) ?? ''), { timeout: 5_000, message: 'cursor at the start' });
  await page.keyboard.press('Control+f');
  const find = activeEditor(page).locator('.find-widget .find-part .input');
  await find.waitFor({ state: 'visible', timeout });
  // Clear first: the widget keeps the last search, and filling in the same text again would not search (nor select).
  await find.fill('');
  await find.fill(text);
  // The match count appears once the search ran ("1 of 3"); "No results" means the text is not there.
  const matches = activeEditor(page).locator('.find-widget .matchesCount');
  const count = await waitFor(async () => {
    const t = normalize(await matches.textContent());
    return t && t !== '?' ? t : null;
  }, { timeout, message: `find widget results for ${JSON.stringify(text)}` });
  if (/no results/i.test(count)) throw new Error(`selectText: ${JSON.stringify(text)} not found in the active editor`);
  // Escape closes the widget; the editor keeps the match selected.
  const widget = activeEditor(page).locator('.find-widget.visible');
  await waitFor(async () => {
    if (!(await widget.count())) return true;
    await page.keyboard.press('Escape');
    await sleep(150);
    return !(await widget.count());
  }, { timeout: 5_000, interval: 50, message: 'the find widget to close' });
  // Find-as-you-type selects the current match; check the selection length reported by the status bar.
  const want = [...text].length;
  await waitFor(async () => {
    const sel = await selectionStatus(page);
    const m = /\((\d+) selected\)/.exec(sel ?? '');
    return m && Number(m[1]) === want;
  // 15 s: after a window reload the status bar's selection item can take over 5 s to appear on a loaded machine
  // (scenario 43 saw it absent at 5 s, then passed on a rerun).
  }, { timeout: 15_000, message: `a selection of ${want} characters (status bar: ${await selectionStatus(page)})` });
}

/** Selects the whole active document (Ctrl+A), checked against the status bar's "(N selected)". Returns N. */
export async function selectAll(page) {
  await focusEditor(page);
  await page.keyboard.press('Control+a');
  return waitFor(async () => Number(/\((\d+) selected\)/.exec((await selectionStatus(page)) ?? '')?.[1] ?? 0),
    { timeout: 5_000, message: 'the whole document selected' });
}

/** Removes the selection: cursor to the start of the document. */
export async function clearSelection(page) {
  await focusEditor(page);
  await page.keyboard.press('Control+Home');
  await waitFor(async () => !/selected/.test((await selectionStatus(page)) ?? ''), { timeout: 5_000, message: 'no selection' });
}

/** The editor's cursor/selection status bar entry, e.g. "Ln 1, Col 1" or "Ln 3, Col 9 (12 selected)". */
export async function selectionStatus(page) {
  const item = page.locator('#status\\.editor\\.selection');
  if (!(await item.count())) return null;
  return normalize(await item.textContent({ timeout: 2_000 }).catch(() => null));
}

/**
 * Saves the active editor (Ctrl+S) and waits until its tab is no longer marked dirty. The write to disk lands
 * a little later (and the dirty mark itself is set asynchronously): read the file with `server.waitForFile`.
 */
export async function saveActive(page) {
  await focusEditor(page);
  await page.keyboard.press('Control+s');
  await waitFor(async () => !(await page.locator('.tabs-container .tab.active.dirty').count()), { timeout: 10_000, message: 'save' });
}

/** The visible text of the active editor (only the rendered lines: fine for short documents). */
export async function editorText(page) {
  const lines = await activeEditor(page).locator('.view-lines .view-line').evaluateAll((els) =>
    els.map((e) => ({ top: parseFloat(e.style.top) || 0, text: (e.textContent ?? '').replace(/\u00a0/g, ' ') })));
  return lines.sort((a, b) => a.top - b.top).map((l) => l.text).join('\n');
}

/**
 * Places the mouse over the characters [from, to) of the first visible line of the active editor whose text
 * (whitespace-normalized) matches `lineTest` (a RegExp or a substring); returns that point {x, y}.
 * The position is measured with a DOM Range over the line's text nodes (decorations split a line into spans).
 */
export async function hoverEditorText(page, lineTest, from, to, { timeout = 10_000 } = {}) {
  const ed = activeEditor(page);
  const spec = lineTest instanceof RegExp ? { re: lineTest.source, flags: lineTest.flags } : { sub: String(lineTest) };
  const box = await waitFor(() => ed.locator('.view-lines').evaluate((root, { spec, from, to }) => {
    const norm = (s) => (s ?? '').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
    const test = spec.re !== undefined ? (t) => new RegExp(spec.re, spec.flags).test(t) : (t) => t.includes(spec.sub);
    const lines = [...root.querySelectorAll('.view-line')].sort((a, b) => (parseFloat(a.style.top) || 0) - (parseFloat(b.style.top) || 0));
    const line = lines.find((l) => test(norm(l.textContent)));
    if (!line) return null;
    // Walk the text nodes to the character offsets (counted in UTF-16 units of the rendered text).
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let pos = 0, started = false;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const len = n.textContent.length;
      if (!started && from < pos + len) { range.setStart(n, from - pos); started = true; }
      if (started && to <= pos + len) { range.setEnd(n, to - pos); break; }
      pos += len;
    }
    if (!started) return null;
    const r = range.getBoundingClientRect();
    return r.width > 0 ? { x: r.left + r.width / 2, y: r.top + r.height / 2 } : null;
  }, { spec, from, to }), { timeout, message: `a line matching ${lineTest} in the active editor` });
  // Two moves: the hover controller reacts to mousemove events inside the text.
  await page.mouse.move(box.x - 3, box.y);
  await page.mouse.move(box.x, box.y, { steps: 3 });
  return box;
}

/** Screenshot of one element (e.g. the sidebar) into test-results/e2e/<name>.png; returns the path. */
export async function screenshotOf(locator, name) {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${String(name).replace(/[^\w.-]+/g, '_')}.png`);
  await locator.screenshot({ path: file, timeout: 15_000 });
  return file;
}

/** Texts of the visible notification toasts (messages only), newest last. */
export async function notificationText(page) {
  return page.locator('.notifications-toasts .notification-toast .notification-list-item-message')
    .evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

/** Waits (bounded) for a toast whose message matches `re` (RegExp or substring); returns its text. */
export async function waitForNotification(page, re, { timeout = 30_000 } = {}) {
  const test = re instanceof RegExp ? (s) => re.test(s) : (s) => s.includes(re);
  return waitFor(async () => (await notificationText(page)).find(test), { timeout, message: `a notification matching ${re}` });
}

/** Closes all notification toasts (Clear All Notifications). */
export async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => {});
}

/** Texts of the status bar items (icons excluded), left to right. */
export async function statusBarText(page) {
  return page.locator('#workbench\\.parts\\.statusbar .statusbar-item').evaluateAll((els) => els
    .map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()).filter(Boolean));
}

/** Waits (bounded) for a status bar item matching `re`; returns its text. */
export async function waitForStatusBar(page, re, { timeout = 30_000 } = {}) {
  const test = re instanceof RegExp ? (s) => re.test(s) : (s) => s.includes(re);
  let seen = [];
  try {
    return await waitFor(async () => (seen = await statusBarText(page)).find(test), { timeout, message: `a status bar item matching ${re}` });
  } catch (e) {
    throw new Error(`${e.message}; the status bar shows: ${JSON.stringify(seen)}`);
  }
}

/** Screenshot of the whole page into test-results/e2e/<name>.png; returns the path. */
export async function screenshot(page, name) {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${String(name).replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, timeout: 15_000 });
  return file;
}
