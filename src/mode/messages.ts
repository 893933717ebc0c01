import { TranslationBundle } from '@jupyterlab/translation';

/**
 * Plain labels for the notebook commands a beginner meets first, and the "what just happened"
 * lines. Pure: the keys come in through `keyFor`, so a remapped shortcut shows in the text.
 */

/** Essential commands, in the order the coach lists them. */
export const ESSENTIAL_COMMANDS: ReadonlyArray<string> = [
  'notebook:enter-edit-mode',
  'notebook:enter-command-mode',
  'notebook:run-cell-and-select-next',
  'runmenu:run',
  'notebook:run-cell',
  'notebook:insert-cell-above',
  'notebook:insert-cell-below',
  'notebook:delete-cell',
  'notebook:undo-cell-action',
  'notebook:change-cell-to-code',
  'notebook:change-cell-to-markdown',
  'notebook:cut-cell',
  'notebook:copy-cell',
  'notebook:paste-cell-below',
  'docmanager:save',
  'documentsearch:start'
];

/** The coach's own label for an essential command, or null for the others. */
export function shortcutLabel(
  command: string,
  trans: TranslationBundle
): string | null {
  switch (command) {
    case 'notebook:enter-edit-mode':
      return trans.__('Edit the selected cell (edit mode)');
    case 'notebook:enter-command-mode':
      return trans.__('Stop editing (command mode)');
    case 'notebook:run-cell-and-select-next':
    case 'runmenu:run':
      return trans.__('Run the cell, go to the next one');
    case 'notebook:run-cell':
      return trans.__('Run the cell, stay on it');
    case 'notebook:insert-cell-above':
      return trans.__('New cell above');
    case 'notebook:insert-cell-below':
      return trans.__('New cell below');
    case 'notebook:delete-cell':
      return trans.__('Delete the cell');
    case 'notebook:undo-cell-action':
      return trans.__('Undo the last cell change (e.g. a delete)');
    case 'notebook:change-cell-to-code':
      return trans.__('Make it a code cell');
    case 'notebook:change-cell-to-markdown':
      return trans.__('Make it a text (Markdown) cell');
    case 'notebook:cut-cell':
      return trans.__('Cut the cell');
    case 'notebook:copy-cell':
      return trans.__('Copy the cell');
    case 'notebook:paste-cell-below':
      return trans.__('Paste a cell below');
    case 'docmanager:save':
      return trans.__('Save the notebook');
    case 'documentsearch:start':
      return trans.__('Find in the notebook');
    default:
      return null;
  }
}

/** Formats the keys bound to a command in command mode, or null when it has none. */
export type KeyLookup = (command: string) => string | null;

/**
 * A short line on what a command just did to the notebook and how to take it back, or null when
 * the command is not one the coach explains.
 */
export function whatHappened(
  command: string,
  keyFor: KeyLookup,
  trans: TranslationBundle
): string | null {
  const undo = keyFor('notebook:undo-cell-action');
  const undoHint = undo
    ? trans.__('Press %1 (in command mode) to undo it.', undo)
    : trans.__('Use Edit › Undo Cell Operation to undo it.');
  switch (command) {
    case 'notebook:delete-cell':
      return `${trans.__('You deleted the selected cell.')} ${undoHint}`;
    case 'notebook:cut-cell': {
      const paste = keyFor('notebook:paste-cell-below');
      const pasteHint = paste
        ? trans.__('%1 pastes it below another cell.', paste)
        : '';
      return [
        trans.__(
          'You cut the cell: it is gone from the notebook and kept to paste.'
        ),
        pasteHint,
        undoHint
      ]
        .filter(Boolean)
        .join(' ');
    }
    case 'notebook:copy-cell': {
      const paste = keyFor('notebook:paste-cell-below');
      return paste
        ? trans.__(
            'You copied the cell. Select another cell and press %1 to paste the copy below it.',
            paste
          )
        : trans.__('You copied the cell. Nothing in the notebook changed.');
    }
    case 'notebook:paste-cell-below':
    case 'notebook:paste-cell-above':
      return `${trans.__('You pasted the copied cell.')} ${undoHint}`;
    case 'notebook:change-cell-to-markdown': {
      const code = keyFor('notebook:change-cell-to-code');
      return [
        trans.__(
          'The cell is now a Markdown (text) cell: running it shows formatted text instead of running code.'
        ),
        code ? trans.__('%1 makes it a code cell again.', code) : ''
      ]
        .filter(Boolean)
        .join(' ');
    }
    case 'notebook:change-cell-to-code': {
      const markdown = keyFor('notebook:change-cell-to-markdown');
      return [
        trans.__('The cell is now a code cell: running it runs Python.'),
        markdown ? trans.__('%1 makes it a text cell again.', markdown) : ''
      ]
        .filter(Boolean)
        .join(' ');
    }
    case 'notebook:insert-cell-above':
      return `${trans.__('You added an empty cell above.')} ${undoHint}`;
    case 'notebook:insert-cell-below':
      return `${trans.__('You added an empty cell below.')} ${undoHint}`;
    case 'notebook:undo-cell-action': {
      const redo = keyFor('notebook:redo-cell-action');
      return [
        trans.__('You undid the last change to the cells.'),
        redo ? trans.__('%1 redoes it.', redo) : ''
      ]
        .filter(Boolean)
        .join(' ');
    }
    default:
      return null;
  }
}

/** What to say after letters were typed in command mode, where they are not text. */
export function typedInCommandMode(
  keyFor: KeyLookup,
  trans: TranslationBundle
): string {
  const enter = keyFor('notebook:enter-edit-mode');
  return enter
    ? trans.__(
        'You typed letters in command mode, so they went nowhere (or ran a shortcut). To type into the cell, press %1 or click into it first.',
        enter
      )
    : trans.__(
        'You typed letters in command mode, so they went nowhere (or ran a shortcut). To type into the cell, click into it first.'
      );
}
