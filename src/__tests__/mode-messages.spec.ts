import { nullTranslator } from '@jupyterlab/translation';

import {
  ESSENTIAL_COMMANDS,
  shortcutLabel,
  typedInCommandMode,
  whatHappened
} from '../mode/messages';

const trans = nullTranslator.load('jupyterlab_dlcoach');
const DEFAULT_KEYS: Record<string, string> = {
  'notebook:undo-cell-action': 'Z',
  'notebook:redo-cell-action': 'Shift+Z',
  'notebook:paste-cell-below': 'V',
  'notebook:change-cell-to-code': 'Y',
  'notebook:change-cell-to-markdown': 'M',
  'notebook:enter-edit-mode': 'Enter'
};
const keyFor = (command: string) => DEFAULT_KEYS[command] ?? null;

describe('whatHappened', () => {
  it.each([
    ['notebook:delete-cell', /deleted.*Press Z/],
    ['notebook:cut-cell', /cut.*V pastes.*Press Z/],
    ['notebook:copy-cell', /copied.*press V/],
    ['notebook:paste-cell-below', /pasted.*Press Z/],
    ['notebook:change-cell-to-markdown', /Markdown.*Y makes it a code cell/],
    ['notebook:change-cell-to-code', /code cell.*M makes it a text cell/],
    ['notebook:insert-cell-above', /above.*Press Z/],
    ['notebook:insert-cell-below', /below.*Press Z/],
    ['notebook:undo-cell-action', /undid.*Shift\+Z redoes/]
  ])('%s says what happened and how to undo it', (command, expected) => {
    expect(whatHappened(command, keyFor, trans)).toMatch(expected);
  });

  it('is silent for commands it does not explain', () => {
    expect(whatHappened('notebook:run-cell', keyFor, trans)).toBeNull();
    expect(whatHappened('docmanager:save', keyFor, trans)).toBeNull();
  });

  it("uses the learner's own undo key, or the menu when there is none", () => {
    const remapped = (c: string) =>
      c === 'notebook:undo-cell-action' ? 'U' : keyFor(c);
    expect(whatHappened('notebook:delete-cell', remapped, trans)).toMatch(
      /Press U/
    );
    expect(whatHappened('notebook:delete-cell', () => null, trans)).toMatch(
      /Edit › Undo Cell Operation/
    );
  });
});

describe('typedInCommandMode', () => {
  it('points to the key that enters edit mode', () => {
    expect(typedInCommandMode(keyFor, trans)).toMatch(
      /command mode.*press Enter/
    );
    expect(typedInCommandMode(() => null, trans)).toMatch(/click into it/);
  });
});

describe('shortcutLabel', () => {
  it('has a plain label for every essential command', () => {
    for (const command of ESSENTIAL_COMMANDS) {
      expect(shortcutLabel(command, trans)).toEqual(expect.any(String));
    }
    expect(shortcutLabel('notebook:move-cursor-down', trans)).toBeNull();
  });
});
