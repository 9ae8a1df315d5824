// Measurements for the end-to-end scenarios (issue 10's freeze and cancel, issue 11's lifecycle): numbers printed as
// "# measure: ..." lines, a ticking timer that shows whether a page's main thread stayed free, and the progress
// notifications of a translation. Re-exported by ./ac.mjs, which scenarios import.
/** Prints one measurement (always, not only with E2E_VERBOSE): `# measure: <slug> <what> = <value>`. */
export function measure(ctx, what, value) {
  console.error(`# measure: ${ctx.slug} ${what} = ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

/**
 * Starts a 10 ms interval timer in the document of `body` (a Locator of a frame's <body>: the panel's, or the
 * workbench's): its ticks show whether that document's main thread stayed free. Read with readTicker().
 */
export async function startTicker(body) {
  await body.evaluate(() => {
    const w = window;
    if (w.__acTicker) clearInterval(w.__acTicker.id);
    const st = { n: 0, maxGap: 0, start: performance.now(), last: performance.now(), id: 0 };
    st.id = setInterval(() => {
      const now = performance.now();
      st.maxGap = Math.max(st.maxGap, now - st.last);
      st.last = now;
      st.n++;
    }, 10);
    w.__acTicker = st;
  });
}

/** {ticks, expected (elapsed / 10 ms), maxGapMs, elapsedMs} of the timer startTicker() started; stops it. */
export async function readTicker(body) {
  return body.evaluate(() => {
    const st = window.__acTicker;
    const now = performance.now();
    clearInterval(st.id);
    const elapsed = now - st.start;
    return { ticks: st.n, expected: Math.floor(elapsed / 10), maxGapMs: Math.round(Math.max(st.maxGap, now - st.last)), elapsedMs: Math.round(elapsed) };
  });
}

/** The extension's progress notifications' titles (src/commands/translate.ts). */
const PROGRESS_TITLE = /Attention Companion: (translating|computing attention)/i;

/** The texts of the visible progress notifications of a translation (not the extension's other messages). */
export async function progressTexts(page) {
  return page.locator('.notifications-toasts .notification-toast').evaluateAll((els, re) => els
    .map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()).filter((t) => new RegExp(re, 'i').test(t)), PROGRESS_TITLE.source);
}

/**
 * Records, from now on, every text the progress notifications show (a MutationObserver in the workbench page): a
 * translation can step through its sentences faster than a test polls. Read with progressSeen().
 */
export async function watchProgress(page, re = PROGRESS_TITLE.source) {
  await page.evaluate((source) => {
    const w = window;
    w.__acProgressObserver?.disconnect();
    const seen = new Set();
    const pattern = new RegExp(source, 'i');
    const look = () => {
      for (const el of document.querySelectorAll('.notifications-toasts .notification-toast')) {
        const t = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
        if (pattern.test(t)) seen.add(t);
      }
    };
    w.__acProgressObserver = new MutationObserver(look);
    w.__acProgressObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
    w.__acProgressSeen = seen;
    look();
  }, re);
}

/** The progress texts watchProgress() recorded; stops recording. */
export async function progressSeen(page) {
  return page.evaluate(() => {
    window.__acProgressObserver?.disconnect();
    return [...(window.__acProgressSeen ?? [])];
  });
}

/**
 * Records, from now on, the length of every partial translation the panel shows (#translation while data-partial is
 * set; `body`: a Locator of the panel frame's <body>). Read with partialsSeen().
 */
export async function watchPartials(body) {
  await body.evaluate(() => {
    const w = window;
    w.__acPartialObserver?.disconnect();
    const lengths = new Set();
    const look = () => {
      const t = document.getElementById('translation');
      if (t && t.dataset.partial !== undefined && t.textContent) lengths.add(t.textContent.replace(/\s+/g, ' ').trim().length);
    };
    w.__acPartialObserver = new MutationObserver(look);
    w.__acPartialObserver.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-partial'] });
    w.__acPartialLengths = lengths;
  });
}

/** The partial translation lengths watchPartials() recorded; stops recording. */
export async function partialsSeen(body) {
  return body.evaluate(() => {
    window.__acPartialObserver?.disconnect();
    return [...(window.__acPartialLengths ?? [])];
  });
}

/** Clicks Cancel on the Attention Companion progress notification; false when none is shown. */
export async function cancelProgress(page) {
  const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: PROGRESS_TITLE }).first();
  if (!(await toast.count())) return false;
  await toast.hover({ timeout: 5_000 }).catch(() => {});
  const button = toast.locator('.monaco-button', { hasText: /^\s*Cancel\s*$/ }).first();
  if (!(await button.count())) return false;
  await button.click({ timeout: 5_000 });
  return true;
}

/**
 * The panel's translation as drawn now: {text, partial (data-partial set), busy (a request runs: #result's aria-busy)},
 * read in one evaluation (one round trip: the end-to-end runs poll this while the engine works on the same two cores).
 */
export async function panelTranslation(frame) {
  return frame.locator('body').evaluate((body) => {
    const t = body.querySelector('#translation');
    return {
      text: (t?.textContent ?? '').replace(/\s+/g, ' ').trim(),
      partial: !!t && t.getAttribute('data-partial') !== null,
      busy: !!body.querySelector('#result[aria-busy="true"]'),
    };
  });
}

