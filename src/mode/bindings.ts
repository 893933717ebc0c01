/**
 * Which key bindings apply in which notebook mode. Pure functions over plain binding records, so
 * that they can be tested without an application.
 */

/** The two notebook modes. */
export type NotebookMode = 'command' | 'edit';

/** The part of a key binding the coach needs (a lumino `IKeyBinding` fits). */
export interface IBindingLike {
  command: string;
  keys: ReadonlyArray<string>;
  selector: string;
}

/**
 * Where a selector applies: one mode, both modes of a notebook, everywhere ('global'), or
 * somewhere that is not a notebook (null).
 */
export type SelectorScope = NotebookMode | 'notebook' | 'global' | null;

/** Bindings that only apply while a transient popup is open are not worth teaching. */
const TRANSIENT = /jp-mod-tooltip|-active\b/;
const EDIT = /jp-mod-editMode|^\.cm-content\b/;
const COMMAND =
  /jp-mod-commandMode|\.jp-Notebook:focus|^\[data-jp-kernel-user\]/;
const NOTEBOOK = /^\.jp-Notebook(?![\w-])|^\[data-jp-code-runner\]$/;
const GLOBAL = /^(body|\.jp-mod-searchable)$/;

export function selectorScope(selector: string): SelectorScope {
  const s = selector.trim();
  if (TRANSIENT.test(s)) {
    return null;
  }
  if (EDIT.test(s)) {
    return 'edit';
  }
  if (COMMAND.test(s)) {
    return 'command';
  }
  if (NOTEBOOK.test(s)) {
    return 'notebook';
  }
  if (GLOBAL.test(s)) {
    return 'global';
  }
  return null;
}

/** One command and every key sequence that runs it in a mode. */
export interface IModeShortcut {
  command: string;
  /** Key sequences, each a list of keystrokes (e.g. ['D', 'D']). */
  keys: string[][];
  essential: boolean;
}

/**
 * The shortcuts that work in `mode`, essential commands first (in the order of `essential`),
 * then the rest by command id. Commands whose selector applies everywhere are kept only when
 * essential (save, find), or the list would fill with application-wide shortcuts.
 */
export function shortcutsForMode(
  bindings: ReadonlyArray<IBindingLike>,
  mode: NotebookMode,
  essential: ReadonlyArray<string>
): IModeShortcut[] {
  const byCommand = new Map<string, IModeShortcut>();
  for (const binding of bindings) {
    if (binding.keys.length === 0 || binding.keys.some(k => !k)) {
      continue;
    }
    const scope = selectorScope(binding.selector);
    const isEssential = essential.includes(binding.command);
    const applies =
      scope === mode ||
      scope === 'notebook' ||
      (scope === 'global' && isEssential);
    if (!applies) {
      continue;
    }
    let entry = byCommand.get(binding.command);
    if (!entry) {
      entry = { command: binding.command, keys: [], essential: isEssential };
      byCommand.set(binding.command, entry);
    }
    const sequence = [...binding.keys];
    if (!entry.keys.some(k => k.join('\n') === sequence.join('\n'))) {
      entry.keys.push(sequence);
    }
  }
  const rank = (s: IModeShortcut) =>
    s.essential ? essential.indexOf(s.command) : essential.length;
  return [...byCommand.values()].sort(
    (a, b) => rank(a) - rank(b) || a.command.localeCompare(b.command)
  );
}

/** The first key sequence bound to `command` in `mode`, or null. */
export function keysFor(
  bindings: ReadonlyArray<IBindingLike>,
  mode: NotebookMode,
  command: string
): string[] | null {
  const found = shortcutsForMode(
    bindings.filter(b => b.command === command),
    mode,
    [command]
  );
  return found.length ? found[0].keys[0] : null;
}

/**
 * Whether a keystroke typed in command mode does nothing: it starts no command-mode binding.
 * `keystroke` and the bindings' keys must be normalized the same way (lumino's
 * `CommandRegistry.keystrokeForKeydownEvent` and `normalizeKeys` do).
 */
export function isUnboundTypedKey(
  keystroke: string,
  bindings: ReadonlyArray<IBindingLike>
): boolean {
  if (!/^(Shift )?[A-Z0-9]$/.test(keystroke)) {
    return false;
  }
  return !bindings.some(b => {
    const scope = selectorScope(b.selector);
    return (
      (scope === 'command' || scope === 'notebook') && b.keys[0] === keystroke
    );
  });
}
