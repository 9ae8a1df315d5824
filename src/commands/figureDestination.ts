// Where an exported figure may go, decided without vscode (unit-tested; ./exportFigure.ts asks and writes). A folder
// in the workspace is written freely. One outside it is refused when the workspace's own settings chose it (a
// repository must not make the editor write elsewhere on this machine), and confirmed first when the user's settings
// did. An earlier export is never overwritten without asking.

/** The parts of a vscode.Uri the decision reads (a vscode.Uri is one). */
export interface Place { scheme: string; authority: string; path: string }

/** Which settings named the folder: none (the default), the user's own, or the workspace's (.vscode/settings.json). */
export type FolderSource = 'default' | 'user' | 'workspace';

export type FolderDecision = 'write' | 'confirm' | 'refuse';

/** The values of one setting in each scope, as WorkspaceConfiguration.inspect() gives them. */
export interface SettingScopes<T> { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T }

/**
 * Which scope the effective value came from. A workspace value that is not in effect (Restricted Mode ignores it for
 * restricted settings) does not count; one equal to the user's counts as the workspace's, the stricter reading.
 */
export function settingSource<T>(scopes: SettingScopes<T> | undefined, effective: T): FolderSource {
  const workspace = scopes?.workspaceFolderValue ?? scopes?.workspaceValue;
  if (workspace !== undefined && workspace === effective) return 'workspace';
  return scopes?.globalValue !== undefined && scopes.globalValue === effective ? 'user' : 'default';
}

/** A setting that names a folder on its own: /x, ~/x, C:\x, C:/x, \\server\share. Anything else is workspace-relative. */
export function isAbsoluteSetting(setting: string): boolean {
  return /^(?:\/|~(?:$|[\\/])|[a-zA-Z]:[\\/]|\\\\)/.test(setting);
}

/** `path` with `.` and `..` segments resolved, repeated and trailing slashes removed (`..` never climbs above `/`). */
export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return '/' + out.join('/');
}

/** Whether `place` is `folder` or lies under it (same scheme and authority). `ignoreCase`: Windows and macOS disks. */
export function isInside(place: Place, folder: Place, ignoreCase = false): boolean {
  if (place.scheme !== folder.scheme || place.authority.toLowerCase() !== folder.authority.toLowerCase()) return false;
  const fold = (p: string) => (ignoreCase ? normalizePath(p).toLowerCase() : normalizePath(p));
  const child = fold(place.path);
  const parent = fold(folder.path);
  return child === parent || child.startsWith(parent === '/' ? '/' : parent + '/');
}

export interface FolderQuestion {
  folder: Place;
  workspaceFolders: readonly Place[];
  source: FolderSource;
  ignoreCase?: boolean;
}

/** Write inside the workspace; outside it, refuse a workspace's choice and confirm the user's (or the default's). */
export function decideFolder(q: FolderQuestion): FolderDecision {
  if (q.workspaceFolders.some((ws) => isInside(q.folder, ws, q.ignoreCase))) return 'write';
  return q.source === 'workspace' ? 'refuse' : 'confirm';
}

/** The files one export writes for the name `base`. */
export function figureFiles(base: string): [svg: string, png: string] {
  return [`${base}.svg`, `${base}.png`];
}

/**
 * `base` when none of its files exists yet, else the first of `base-2`, `base-3`, … whose files are all free.
 * `taken` answers for a file name in the folder (compare case-insensitively there if the disk does).
 */
export function freeFigureName(base: string, taken: (fileName: string) => boolean): string {
  const free = (name: string) => figureFiles(name).every((f) => !taken(f));
  if (free(base)) return base;
  for (let n = 2; ; n++) if (free(`${base}-${n}`)) return `${base}-${n}`;
}
