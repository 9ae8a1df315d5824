// Layout maths for the heatmaps: cell size, label areas, rotated column labels, hit testing. No DOM.
// All lengths are CSS pixels; canvases are scaled by devicePixelRatio separately (canvasPixels).

export interface HeatmapLayoutOptions {
  rows: number;
  cols: number;
  /** Measured widths of the row labels (queries), one per row. */
  rowLabelWidths: number[];
  /** Measured widths of the column labels (keys), one per column. */
  colLabelWidths: number[];
  /**
   * Heights of column labels that are stacked upright instead of rotated (Hangul, kana, Han: see heatmap.ts
   * isUprightLabel), one per column, 0 for the others. They stay within their column.
   */
  colLabelUpright?: number[];
  /** Label font size. */
  fontSize: number;
  /** Width available for the whole canvas. */
  maxWidth: number;
  minCell?: number;
  maxCell?: number;
  /** Outer padding on every side. */
  pad?: number;
  /** Space between labels and the grid. */
  labelGap?: number;
  /**
   * Angle of column labels that do not fit horizontally, in degrees from the horizontal. Default 45, or 90 when some
   * labels are stacked upright: a slanted label would run through the stacked one beside it.
   */
  angle?: number;
  /** Row labels never take more than this fraction of maxWidth. */
  maxRowLabelFraction?: number;
}

export interface HeatmapLayout {
  rows: number;
  cols: number;
  /** Side of one (square) cell. */
  cell: number;
  /** Top-left corner of the grid. */
  left: number;
  top: number;
  gridWidth: number;
  gridHeight: number;
  /** Whole canvas. */
  width: number;
  height: number;
  /** Width of the row label column (text right-aligned at left - labelGap). */
  rowLabelWidth: number;
  /** Column labels rotated by `angle` degrees (text rising to the right) instead of horizontal; upright ones stacked. */
  rotated: boolean;
  angle: number;
  labelGap: number;
  fontSize: number;
  pad: number;
}

const max0 = (xs: number[]): number => xs.reduce((m, x) => (x > m ? x : m), 0);

/**
 * Lays out a heatmap with row labels on the left and column labels on top. Cells are square and as large as
 * the width allows, within [minCell, maxCell]; below minCell the canvas gets wider than maxWidth (the view
 * scrolls). Column labels stay horizontal when the widest fits in a cell, otherwise they are rotated (or stacked
 * upright, see colLabelUpright) and the canvas reserves room for them above and to the right.
 */
export function heatmapLayout(o: HeatmapLayoutOptions): HeatmapLayout {
  const rows = Math.max(0, o.rows | 0), cols = Math.max(0, o.cols | 0);
  const minCell = o.minCell ?? 12, maxCell = Math.max(minCell, o.maxCell ?? 40);
  const pad = o.pad ?? 4, labelGap = o.labelGap ?? 6;
  const angle = o.angle ?? ((o.colLabelUpright ?? []).some((h) => h > 0) ? 90 : 45);
  const fs = o.fontSize;
  const rowLabelWidth = Math.ceil(Math.min(max0(o.rowLabelWidths), Math.max(40, o.maxWidth * (o.maxRowLabelFraction ?? 0.35))));
  const left = pad + rowLabelWidth + labelGap;
  const colW = o.colLabelWidths.slice(0, cols);
  const upright = (j: number) => o.colLabelUpright?.[j] ?? 0;
  const widest = max0(colW);
  const rad = (angle * Math.PI) / 180, sin = Math.sin(rad), cos = Math.cos(rad);

  /** How far rotated labels reach past the grid's right edge, for a given cell size (upright ones stay in their column). */
  const overflowRight = (cell: number): number => {
    let reach = 0;
    colW.forEach((w, j) => { if (upright(j) === 0) reach = Math.max(reach, (j + 0.5) * cell + w * cos + (fs / 2) * sin - cols * cell); });
    return Math.max(0, reach);
  };
  const fits = (cell: number): boolean => widest <= cell - 4;

  let cell = cols > 0 ? Math.floor((o.maxWidth - left - pad) / cols) : maxCell;
  cell = Math.max(minCell, Math.min(maxCell, cell));
  // Rotated labels need room on the right: shrink until the whole canvas fits (or minCell is reached).
  for (let i = 0; i < 4 && !fits(cell); i++) {
    const over = left + cols * cell + overflowRight(cell) + pad - o.maxWidth;
    if (over <= 0) break;
    const next = Math.max(minCell, Math.min(cell, Math.floor((o.maxWidth - left - pad - overflowRight(cell)) / Math.max(1, cols))));
    if (next === cell) break;
    cell = next;
  }
  const rotated = cols > 0 && !fits(cell);
  const rotatedHeight = (w: number, j: number) => (upright(j) > 0 ? upright(j) : w * sin + (fs / 2) * cos);
  const colLabelHeight = cols === 0 ? 0 : rotated ? Math.ceil(max0(colW.map(rotatedHeight))) : Math.ceil(fs);
  const top = pad + colLabelHeight + labelGap;
  const gridWidth = cols * cell, gridHeight = rows * cell;
  const right = rotated ? Math.ceil(overflowRight(cell)) : Math.max(0, Math.ceil(widest / 2 - cell / 2));
  return {
    rows, cols, cell, left, top, gridWidth, gridHeight,
    width: Math.ceil(left + gridWidth + right + pad),
    height: Math.ceil(top + gridHeight + pad),
    rowLabelWidth, rotated, angle, labelGap, fontSize: fs, pad,
  };
}

