import { TranslationBundle } from '@jupyterlab/translation';
import {
  editIcon,
  keyboardIcon,
  LabIcon,
  notebookIcon,
  VDomRenderer
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { IModeShortcut, NotebookMode } from './bindings';
import { ESSENTIAL_COMMANDS, shortcutLabel } from './messages';
import { ModeModel } from './model';

/** Renders one key sequence as <kbd> keys, e.g. D then D. */
function Keys(props: { keys: string[] }): React.ReactElement {
  return (
    <span className="jp-DLCoach-keys">
      {props.keys.map((stroke, i) => (
        <kbd key={i}>{CommandRegistry.formatKeystroke(stroke)}</kbd>
      ))}
    </span>
  );
}

/**
 * The Mode coach section: a badge with the current notebook mode, what the mode is for, how to
 * leave it, the shortcuts of the mode, and what the last notebook command did.
 */
export class ModeView extends VDomRenderer<ModeModel> {
  constructor(
    model: ModeModel,
    trans: TranslationBundle,
    commands: CommandRegistry
  ) {
    super(model);
    this._trans = trans;
    this._commands = commands;
    this.addClass('jp-DLCoach-mode');
  }

  protected render(): React.ReactElement {
    const { mode } = this.model;
    return (
      <div className="jp-DLCoach-modeBody">
        {this._badge(mode)}
        {!mode && (
          <p className="jp-DLCoach-muted">
            {this._trans.__(
              'Open a notebook, or create one with File › New › Notebook: this section then shows its mode and the shortcuts you can use.'
            )}
          </p>
        )}
        {mode && this._happenings()}
        {mode && this._purpose(mode)}
        {/* The shortcuts come before the longer explanation, so that a sidebar section of a few hundred
            pixels shows them (their first rows say how to switch modes and run a cell). */}
        {mode && this._shortcutList(mode)}
        {mode && this._explanation(mode)}
        {this._progress()}
      </div>
    );
  }

  private _badge(mode: NotebookMode | null): React.ReactElement {
    const trans = this._trans;
    let icon: LabIcon = notebookIcon;
    let text = trans.__('No notebook open');
    if (mode === 'edit') {
      icon = editIcon;
      text = trans.__('Edit mode');
    } else if (mode === 'command') {
      icon = keyboardIcon;
      text = trans.__('Command mode');
    }
    return (
      <div
        className="jp-DLCoach-modeBadge"
        data-mode={mode ?? 'none'}
        role="status"
        aria-live="polite"
        aria-atomic="true"
      >
        <icon.react
          className="jp-DLCoach-modeIcon"
          tag="span"
          width="24px"
          height="24px"
        />
        <span className="jp-DLCoach-modeText">{text}</span>
        {mode && (
          <span className="jp-DLCoach-modeNotebook">
            {this.model.notebookName}
          </span>
        )}
      </div>
    );
  }

  private _purpose(mode: NotebookMode): React.ReactElement {
    const trans = this._trans;
    return (
      <div className="jp-DLCoach-modeExplain">
        <p className="jp-DLCoach-modePurpose">
          {mode === 'edit'
            ? trans.__(
                'You are typing inside one cell: keys insert text into it, as in any editor.'
              )
            : trans.__(
                'You are working on the notebook as a whole: single keys are shortcuts that add, delete, move, copy or change whole cells. They do not type text.'
              )}
        </p>
      </div>
    );
  }

  private _explanation(mode: NotebookMode): React.ReactElement {
    const trans = this._trans;
    const key = (command: string, in_: NotebookMode) =>
      this.model.formatKeysFor(command, in_) ?? trans.__('(no shortcut)');
    const run =
      this.model.formatKeysFor('notebook:run-cell-and-select-next', 'edit') ??
      this.model.formatKeysFor('runmenu:run', mode) ??
      trans.__('(no shortcut)');
    return (
      <div className="jp-DLCoach-modeExplain">
        <p className="jp-DLCoach-modeSwitch">
          {mode === 'edit'
            ? trans.__(
                'Press %1 to leave the cell and go back to command mode.',
                key('notebook:enter-command-mode', 'edit')
              )
            : trans.__(
                'Press %1 (or click into a cell) to start typing in the selected cell: that is edit mode.',
                key('notebook:enter-edit-mode', 'command')
              )}
        </p>
        <p className="jp-DLCoach-modeRun">
          {trans.__(
            '%1 runs the cell and selects the next one, leaving you in command mode. On the last cell it adds a new cell below and leaves you in edit mode there.',
            run
          )}
        </p>
      </div>
    );
  }

  private _happenings(): React.ReactElement {
    const { happened, typed } = this.model;
    return (
      <div
        className="jp-DLCoach-happened"
        aria-live="polite"
        aria-label={this._trans.__('What just happened')}
      >
        {typed && (
          <p key={`typed-${typed.serial}`} className="jp-DLCoach-typedHint">
            {typed.text}
          </p>
        )}
        {happened && (
          <p
            key={`happened-${happened.serial}`}
            className="jp-DLCoach-happenedHint"
          >
            {happened.text}
          </p>
        )}
      </div>
    );
  }

  private _shortcutList(mode: NotebookMode): React.ReactElement {
    const trans = this._trans;
    // Shift+Enter is bound twice in edit mode (notebook and code-runner selectors): list it once.
    const all = this.model.shortcuts.filter(
      (s, _, list) =>
        s.command !== 'runmenu:run' ||
        !list.some(o => o.command === 'notebook:run-cell-and-select-next')
    );
    const showAll = this.model.showAll;
    const shown = showAll ? all : all.filter(s => s.essential);
    const title =
      mode === 'edit'
        ? trans.__('Shortcuts in edit mode')
        : trans.__('Shortcuts in command mode');
    return (
      <div className="jp-DLCoach-shortcuts" data-mode={mode}>
        <h3 className="jp-DLCoach-heading">{title}</h3>
        <table className="jp-DLCoach-shortcutTable">
          <tbody>{shown.map(s => this._shortcutRow(s))}</tbody>
        </table>
        {all.length > shown.length || showAll ? (
          <button
            className="jp-DLCoach-linkButton jp-DLCoach-showAll"
            aria-expanded={showAll}
            onClick={() => {
              this.model.showAll = !showAll;
            }}
          >
            {showAll
              ? trans.__('Show the essential ones only')
              : trans._n(
                  'Show all (%1 more)',
                  'Show all (%1 more)',
                  all.length - shown.length
                )}
          </button>
        ) : null}
      </div>
    );
  }

  private _shortcutRow(s: IModeShortcut): React.ReactElement {
    const label =
      shortcutLabel(s.command, this._trans) ?? this._label(s.command);
    return (
      <tr
        key={s.command}
        data-command={s.command}
        className={s.essential ? 'jp-DLCoach-essential' : undefined}
      >
        <td className="jp-DLCoach-shortcutKeys">
          {s.keys.map((keys, i) => (
            <Keys key={i} keys={keys} />
          ))}
        </td>
        <td className="jp-DLCoach-shortcutLabel">{label}</td>
      </tr>
    );
  }

  /** JupyterLab's own label for a command, or its id when it has none. */
  private _label(command: string): string {
    try {
      return (
        (this._commands.hasCommand(command) && this._commands.label(command)) ||
        command
      );
    } catch {
      // Some labels need arguments that a shortcut list cannot give.
      return command;
    }
  }

  private _progress(): React.ReactElement | null {
    if (!this.model.showProgress) {
      return null;
    }
    const trans = this._trans;
    const essentials = ESSENTIAL_COMMANDS.filter(
      id => id !== 'runmenu:run' && shortcutLabel(id, trans)
    );
    const used = essentials.filter(id => this.model.used.has(id));
    return (
      <details className="jp-DLCoach-progress">
        <summary>
          {trans.__(
            'Essential shortcuts used: %1 of %2',
            used.length,
            essentials.length
          )}
        </summary>
        <ul>
          {essentials.map(id => (
            <li
              key={id}
              data-command={id}
              data-used={this.model.used.has(id) ? 'true' : 'false'}
            >
              <span aria-hidden="true">
                {this.model.used.has(id) ? '✓' : '○'}
              </span>{' '}
              <span className="jp-DLCoach-srOnly">
                {this.model.used.has(id)
                  ? trans.__('used')
                  : trans.__('not yet')}
              </span>
              {shortcutLabel(id, trans)}
            </li>
          ))}
        </ul>
      </details>
    );
  }

  private _trans: TranslationBundle;
  private _commands: CommandRegistry;
}
