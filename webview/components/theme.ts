// The one theme reader of both webviews: VS Code's theme variables as colours and a font, for canvases and figures.
// Call it again when the theme changes (VS Code swaps the body's classes and the variables on <html>).
import { flatten, mix, parseColor, pickAccent, type RGB } from '../render/colorScale';

export interface Theme {
  background: RGB;
  foreground: RGB;
  muted: RGB;
  /** Top of the attention scale, and the positive end of the diverging scale. */
  accent: RGB;
  /** The negative end of the diverging scale. */
  negative: RGB;
  /** Row/column highlight outline. */
  highlight: RGB;
  border: RGB;
  /** High contrast themes: an outline around every cell. */
  cellBorder?: RGB;
  fontFamily: string;
  /** The theme's font size in CSS pixels. */
  fontSize: number;
  highContrast: boolean;
}

/** Which surface the webview sits on: the editor area (the panel) or the side bar (the companion view). */
export type Surface = 'editor' | 'sideBar';

const WHITE: RGB = { r: 255, g: 255, b: 255, a: 1 };
const BLACK: RGB = { r: 0, g: 0, b: 0, a: 1 };
let probe: CanvasRenderingContext2D | null | undefined;

/** Any CSS colour (names, hsl(), #hex) as RGB, through a canvas when parseColor does not know the format. */
function toRgb(css: string): RGB | undefined {
  const v = css.trim();
  if (!v) return undefined;
  const direct = parseColor(v);
  if (direct) return direct;
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return undefined;
  probe.fillStyle = '#010203';
  probe.fillStyle = v;
  const norm = String(probe.fillStyle);
  return norm === '#010203' ? undefined : parseColor(norm);
}

export function readTheme(surface: Surface, doc: Document = document): Theme {
  const body = doc.body;
  const style = getComputedStyle(body);
  const v = (name: string): RGB | undefined => toRgb(style.getPropertyValue(name));
  const highContrast = body.classList.contains('vscode-high-contrast') || body.classList.contains('vscode-high-contrast-light');
  const dark = body.classList.contains('vscode-dark') || body.classList.contains('vscode-high-contrast');
  const onEditor = surface === 'editor';
  const background = flatten((onEditor ? undefined : v('--vscode-sideBar-background')) ?? v('--vscode-editor-background') ?? toRgb(style.backgroundColor)
    ?? (dark ? { r: 30, g: 30, b: 30, a: 1 } : WHITE), dark ? BLACK : WHITE);
  const foreground = flatten(v(onEditor ? '--vscode-editor-foreground' : '--vscode-foreground') ?? toRgb(style.color)
    ?? (dark ? { r: 204, g: 204, b: 204, a: 1 } : { r: 51, g: 51, b: 51, a: 1 }), background);
  const muted = flatten(v('--vscode-descriptionForeground') ?? mix(background, foreground, 0.7), background);
  const blue = v('--vscode-charts-blue') ?? { r: 55, g: 148, b: 255, a: 1 };
  const orange = v('--vscode-charts-orange') ?? { r: 209, g: 134, b: 22, a: 1 };
  const accent = pickAccent(background, [blue, v('--vscode-focusBorder')], foreground);
  const negative = pickAccent(background, [orange, v('--vscode-charts-red')], foreground);
  const highlight = flatten((highContrast ? v('--vscode-contrastActiveBorder') : undefined) ?? v('--vscode-focusBorder') ?? accent, background);
  const border = flatten(v('--vscode-widget-border') ?? v('--vscode-panel-border') ?? mix(background, foreground, 0.25), background);
  const contrastBorder = highContrast ? v('--vscode-contrastBorder') : undefined;
  return {
    background, foreground, muted, accent, negative, highlight, border,
    cellBorder: contrastBorder && flatten(contrastBorder, background),
    fontFamily: style.getPropertyValue('--vscode-font-family').trim() || style.fontFamily || 'system-ui, sans-serif',
    fontSize: parseFloat(style.getPropertyValue('--vscode-font-size')) || parseFloat(style.fontSize) || 13,
    highContrast,
  };
}

/** Calls `onChange` when VS Code changes the theme: it swaps the body's classes and the variables on <html>. */
export function watchTheme(onChange: () => void, doc: Document = document): MutationObserver {
  const observer = new MutationObserver(onChange);
  observer.observe(doc.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id', 'data-vscode-theme-kind'] });
  observer.observe(doc.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return observer;
}
