// A small stand-in for the `vscode` module, enough for the host-layer unit tests (EngineClient, TranslationService):
// Uri, l10n, EventEmitter, Disposable, settings, progress notifications and messages, and a webview whose script
// can be replaced (a reload). Installed by ./installVscode.ts before the code under test is loaded.
import { posix } from 'node:path';
import { readFileSync } from 'node:fs';

export class Uri {
  private constructor(readonly scheme: string, readonly authority: string, readonly path: string) {}

  static file(path: string): Uri {
    return new Uri('file', '', posix.normalize(path));
  }

  static parse(value: string): Uri {
    const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(.*)$/i.exec(value);
    if (!m) throw new Error(`not a URI: ${value}`);
    return new Uri(m[1], m[2], decodeURIComponent(m[3] || '/'));
  }

  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, base.authority, posix.join(base.path, ...parts));
  }

  get fsPath(): string {
    return this.path;
  }

  with(change: { scheme?: string; authority?: string; path?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path);
  }

  toString(): string {
    return `${this.scheme}://${this.authority}${encodeURI(this.path)}`;
  }
}

/** vscode.l10n.t: the English string with {0}, {1} filled. */
export const l10n = {
  t(message: string, ...args: unknown[]): string {
    return message.replace(/\{(\d+)\}/g, (m, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : m));
  },
};

export class Disposable {
  constructor(private readonly onDispose: () => void = () => undefined) {}
  static from(...items: { dispose(): void }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.onDispose();
  }
}

export class EventEmitter<T> {
  private readonly listeners = new Set<(e: T) => void>();
  readonly event = (listener: (e: T) => void): Disposable => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export enum ProgressLocation { SourceControl = 1, Window = 10, Notification = 15 }
export enum ViewColumn { Active = -1, Beside = -2, One = 1, Two = 2 }

export const env = {
  language: 'en',
  /** vscode.env.asExternalUri: as desktop VS Code maps a loopback address (unchanged); a test may map it as code-server does. */
  externalUri: (uri: Uri): Uri => uri,
  async asExternalUri(uri: Uri): Promise<Uri> {
    return this.externalUri(uri);
  },
};

/** Commands the code under test ran (setContext and the like), in order. */
export const commands = {
  executed: [] as { command: string; args: unknown[] }[],
  async executeCommand(command: string, ...args: unknown[]): Promise<undefined> {
    this.executed.push({ command, args });
    return undefined;
  },
};

/** What the code under test showed: messages and progress reports, for the tests to read. */
export const shown = {
  warnings: [] as string[],
  errors: [] as string[],
  infos: [] as string[],
  progress: [] as { message?: string; increment?: number }[],
  /** The titles of the progress notifications shown, in order. */
  progressTitles: [] as string[],
  /** Lines written to output channels (the timing log). */
  logged: [] as string[],
  /** The cancel button of the progress notification now running (undefined when none runs). */
  cancel: undefined as (() => void) | undefined,
  reset(): void {
    this.warnings.length = 0;
    this.errors.length = 0;
    this.infos.length = 0;
    this.progress.length = 0;
    this.progressTitles.length = 0;
    this.logged.length = 0;
    this.cancel = undefined;
  },
};

/** The settings `workspace.getConfiguration(section).get(key)` reads ("section.key" -> value). */
export const settings = new Map<string, unknown>();

export const workspace = {
  getConfiguration(section: string) {
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const k = `${section}.${key}`;
        return settings.has(k) ? (settings.get(k) as T) : fallback;
      },
      inspect<T>(key: string): { globalValue?: T } | undefined {
        const k = `${section}.${key}`;
        return settings.has(k) ? { globalValue: settings.get(k) as T } : {};
      },
    };
  },
  workspaceFolders: undefined as { uri: Uri }[] | undefined,
  /** Reads from the real disk; `reads` lists the paths read (tests count them). */
  fs: {
    reads: [] as string[],
    async readFile(uri: Uri): Promise<Uint8Array> {
      workspace.fs.reads.push(uri.fsPath);
      return new Uint8Array(readFileSync(uri.fsPath));
    },
  },
};

