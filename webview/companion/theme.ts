// Colours for the companion's canvases, read from VS Code's theme variables (they change with the theme).
import { flatten, mix, parseColor, pickAccent, type RGB } from '../render/colorScale';

export interface Theme {
  background: RGB;
  foreground: RGB;
  muted: RGB;
  /** Top of the attention scale, and the positive end of the diverging scale. */
  accent: RGB;
  /** The negative end of the diverging scale. */
  negative: RGB;
  highlight: RGB;
  border: RGB;
  fontFamily: string;
  fontSize: number;
  /** High contrast theme: outline cells. */
  highContrast: boolean;
}

let probe: CanvasRenderingContext2D | null | undefined;

/** Any CSS colour (names, hsl(), #hex) as RGB, through a canvas when parseColor does not know the format. */
function toRgb(css: string, fallback: RGB): RGB {
  const v = css.trim();
  if (!v) return fallback;
  const direct = parseColor(v);
  if (direct) return direct;
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return fallback;
  probe.fillStyle = '#000';
  probe.fillStyle = v;
  return parseColor(String(probe.fillStyle)) ?? fallback;
}

export function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  const v = (name: string): string => style.getPropertyValue(name);
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  const background = flatten(toRgb(v('--vscode-sideBar-background') || v('--vscode-editor-background'), dark ? { r: 30, g: 30, b: 30, a: 1 } : { r: 255, g: 255, b: 255, a: 1 }), dark ? { r: 0, g: 0, b: 0, a: 1 } : { r: 255, g: 255, b: 255, a: 1 });
  const foreground = flatten(toRgb(v('--vscode-foreground'), dark ? { r: 204, g: 204, b: 204, a: 1 } : { r: 51, g: 51, b: 51, a: 1 }), background);
  const muted = flatten(toRgb(v('--vscode-descriptionForeground'), mix(background, foreground, 0.7)), background);
  const blue = toRgb(v('--vscode-charts-blue'), { r: 55, g: 148, b: 255, a: 1 });
  const orange = toRgb(v('--vscode-charts-orange'), { r: 209, g: 134, b: 22, a: 1 });
  const accent = pickAccent(background, [blue, toRgb(v('--vscode-focusBorder'), blue)], foreground);
  const negative = pickAccent(background, [orange, toRgb(v('--vscode-charts-red'), orange)], foreground);
  const highlight = flatten(toRgb(v('--vscode-focusBorder'), accent), background);
  const border = flatten(toRgb(v('--vscode-widget-border') || v('--vscode-panel-border'), mix(background, foreground, 0.25)), background);
  const fontSize = parseFloat(v('--vscode-font-size')) || 13;
  return {
    background, foreground, muted, accent, negative, highlight, border,
    fontFamily: v('--vscode-font-family').trim() || 'system-ui, sans-serif',
    fontSize,
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}
