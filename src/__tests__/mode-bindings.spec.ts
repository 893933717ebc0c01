import {
  IBindingLike,
  isUnboundTypedKey,
  keysFor,
  selectorScope,
  shortcutsForMode
} from '../mode/bindings';
import { ESSENTIAL_COMMANDS } from '../mode/messages';

// Selectors as JupyterLab 4.6 declares them.
const COMMAND = '.jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus';
const EDIT = '.jp-Notebook.jp-mod-editMode';

const DEFAULTS: IBindingLike[] = [
  {
    command: 'notebook:enter-edit-mode',
    keys: ['Enter'],
    selector: '.jp-Notebook.jp-mod-commandMode .jp-Cell:focus'
  },
  { command: 'notebook:enter-command-mode', keys: ['Escape'], selector: EDIT },
  { command: 'notebook:enter-command-mode', keys: ['Ctrl M'], selector: EDIT },
  {
    command: 'notebook:run-cell-and-select-next',
    keys: ['Shift Enter'],
    selector: EDIT
  },
  {
    command: 'runmenu:run',
    keys: ['Shift Enter'],
    selector: '[data-jp-code-runner]'
  },
  { command: 'notebook:delete-cell', keys: ['D', 'D'], selector: COMMAND },
  { command: 'notebook:insert-cell-below', keys: ['B'], selector: COMMAND },
  { command: 'notebook:undo-cell-action', keys: ['Z'], selector: COMMAND },
  { command: 'notebook:move-cursor-down', keys: ['J'], selector: COMMAND },
  {
    command: 'notebook:move-cursor-down',
    keys: ['ArrowDown'],
    selector: COMMAND
  },
  {
    command: 'notebook:split-cell-at-cursor',
    keys: ['Ctrl Shift -'],
    selector: EDIT
  },
  { command: 'notebook:run-in-console', keys: [''], selector: EDIT },
  {
    command: 'kernelmenu:interrupt',
    keys: ['I', 'I'],
    selector:
      '[data-jp-kernel-user]:not(.jp-mod-readWrite) :focus:not(:read-write)'
  },
  { command: 'docmanager:save', keys: ['Ctrl S'], selector: 'body' },
  {
    command: 'documentsearch:start',
    keys: ['Ctrl F'],
    selector: '.jp-mod-searchable'
  },
  {
    command: 'apputils:activate-command-palette',
    keys: ['Ctrl Shift C'],
    selector: 'body'
  },
  {
    command: 'filebrowser:delete',
    keys: ['Delete'],
    selector: '.jp-DirListing-content .jp-DirListing-itemText'
  },
  {
    command: 'tooltip:dismiss',
    keys: ['Escape'],
    selector: 'body.jp-mod-tooltip .jp-Notebook'
  }
];

const commandsOf = (list: { command: string }[]) => list.map(s => s.command);

describe('selectorScope', () => {
  it.each([
    [COMMAND, 'command'],
    ['.jp-Notebook.jp-mod-commandMode :focus:not(:read-only)', 'command'],
    ['.jp-Notebook:focus', 'command'],
    [EDIT, 'edit'],
    ['.cm-content', 'edit'],
    ['[data-jp-code-runner]', 'notebook'],
    ['.jp-Notebook', 'notebook'],
    ['body', 'global'],
    ['.jp-mod-searchable', 'global'],
    ['body.jp-mod-tooltip .jp-Notebook', null],
    ['.jp-ImageViewer', null],
    ['.jp-NotebookPanel-toolbar', null]
  ])('%s -> %s', (selector, scope) => {
    expect(selectorScope(selector)).toBe(scope);
  });
});