/** A webview panel around a FakeWebview; `window.onCreatePanel` sees each one created. */
export class FakeWebviewPanel {
  readonly webview: FakeWebview;
  iconPath?: Uri;
  private readonly disposeListeners: (() => void)[] = [];
  disposed = false;
  constructor(readonly viewType: string, options: { localResourceRoots?: readonly Uri[] }) {
    this.webview = new FakeWebview(options);
  }
  reveal(): void {}
  onDidDispose(listener: () => void): Disposable {
    this.disposeListeners.push(listener);
    return new Disposable();
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of this.disposeListeners) l();
  }
}

export const window = {
  onCreatePanel: (_panel: FakeWebviewPanel) => undefined as void,
  createWebviewPanel(viewType: string, _title: string, _show: unknown, options: { localResourceRoots?: readonly Uri[] }): FakeWebviewPanel {
    const panel = new FakeWebviewPanel(viewType, options);
    this.onCreatePanel(panel);
    return panel;
  },
  createOutputChannel(_name: string) {
    const write = (line: string) => void shown.logged.push(line);
    return { info: write, warn: write, error: write, appendLine: write, dispose: () => undefined };
  },
  async showWarningMessage(message: string): Promise<undefined> {
    shown.warnings.push(message);
    return undefined;
  },
  async showErrorMessage(message: string): Promise<undefined> {
    shown.errors.push(message);
    return undefined;
  },
  async showInformationMessage(message: string): Promise<undefined> {
    shown.infos.push(message);
    return undefined;
  },
  async withProgress<R>(options: { title?: string; cancellable?: boolean },
    task: (progress: { report(v: { message?: string; increment?: number }): void }, token: CancellationToken) => Promise<R>): Promise<R> {
    shown.progressTitles.push(options.title ?? '');
    const token = new CancellationToken();
    shown.cancel = () => token.cancel();
    try {
      return await task({ report: (v) => shown.progress.push(v) }, token);
    } finally {
      shown.cancel = undefined;
    }
  },
};

export class CancellationTokenSource {
  readonly token = new CancellationToken();
  cancel(): void {
    if (!this.token.isCancellationRequested) this.token.cancel();
  }
  dispose(): void {}
}

export class CancellationToken {
  isCancellationRequested = false;
  private readonly listeners: (() => void)[] = [];
  onCancellationRequested(listener: () => void): Disposable {
    this.listeners.push(listener);
    return new Disposable();
  }
  cancel(): void {
    this.isCancellationRequested = true;
    for (const l of this.listeners) l();
  }
}

/**
 * A webview: `asWebviewUri` maps file URIs to `https://webview.test/...`; setting `options` to other roots reloads
 * it (VS Code does), which calls `onReload` so a test can start a new script. Messages go to `toScript`.
 */
export class FakeWebview {
  constructor(private optionsValue: { enableScripts?: boolean; localResourceRoots?: readonly Uri[] } = {}) {}

  private readonly receivers = new Set<(m: unknown) => void>();
  readonly cspSource = 'https://webview.test';
  toScript: (m: unknown) => void = () => undefined;
  onReload: () => void = () => undefined;
  reloads = 0;
  html = '';

  get options() {
    return this.optionsValue;
  }

  set options(value: { enableScripts?: boolean; localResourceRoots?: readonly Uri[] }) {
    const roots = (o: typeof value) => (o.localResourceRoots ?? []).map(String).join('|');
    const changed = roots(value) !== roots(this.optionsValue);
    this.optionsValue = value;
    if (changed) {
      this.reloads++;
      queueMicrotask(() => this.onReload());
    }
  }

  asWebviewUri(uri: Uri): Uri {
    return Uri.parse(`https://webview.test${uri.path}`);
  }

  async postMessage(m: unknown): Promise<boolean> {
    const copy = JSON.parse(JSON.stringify(m)) as unknown;
    queueMicrotask(() => this.toScript(copy));
    return true;
  }

  onDidReceiveMessage(listener: (m: unknown) => void): Disposable {
    this.receivers.add(listener);
    return new Disposable(() => this.receivers.delete(listener));
  }

  /** The script posts `m` to the host. */
  fromScript(m: unknown): void {
    const copy = JSON.parse(JSON.stringify(m)) as unknown;
    queueMicrotask(() => { for (const r of this.receivers) r(copy); });
  }
}
