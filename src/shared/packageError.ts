// Errors about one file of a model package. The message is user-facing: it starts with the file and says what is
// wrong with it, and never quotes the file's contents (a bad path could otherwise echo a file from outside the package).

export class PackageError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'PackageError';
  }
}

/** A manifest.json field that is missing or wrong; `field` is its dotted path, e.g. `special.eos`. */
export class ManifestError extends PackageError {
  constructor(file: string, readonly field: string, problem: string) {
    super(file, `"${field}" ${problem}`);
    this.name = 'ManifestError';
  }
}

/** How errors name a package file: the package location (a folder path or a URI) joined with the file name. */
export function packageFileLabel(location: string, name: string): string {
  const windowsPath = location.includes('\\') && !location.includes('/');
  return location.replace(/[\\/]+$/, '') + (windowsPath ? '\\' : '/') + name;
}

/**
 * A file name the manifest may use: a plain name inside the package folder. No separators, no `.`/`..`, no drive
 * letters or stream names (`:`), no control characters, so no manifest can make the engine read outside its folder.
 */
export function isPlainFileName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 255 && name !== '.' && name !== '..'
    && !/[/\\:\u0000-\u001f\u007f]/.test(name);
}
