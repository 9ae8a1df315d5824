// Page objects for webviews: finding a webview's content frame (by its tab title, or by what it shows), choosing
// an option in a dropdown inside it, reading a canvas.
import { waitFor } from './runtime.mjs';

/**
 * A webview's content frame (two frames down: the outer iframe.webview, then iframe#active-frame).
 * `titleOrIndex`: a panel title (its editor tab is activated first, then the visible webview is used),
 * or an index among the ready webviews (default 0).
 */
export async function webviewFrame(page, titleOrIndex = 0, { timeout = 30_000 } = {}) {
  if (typeof titleOrIndex === 'string') {
    const exact = new RegExp(`^\\s*${titleOrIndex.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
    const tab = page.locator('.tabs-container .tab').filter({ has: page.locator('.label-name', { hasText: exact }) });
    await waitFor(async () => (await tab.count()) > 0, { timeout, message: `a tab titled "${titleOrIndex}"` });
    // Several tabs with that title: prefer the active tab of the active group, then any active tab, then the first.
    const inActiveGroup = page.locator('.editor-group-container.active .tabs-container .tab.active').filter({ has: page.locator('.label-name', { hasText: exact }) });
    const activeTab = page.locator('.tabs-container .tab.active').filter({ has: page.locator('.label-name', { hasText: exact }) });
    const t = (await inActiveGroup.count()) ? inActiveGroup.first() : (await activeTab.count()) ? activeTab.last() : tab.first();
    if (!(await t.evaluate((el) => el.classList.contains('active')))) await t.click({ timeout: 5_000 });
    // Tab active in its group; several groups may each show a webview: pick the one in the tab's group.
    const outer = await waitFor(async () => {
      const frames = page.locator('iframe.webview.ready');
      const n = await frames.count();
      const tabBox = await t.boundingBox();
      for (let i = 0; i < n; i++) {
        const f = frames.nth(i);
        if (!(await f.isVisible())) continue;
        const box = await f.boundingBox();
        // The webview sits below its tab, horizontally within the same group.
        if (box && tabBox && tabBox.x + 1 >= box.x - 2 && tabBox.x < box.x + box.width && box.y >= tabBox.y) return f;
      }
      return null;
    }, { timeout, message: `the webview of "${titleOrIndex}" to be visible and ready` });
    return outer.contentFrame().locator('iframe#active-frame').contentFrame();
  }
  const outer = page.locator('iframe.webview.ready').nth(titleOrIndex);
  await outer.waitFor({ state: 'attached', timeout });
  return outer.contentFrame().locator('iframe#active-frame').contentFrame();
}

/**
 * The content frame of a ready webview (an editor panel or a view in the sidebar/panel, which has no tab) whose
 * document has a visible element matching `selector`: a playwright Frame (it has `locator()` like a FrameLocator).
 * Waits (bounded) until one exists; the webview's script may still be building its DOM.
 */
export async function webviewFrameWith(page, selector, { timeout = 30_000 } = {}) {
  return waitFor(async () => {
    for (const fr of page.frames()) {
      if (fr === page.mainFrame() || fr.isDetached()) continue;
      // Webview content: the inner iframe#active-frame of an iframe.webview (both origins are vscode-cdn/webview hosts).
      if (!fr.parentFrame() || fr.parentFrame() === page.mainFrame()) continue;
      const el = fr.locator(selector).first();
      if ((await el.count().catch(() => 0)) && (await el.isVisible().catch(() => false))) return fr;
    }
    return null;
  }, { timeout, interval: 250, message: `a webview whose document shows ${selector}` });
}

/**
 * Chooses an option in a <select> or a webview-ui-toolkit <vscode-dropdown> inside a webview frame, the way a user
 * does (select / click the dropdown, click the option). `option`: a value, a label (exact, then substring), or
 * {index: n}. Returns {value, label} of the chosen option.
 */
export async function chooseOption(frame, selector, option, { timeout = 10_000 } = {}) {
  const el = frame.locator(selector).first();
  await el.waitFor({ state: 'visible', timeout });
  const tag = await el.evaluate((e) => e.tagName.toLowerCase());
  const optSel = tag === 'select' ? 'option' : 'vscode-option, [role="option"]';
  const opts = el.locator(optSel);
  const all = await opts.evaluateAll((os) => os.map((o) => ({ value: String(o.value ?? o.getAttribute('value') ?? ''),
    label: (o.textContent ?? '').replace(/\s+/g, ' ').trim() })));
  let i;
  if (option && typeof option === 'object' && 'index' in option) i = option.index;
  else {
    const want = String(option);
    i = all.findIndex((o) => o.value === want);
    if (i < 0) i = all.findIndex((o) => o.label === want);
    if (i < 0) i = all.findIndex((o) => o.label.includes(want));
  }
  if (!(i >= 0 && i < all.length)) {
    throw new Error(`chooseOption: no option ${JSON.stringify(option)} in ${selector} (have ${all.map((o) => o.label).join(', ')})`);
  }
  if (tag === 'select') {
    await el.selectOption({ index: i }, { timeout });
  } else {
    await el.click({ timeout });
    await opts.nth(i).click({ timeout });
  }
  await waitFor(async () => (await el.evaluate((e) => String(e.value))) === all[i].value,
    { timeout: 5_000, message: `${selector} to take the value ${all[i].value}` });
  return all[i];
}

/** Canvas pixels as a data URL (inside a webview frame), for before/after comparisons. */
export async function canvasDataUrl(frame, selector) {
  return frame.locator(selector).first().evaluate((c) => c.toDataURL('image/png'));
}
