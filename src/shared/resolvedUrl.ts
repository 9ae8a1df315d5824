// One rule for comparing URLs on both sides of the boundary: the host's file server and the webview's engine worker
// must agree on which address names which file.

/** The URL with its dot segments resolved (and its query and fragment dropped), or undefined when it is not one. */
export function resolvedUrl(value: string): string | undefined {
  try {
    const u = new URL(value);
    u.search = '';
    u.hash = '';
    return u.href;
  } catch {
    return undefined;
  }
}
