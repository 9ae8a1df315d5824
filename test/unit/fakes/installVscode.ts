// Makes `require('vscode')` return ./vscode.ts's stand-in. Import this first in a test file: the bundle then runs
// it before any module that imports vscode.
import Module from 'node:module';
import * as fake from './vscode';

const loader = Module as unknown as {
  _resolveFilename(request: string, ...rest: unknown[]): string;
};
const resolve = loader._resolveFilename;
const FAKE_ID = '/fake/vscode';
loader._resolveFilename = function (request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? FAKE_ID : resolve.call(this, request, ...rest);
};
require.cache[FAKE_ID] = { id: FAKE_ID, filename: FAKE_ID, loaded: true, exports: fake } as unknown as NodeJS.Module;
