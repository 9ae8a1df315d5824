// Where an exported figure may be written: inside the workspace freely; outside it refused when the workspace's own
// settings chose the folder (absolute, `..`, a symlinked-out path resolved by the caller) and confirmed when the
// user's did; an earlier export is never overwritten silently (the next free name is offered).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideFolder, figureFiles, freeFigureName, isAbsoluteSetting, isInside, normalizePath, settingSource, type Place,
} from '../../src/commands/figureDestination';

const file = (path: string): Place => ({ scheme: 'file', authority: '', path });
const ws = [file('/home/me/project')];

test('a folder inside the workspace is written without asking, whoever chose it', () => {
  for (const source of ['default', 'user', 'workspace'] as const) {
    assert.equal(decideFolder({ folder: file('/home/me/project/assets/images'), workspaceFolders: ws, source }), 'write');
    assert.equal(decideFolder({ folder: file('/home/me/project'), workspaceFolders: ws, source }), 'write');
  }
});

test("a workspace's setting pointing outside the workspace is refused", () => {
  const outside = ['/', '/etc', '/home/me/.ssh', '/home/me/project/../other', '/home/me/project-evil', '/home/me/project/a/../../x'];
  for (const path of outside) {
    assert.equal(decideFolder({ folder: file(path), workspaceFolders: ws, source: 'workspace' }), 'refuse', path);
  }
});

test("the user's own setting pointing outside is confirmed, not written silently", () => {
  assert.equal(decideFolder({ folder: file('/home/me/figures'), workspaceFolders: ws, source: 'user' }), 'confirm');
  // With no folder open everything is outside.
  assert.equal(decideFolder({ folder: file('/home/me/figures'), workspaceFolders: [], source: 'user' }), 'confirm');
  assert.equal(decideFolder({ folder: file('/home/me/figures'), workspaceFolders: [], source: 'workspace' }), 'refuse');
});

test('inside means the same scheme, authority and whole path segments', () => {
  assert.equal(isInside(file('/home/me/project/x'), file('/home/me/project/')), true);
  assert.equal(isInside(file('/home/me/projectx'), file('/home/me/project')), false);
  assert.equal(isInside({ scheme: 'vscode-remote', authority: 'ssh-remote+box', path: '/home/me/project/x' }, file('/home/me/project')), false);
  assert.equal(isInside({ scheme: 'vscode-remote', authority: 'SSH-remote+box', path: '/w/x' }, { scheme: 'vscode-remote', authority: 'ssh-remote+box', path: '/w' }), true);
  assert.equal(isInside(file('/C:/Users/Me/Project/figs'), file('/c:/users/me/project'), true), true);
  assert.equal(isInside(file('/C:/Users/Me/Project/figs'), file('/c:/users/me/project'), false), false);
  assert.equal(isInside(file('/anything'), file('/')), true);
});

test('normalizePath resolves dot segments and never climbs above the root', () => {
  assert.equal(normalizePath('/a/./b/../c//d/'), '/a/c/d');
  assert.equal(normalizePath('/../../etc'), '/etc');
  assert.equal(normalizePath('/'), '/');
});

test('absolute settings are told from workspace-relative ones on every platform', () => {
  for (const s of ['/etc', '~', '~/figs', 'C:\\figs', 'c:/figs', '\\\\server\\share']) assert.equal(isAbsoluteSetting(s), true, s);
  for (const s of ['figs', 'assets/images', '../figs', '~figs', '.\\figs']) assert.equal(isAbsoluteSetting(s), false, s);
});

test('settingSource names the scope whose value is in effect', () => {
  assert.equal(settingSource({ globalValue: '/home/me/figs' }, '/home/me/figs'), 'user');
  assert.equal(settingSource({ globalValue: '/home/me/figs', workspaceValue: '/' }, '/'), 'workspace');
  assert.equal(settingSource({ workspaceFolderValue: '../x' }, '../x'), 'workspace');
  // Restricted Mode ignores the workspace's value: the user's is in effect.
  assert.equal(settingSource({ globalValue: '/home/me/figs', workspaceValue: '/' }, '/home/me/figs'), 'user');
  // Equal values: read as the workspace's, the stricter one.
  assert.equal(settingSource({ globalValue: '/x', workspaceValue: '/x' }, '/x'), 'workspace');
  assert.equal(settingSource(undefined, ''), 'default');
});

test('an earlier export is never overwritten silently: the next free name has neither file', () => {
  assert.deepEqual(figureFiles('fig'), ['fig.svg', 'fig.png']);
  const existing = (...names: string[]) => (name: string) => names.includes(name);
  assert.equal(freeFigureName('fig', existing()), 'fig');
  assert.equal(freeFigureName('fig', existing('other.svg')), 'fig');
  assert.equal(freeFigureName('fig', existing('fig.svg')), 'fig-2');
  assert.equal(freeFigureName('fig', existing('fig.png')), 'fig-2');
  assert.equal(freeFigureName('fig', existing('fig.svg', 'fig-2.png', 'fig-3.svg')), 'fig-4');
});
