// Colour maths for the heatmaps: parsing theme colours, a sequential scale from the background to an accent
// colour (interpolated in OKLab so the steps look even), contrast checks and value formatting. No DOM.

/** A colour with channels 0..255 and alpha 0..1. */
export interface RGB { r: number; g: number; b: number; a: number }

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/**
 * Parses the colour formats VS Code themes and canvas `fillStyle` produce: #rgb, #rgba, #rrggbb, #rrggbbaa,
 * rgb()/rgba() with commas or spaces (numbers or percentages). Anything else (names, hsl()) gives undefined:
 * the view normalises those through a canvas first.
 */
export function parseColor(css: string | undefined): RGB | undefined {
  if (!css) return undefined;
  const s = css.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,8})$/.exec(s);
  if (m) {
    const h = m[1];
    if (h.length === 3 || h.length === 4) {
      const c = [...h].map((x) => parseInt(x + x, 16));
      return { r: c[0], g: c[1], b: c[2], a: h.length === 4 ? c[3] / 255 : 1 };
    }
    if (h.length === 6 || h.length === 8) {
      const c = [0, 2, 4, 6].map((i) => parseInt(h.slice(i, i + 2), 16));
      return { r: c[0], g: c[1], b: c[2], a: h.length === 8 ? c[3] / 255 : 1 };
    }
    return undefined;
  }
  m = /^rgba?\(\s*([^)]*)\)$/.exec(s);
  if (m) {
    const parts = m[1].split(/\s*[,/]\s*|\s+/).filter((p) => p.length > 0);
    if (parts.length !== 3 && parts.length !== 4) return undefined;
    const channel = (p: string): number => (p.endsWith('%') ? (parseFloat(p) * 255) / 100 : parseFloat(p));
    const [r, g, b] = parts.slice(0, 3).map(channel);
    const a = parts.length === 4 ? (parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3])) : 1;
    if ([r, g, b, a].some((v) => !Number.isFinite(v))) return undefined;
    return { r: clamp(r, 0, 255), g: clamp(g, 0, 255), b: clamp(b, 0, 255), a: clamp(a, 0, 1) };
  }
  return undefined;
}

/** `rgb(r, g, b)` with integer channels (alpha dropped), or `rgba(...)` when alpha < 1 and `withAlpha`. */
export function toCss(c: RGB, withAlpha = false): string {
  const r = Math.round(c.r), g = Math.round(c.g), b = Math.round(c.b);
  return withAlpha && c.a < 1 ? `rgba(${r}, ${g}, ${b}, ${+c.a.toFixed(3)})` : `rgb(${r}, ${g}, ${b})`;
}

/** `#rrggbb` (alpha dropped). */
export function toHex(c: RGB): string {
  const h = (v: number): string => Math.round(clamp(v, 0, 255)).toString(16).padStart(2, '0');
  return `#${h(c.r)}${h(c.g)}${h(c.b)}`;
}

/** Composites a translucent colour over an opaque one (theme colours such as #ffffff80 on the editor background). */
export function flatten(c: RGB, under: RGB): RGB {
  const a = c.a;
  return { r: c.r * a + under.r * (1 - a), g: c.g * a + under.g * (1 - a), b: c.b * a + under.b * (1 - a), a: 1 };
}

// --- OKLab (Björn Ottosson, 2020) ---
const toLinear = (v: number): number => { const x = v / 255; return x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
const fromLinear = (x: number): number => 255 * (x <= 0.0031308 ? 12.92 * x : 1.055 * Math.pow(x, 1 / 2.4) - 0.055);

function toOklab(c: RGB): [number, number, number] {
  const r = toLinear(c.r), g = toLinear(c.g), b = toLinear(c.b);
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s,
  ];
}

function fromOklab([L, A, B]: [number, number, number]): RGB {
  const l = (L + 0.3963377774 * A + 0.2158037573 * B) ** 3;
  const m = (L - 0.1055613458 * A - 0.0638541728 * B) ** 3;
  const s = (L - 0.0894841775 * A - 1.2914855480 * B) ** 3;
  return {
    r: clamp(fromLinear(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s), 0, 255),
    g: clamp(fromLinear(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s), 0, 255),
    b: clamp(fromLinear(-0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s), 0, 255),
    a: 1,
  };
}

/** The colour a fraction `t` (clamped to [0, 1]) of the way from `from` to `to`, interpolated in OKLab. */
export function mix(from: RGB, to: RGB, t: number): RGB {
  const u = Number.isFinite(t) ? clamp(t, 0, 1) : 0;
  if (u === 0) return { ...from, a: 1 };
  if (u === 1) return { ...to, a: 1 };
  const a = toOklab(from), b = toOklab(to);
  return fromOklab([a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u]);
}

function asRgb(c: RGB | string): RGB {
  if (typeof c !== 'string') return c;
  const p = parseColor(c);
  if (!p) throw new TypeError(`not a colour: ${c}`);
  return p;
}

/** The scale's colour for `value` in [0, 1] between two colours, as `rgb(r, g, b)`. */
export function colorAt(value: number, from: RGB | string, to: RGB | string): string {
  return toCss(mix(asRgb(from), asRgb(to), value));
}

/** A fast lookup version of colorAt for drawing many cells: `steps` precomputed colours. */
export function makeScale(from: RGB | string, to: RGB | string, steps = 256): (value: number) => string {
  const a = asRgb(from), b = asRgb(to);
  const n = Math.max(2, Math.floor(steps));
  const lut = Array.from({ length: n }, (_, i) => toCss(mix(a, b, i / (n - 1))));
  return (value: number) => lut[Math.round((Number.isFinite(value) ? clamp(value, 0, 1) : 0) * (n - 1))];
}

/** CSS `linear-gradient(to right, ...)` of the scale, for the legend (several stops: the OKLab path is curved). */
export function legendGradient(from: RGB | string, to: RGB | string, stops = 8): string {
  const a = asRgb(from), b = asRgb(to);
  const n = Math.max(2, stops);
  const parts = Array.from({ length: n }, (_, i) => `${toCss(mix(a, b, i / (n - 1)))} ${Math.round((100 * i) / (n - 1))}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

/** WCAG relative luminance in [0, 1]. */
export function luminance(c: RGB): number {
  return 0.2126 * toLinear(c.r) + 0.7152 * toLinear(c.g) + 0.0722 * toLinear(c.b);
}

/** WCAG contrast ratio in [1, 21]. */
export function contrastRatio(a: RGB, b: RGB): number {
  const la = luminance(a), lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Whichever of `dark` / `light` reads better on `bg`. */
export function readableOn(bg: RGB, dark: RGB, light: RGB): RGB {
  return contrastRatio(bg, dark) >= contrastRatio(bg, light) ? dark : light;
}

/**
 * The accent for the top of the scale: the theme's accent unless it barely differs from the background
 * (some themes set charts colours close to it), then the foreground.
 */
export function pickAccent(bg: RGB, candidates: (RGB | undefined)[], fallback: RGB, minRatio = 1.8): RGB {
  for (const c of candidates) if (c && contrastRatio(flatten(c, bg), bg) >= minRatio) return flatten(c, bg);
  return fallback;
}

/** Attention values for people: two decimals, "<0.01" for tiny non-zero values, "0" for zero. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  if (v > 0 && v < 0.005) return '<0.01';
  return v.toFixed(2);
}

/** Probabilities as percentages: "72%", "4.1%", "<0.1%". */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '–';
  const v = p * 100;
  if (v >= 10) return `${Math.round(v)}%`;
  if (v >= 0.1) return `${v.toFixed(1)}%`;
  return v > 0 ? '<0.1%' : '0%';
}
