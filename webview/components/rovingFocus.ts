// A roving tabindex over the items of a container (a token strip): the container is one tab stop, the arrow keys,
// Home and End move the focus between its items. Without it every token was a tab stop (~30 before the controls).

/**
 * Makes `container`'s children matching `itemSelector` one tab stop: the item focused last keeps tabindex 0, the
 * others -1. Call `reset()` after the items were replaced. Left/Up and Right/Down move, Home and End jump.
 */
export function rovingFocus(container: HTMLElement, itemSelector: string): { reset(): void } {
  const items = () => Array.from(container.querySelectorAll<HTMLElement>(itemSelector));
  const activate = (target: HTMLElement | undefined, focus: boolean) => {
    if (!target) return;
    for (const item of items()) item.tabIndex = item === target ? 0 : -1;
    if (focus) target.focus();
  };
  container.addEventListener('keydown', (e) => {
    const all = items();
    const at = all.indexOf(e.target as HTMLElement);
    if (at < 0) return;
    const next = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? Math.min(all.length - 1, at + 1)
      : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? Math.max(0, at - 1)
        : e.key === 'Home' ? 0 : e.key === 'End' ? all.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    activate(all[next], true);
  });
  // A click (or focus from anywhere else) makes that item the one the next Tab returns to.
  container.addEventListener('focusin', (e) => {
    const item = (e.target as HTMLElement).closest<HTMLElement>(itemSelector);
    if (item && container.contains(item) && item.tabIndex !== 0) activate(item, false);
  });
  return { reset: () => activate(items()[0], false) };
}