export interface Hit { row?: number; col?: number; inGrid: boolean }

/**
 * What is under a point: a cell (row and col, inGrid), a row label (row only), a column (col only, anywhere
 * above the grid within its column), or nothing.
 */
export function hitTest(l: HeatmapLayout, x: number, y: number): Hit | undefined {
  const col = Math.floor((x - l.left) / l.cell), row = Math.floor((y - l.top) / l.cell);
  const inCols = x >= l.left && col >= 0 && col < l.cols;
  const inRows = y >= l.top && row >= 0 && row < l.rows;
  if (inCols && inRows) return { row, col, inGrid: true };
  if (inRows && x >= l.pad && x < l.left) return { row, inGrid: false };
  if (inCols && y >= l.pad && y < l.top) return { col, inGrid: false };
  return undefined;
}

/** Rectangle of a cell, in CSS pixels. */
export function cellRect(l: HeatmapLayout, row: number, col: number): { x: number; y: number; w: number; h: number } {
  return { x: l.left + col * l.cell, y: l.top + row * l.cell, w: l.cell, h: l.cell };
}

/** Where the anchor of column label j sits (centre of the column, just above the grid). */
export function colLabelAnchor(l: HeatmapLayout, j: number): { x: number; y: number } {
  return { x: l.left + (j + 0.5) * l.cell, y: l.top - l.labelGap };
}

/** Where row label i ends (right-aligned, vertically centred on the row). */
export function rowLabelAnchor(l: HeatmapLayout, i: number): { x: number; y: number } {
  return { x: l.left - l.labelGap, y: l.top + (i + 0.5) * l.cell };
}

/** Cell layout of a thumbnail that fits `size` on its longer side. Cells may be fractional. */
export function thumbLayout(rows: number, cols: number, size: number): { cell: number; width: number; height: number } {
  const n = Math.max(1, rows, cols);
  const cell = size / n;
  return { cell, width: Math.max(1, Math.round(cols * cell)), height: Math.max(1, Math.round(rows * cell)) };
}

/** Device-pixel size of a canvas for a CSS size (at least 1). */
export function canvasPixels(cssWidth: number, cssHeight: number, dpr: number): { width: number; height: number } {
  const r = Number.isFinite(dpr) && dpr > 0 ? dpr : 1;
  return { width: Math.max(1, Math.round(cssWidth * r)), height: Math.max(1, Math.round(cssHeight * r)) };
}

/** Edges of cell i on a line of `n` cells of size `cell` starting at `start`, snapped to device pixels so neighbours meet. */
export function snappedSpan(start: number, cell: number, i: number, dpr: number): [number, number] {
  const r = dpr > 0 ? dpr : 1;
  const a = Math.round((start + i * cell) * r) / r, b = Math.round((start + (i + 1) * cell) * r) / r;
  return [a, b];
}