describe('shortcutsForMode', () => {
  it('lists command-mode bindings, essentials first in their order', () => {
    const list = shortcutsForMode(DEFAULTS, 'command', ESSENTIAL_COMMANDS);
    expect(commandsOf(list)).toEqual([
      'notebook:enter-edit-mode',
      'runmenu:run',
      'notebook:insert-cell-below',
      'notebook:delete-cell',
      'notebook:undo-cell-action',
      'docmanager:save',
      'documentsearch:start',
      'kernelmenu:interrupt',
      'notebook:move-cursor-down'
    ]);
    expect(list.find(s => s.command === 'notebook:delete-cell')?.keys).toEqual([
      ['D', 'D']
    ]);
    expect(
      list.find(s => s.command === 'notebook:move-cursor-down')
    ).toMatchObject({ keys: [['J'], ['ArrowDown']], essential: false });
  });

  it('lists edit-mode bindings and nothing of command mode', () => {
    const list = shortcutsForMode(DEFAULTS, 'edit', ESSENTIAL_COMMANDS);
    expect(commandsOf(list)).toEqual([
      'notebook:enter-command-mode',
      'notebook:run-cell-and-select-next',
      'runmenu:run',
      'docmanager:save',
      'documentsearch:start',
      'notebook:split-cell-at-cursor'
    ]);
    expect(list[0].keys).toEqual([['Escape'], ['Ctrl M']]);
  });

  it('drops application-wide bindings that are not essential, and empty keys', () => {
    const all = [
      ...shortcutsForMode(DEFAULTS, 'edit', ESSENTIAL_COMMANDS),
      ...shortcutsForMode(DEFAULTS, 'command', ESSENTIAL_COMMANDS)
    ];
    const ids = commandsOf(all);
    expect(ids).not.toContain('apputils:activate-command-palette');
    expect(ids).not.toContain('notebook:run-in-console');
    expect(ids).not.toContain('filebrowser:delete');
    expect(ids).not.toContain('tooltip:dismiss');
  });

  it('follows a remapped shortcut: the user binding replaces the default', () => {
    const remapped = DEFAULTS.filter(
      b => b.command !== 'notebook:insert-cell-below'
    ).concat({
      command: 'notebook:insert-cell-below',
      keys: ['N'],
      selector: '.jp-Notebook:focus'
    });
    const list = shortcutsForMode(remapped, 'command', ESSENTIAL_COMMANDS);
    expect(
      list.find(s => s.command === 'notebook:insert-cell-below')?.keys
    ).toEqual([['N']]);
    expect(keysFor(remapped, 'command', 'notebook:insert-cell-below')).toEqual([
      'N'
    ]);
    expect(keysFor(remapped, 'edit', 'notebook:insert-cell-below')).toBeNull();
  });

  it('keeps each key sequence once when two selectors bind it', () => {
    const twice = DEFAULTS.concat({
      command: 'notebook:delete-cell',
      keys: ['D', 'D'],
      selector: '.jp-Notebook:focus'
    });
    const list = shortcutsForMode(twice, 'command', ESSENTIAL_COMMANDS);
    expect(list.find(s => s.command === 'notebook:delete-cell')?.keys).toEqual([
      ['D', 'D']
    ]);
  });
});

describe('isUnboundTypedKey', () => {
  it('is true for a letter that starts no command-mode shortcut', () => {
    expect(isUnboundTypedKey('P', DEFAULTS)).toBe(true);
    expect(isUnboundTypedKey('Shift P', DEFAULTS)).toBe(true);
  });

  it('is false for shortcut keys, chords and non-letters', () => {
    expect(isUnboundTypedKey('D', DEFAULTS)).toBe(false);
    expect(isUnboundTypedKey('I', DEFAULTS)).toBe(false);
    expect(isUnboundTypedKey('B', DEFAULTS)).toBe(false);
    expect(isUnboundTypedKey('Ctrl P', DEFAULTS)).toBe(false);
    expect(isUnboundTypedKey('ArrowDown', DEFAULTS)).toBe(false);
    expect(isUnboundTypedKey('', DEFAULTS)).toBe(false);
  });
});
