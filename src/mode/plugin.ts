import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator } from '@jupyterlab/translation';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { CommandIDs, ICoachPanel } from '../tokens';
import { ModeModel } from './model';
import { ModeView } from './view';
import { addCoachSection, coachTranslations } from '../section';

const PLUGIN_ID = 'jupyterlab-dlcoach:mode';
const STATE_KEY = 'jupyterlab-dlcoach:mode-progress';
const NO_ARGS = { args: { type: 'object', properties: {} } } as const;

/**
 * The Mode coach section: the current notebook mode, its shortcuts, and what just happened.
 */
export const modePlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Shows the notebook mode, the shortcuts of that mode, and explains cell commands.',
  autoStart: true,
  requires: [ICoachPanel, INotebookTracker],
  optional: [ITranslator, ISettingRegistry, IStateDB, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    panel: ICoachPanel,
    tracker: INotebookTracker,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null,
    state: IStateDB | null,
    palette: ICommandPalette | null
  ) => {
    const trans = coachTranslations(translator);
    const model = new ModeModel({ commands: app.commands, tracker, trans });

    const section = addCoachSection({
      panel,
      name: 'mode',
      label: trans.__('Mode coach'),
      rank: 100,
      weight: 5,
      settingRegistry,
      pluginId: PLUGIN_ID,
      showSetting: 'showSection',
      apply: settings => {
        model.showAll = settings.get('hints').composite === 'all';
        model.explain = settings.get('explainActions').composite as boolean;
        model.showProgress = settings.get('showProgress').composite as boolean;
      }
    });
    section.addWidget(new ModeView(model, trans, app.commands));

    app.commands.addCommand(CommandIDs.toggleAllShortcuts, {
      label: trans.__('DL Coach: Show all shortcuts of the notebook mode'),
      caption: trans.__(
        'List every shortcut of the current mode, not only the essential ones'
      ),
      isToggled: () => model.showAll,
      describedBy: NO_ARGS,
      execute: () => {
        model.showAll = !model.showAll;
      }
    });
    app.commands.addCommand(CommandIDs.resetShortcutProgress, {
      label: trans.__('DL Coach: Reset shortcut progress'),
      caption: trans.__('Forget which essential shortcuts you have used'),
      describedBy: NO_ARGS,
      execute: () => model.resetUsed()
    });
    for (const command of [
      CommandIDs.toggleAllShortcuts,
      CommandIDs.resetShortcutProgress
    ]) {
      palette?.addItem({ command, category: trans.__('DL Coach') });
    }

    if (state) {
      // The state database answers only once the workspace is restored: never wait for it here.
      void app.restored
        .then(() => state.fetch(STATE_KEY))
        .then(saved => {
          const used = (saved as ReadonlyPartialJSONObject | undefined)?.used;
          if (Array.isArray(used)) {
            model.restoreUsed(
              used.filter((id): id is string => typeof id === 'string')
            );
          }
          model.usedChanged.connect(() => {
            void state.save(STATE_KEY, { used: [...model.used] });
          });
        })
        .catch(reason => {
          console.warn(
            'DL Coach: could not restore shortcut progress.',
            reason
          );
        });
    }
  }
};
