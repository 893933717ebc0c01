import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { VDomModel } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { IChangedArgs } from '@jupyterlab/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import {
  IModeShortcut,
  isUnboundTypedKey,
  keysFor,
  NotebookMode,
  shortcutsForMode
} from './bindings';
import {
  ESSENTIAL_COMMANDS,
  typedInCommandMode,
  whatHappened
} from './messages';

/** A line for the "what just happened" area; `serial` changes with every new line. */
export interface IHappening {
  text: string;
  serial: number;
}

/**
 * The mode coach's state: the current notebook's mode, the shortcuts of that mode (from the
 * live key bindings), the last explained action, and the essential shortcuts used so far.
 */
export class ModeModel extends VDomModel {
  constructor(options: ModeModel.IOptions) {
    super();
    this._commands = options.commands;
    this._tracker = options.tracker;
    this._trans = options.trans;
    this._tracker.currentChanged.connect(this._onCurrentChanged, this);
    this._commands.keyBindingChanged.connect(this._onBindingsChanged, this);
    this._commands.commandExecuted.connect(this._onCommandExecuted, this);
    this._onCurrentChanged();
  }

  /** 'command' or 'edit' for the current notebook; null when no notebook is open. */
  get mode(): NotebookMode | null {
    return this._mode;
  }

  /** The current notebook's tab label, or '' without one. */
  get notebookName(): string {
    return this._panel?.title.label ?? '';
  }

  /** The shortcuts that work in the current mode, essential ones first. */
  get shortcuts(): IModeShortcut[] {
    return this._mode
      ? shortcutsForMode(
          this._commands.keyBindings,
          this._mode,
          ESSENTIAL_COMMANDS
        )
      : [];
  }

  /** What the last explained notebook command did, or null. */
  get happened(): IHappening | null {
    return this._happened;
  }

  /** The typed-in-command-mode explanation, or null. */
  get typed(): IHappening | null {
    return this._typed;
  }

  /** Whether "what just happened" lines are shown. */
  get explain(): boolean {
    return this._explain;
  }
  set explain(value: boolean) {
    this._explain = value;
    if (!value) {
      this._happened = this._typed = null;
    }
    this.stateChanged.emit();
  }

  /** Whether the full shortcut list is shown rather than the essential ones. */
  get showAll(): boolean {
    return this._showAll;
  }
  set showAll(value: boolean) {
    this._showAll = value;
    this.stateChanged.emit();
  }

  /** Whether the progress list is shown. */
  get showProgress(): boolean {
    return this._showProgress;
  }
  set showProgress(value: boolean) {
    this._showProgress = value;
    this.stateChanged.emit();
  }

  /** Essential commands the learner has run from the keyboard. */
  get used(): ReadonlySet<string> {
    return this._used;
  }

  /** Emitted when `used` grows or is reset, for persisting it. */
  get usedChanged(): ISignal<this, void> {
    return this._usedChanged;
  }

  /** Adds commands used in an earlier session. */
  restoreUsed(ids: string[]): void {
    ids.forEach(id => this._used.add(id));
    this.stateChanged.emit();
  }

  resetUsed(): void {
    this._used.clear();
    this._usedChanged.emit();
    this.stateChanged.emit();
  }

  /** Keys for a command in command mode, formatted for this platform. */
  formatKeysFor(
    command: string,
    mode: NotebookMode = 'command'
  ): string | null {
    const keys = keysFor(this._commands.keyBindings, mode, command);
    return keys ? CommandRegistry.formatKeystroke(keys) : null;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._watch(null);
    super.dispose();
  }

  private _onCurrentChanged(): void {
    this._watch(this._tracker.currentWidget);
    this._happened = this._typed = null;
    this._update();
  }

  private _watch(panel: NotebookPanel | null): void {
    if (this._panel === panel) {
      return;
    }
    if (this._panel && !this._panel.isDisposed) {
      const old = this._panel.content;
      old.stateChanged.disconnect(this._onNotebookState, this);
      old.activeCellChanged.disconnect(this._update, this);
      old.node.removeEventListener('keydown', this._onNotebookKeydown);
      this._panel.title.changed.disconnect(this._update, this);
    }
    this._panel = panel;
    if (panel) {
      const notebook = panel.content;
      notebook.stateChanged.connect(this._onNotebookState, this);
      notebook.activeCellChanged.connect(this._update, this);
      notebook.node.addEventListener('keydown', this._onNotebookKeydown);
      panel.title.changed.connect(this._update, this);
    }
  }

  private _onNotebookState(_: unknown, args: IChangedArgs<unknown>): void {
    if (args.name === 'mode') {
      if (args.newValue === 'edit') {
        this._typed = null;
      }
      this._update();
    }
  }

  private _update(): void {
    const panel = this._panel;
    this._mode = panel && !panel.isDisposed ? panel.content.mode : null;
    this.stateChanged.emit();
  }

  private _onBindingsChanged(): void {
    this.stateChanged.emit();
  }

  private _onCommandExecuted(
    _: CommandRegistry,
    args: CommandRegistry.ICommandExecutedArgs
  ): void {
    // Shift+Enter in command mode runs 'runmenu:run', which runs the cell and selects the next.
    const id =
      args.id === 'runmenu:run' ? 'notebook:run-cell-and-select-next' : args.id;
    // lumino adds `_luminoEvent` to the arguments of a command run by a key binding.
    const event = (args.args as { _luminoEvent?: { type?: string } })
      ._luminoEvent;
    let changed = false;
    if (
      event?.type === 'keybinding' &&
      ESSENTIAL_COMMANDS.includes(id) &&
      !this._used.has(id)
    ) {
      this._used.add(id);
      this._usedChanged.emit();
      changed = true;
    }
    const text =
      this._explain && this._panel
        ? whatHappened(
            args.id,
            command => this.formatKeysFor(command),
            this._trans
          )
        : null;
    if (text) {
      this._happened = { text, serial: ++this._serial };
      changed = true;
    }
    // Every command of the application passes here: render only when something changed.
    if (changed) {
      this.stateChanged.emit();
    }
  }

  private _onNotebookKeydown = (event: KeyboardEvent): void => {
    if (!this._explain || this._mode !== 'command') {
      return;
    }
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea, [contenteditable="true"]')) {
      return;
    }
    const keystroke = CommandRegistry.keystrokeForKeydownEvent(event);
    if (isUnboundTypedKey(keystroke, this._commands.keyBindings)) {
      this._typed = {
        text: typedInCommandMode(
          command => this.formatKeysFor(command),
          this._trans
        ),
        serial: ++this._serial
      };
      this.stateChanged.emit();
    }
  };

  private _commands: CommandRegistry;
  private _tracker: INotebookTracker;
  private _trans: TranslationBundle;
  private _panel: NotebookPanel | null = null;
  private _mode: NotebookMode | null = null;
  private _happened: IHappening | null = null;
  private _typed: IHappening | null = null;
  private _serial = 0;
  private _explain = true;
  private _showAll = false;
  private _showProgress = true;
  private _used = new Set<string>();
  private _usedChanged = new Signal<this, void>(this);
}

export namespace ModeModel {
  export interface IOptions {
    commands: CommandRegistry;
    tracker: INotebookTracker;
    trans: TranslationBundle;
  }
}
