// Inline SVG icons (16 × 16, currentColor) in the style of VS Code's codicons; no icon font to load.
const svg = (body: string): string =>
  `<svg width="16" height="16" viewBox="0 0 16 16" fill="currentColor" xmlns="http://www.w3.org/2000/svg" aria-hidden="true">${body}</svg>`;

export const ICONS = {
  chevronLeft: svg('<path d="M10.35 3.15a.5.5 0 0 1 0 .7L6.2 8l4.15 4.15a.5.5 0 0 1-.7.7l-4.5-4.5a.5.5 0 0 1 0-.7l4.5-4.5a.5.5 0 0 1 .7 0z"/>'),
  chevronRight: svg('<path d="M5.65 3.15a.5.5 0 0 1 .7 0l4.5 4.5a.5.5 0 0 1 0 .7l-4.5 4.5a.5.5 0 0 1-.7-.7L9.8 8 5.65 3.85a.5.5 0 0 1 0-.7z"/>'),
  play: svg('<path d="M4.5 2.6a.5.5 0 0 1 .76-.43l8.2 5.4a.5.5 0 0 1 0 .86l-8.2 5.4a.5.5 0 0 1-.76-.43V2.6z"/>'),
  pause: svg('<path d="M4.5 2.5h2.5v11H4.5zM9 2.5h2.5v11H9z"/>'),
  close: svg('<path d="M8 7.3l3.65-3.65a.5.5 0 0 1 .7.7L8.7 8l3.65 3.65a.5.5 0 0 1-.7.7L8 8.7l-3.65 3.65a.5.5 0 0 1-.7-.7L7.3 8 3.65 4.35a.5.5 0 0 1 .7-.7L8 7.3z"/>'),
  error: svg('<path d="M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1zm0 1a6 6 0 1 0 0 12A6 6 0 0 0 8 2zm-.5 3h1v4.5h-1V5zm.5 6.9a.7.7 0 1 1 0-1.4.7.7 0 0 1 0 1.4z"/>'),
  export: svg('<path d="M8 1.3l3.35 3.35-.7.7L8.5 3.2V10h-1V3.2L5.35 5.35l-.7-.7L8 1.3zM2.5 9h1v4.5h9V9h1v5.5h-11V9z"/>'),
  grid: svg('<path d="M2 2h5v5H2V2zm1 1v3h3V3H3zm6-1h5v5H9V2zm1 1v3h3V3h-3zM2 9h5v5H2V9zm1 1v3h3v-3H3zm6-1h5v5H9V9zm1 1v3h3v-3h-3z"/>'),
} as const;
