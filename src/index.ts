import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon, ToolbarButton } from '@jupyterlab/ui-components';

import { CoachAPI } from './api';
import { glossaryPlugin } from './glossary/plugin';
import { modePlugin } from './mode/plugin';
import { CoachPanel } from './panel';
import { SystemModel } from './system/model';
import { SystemView } from './system/view';
import { trainingPlugin } from './training/plugin';
import { CommandIDs, ICoachPanel } from './tokens';
import { addCoachSection, coachTranslations } from './section';

const PLUGIN_ID = 'jupyterlab-dlcoach:plugin';

/**
 * The side panel and its "open" command.
 */
const panelPlugin: JupyterFrontEndPlugin<ICoachPanel> = {
  id: PLUGIN_ID,
  description: 'The DL Coach side panel.',
  autoStart: true,
  provides: ICoachPanel,
  optional: [ITranslator, ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): ICoachPanel => {
    translator = translator ?? nullTranslator;
    const trans = coachTranslations(translator);
    const panel = new CoachPanel({
      translator,
      reveal: () => app.shell.activateById(panel.id)
    });
    app.shell.add(panel, 'left', { rank: 850 });
    restorer?.add(panel, 'jupyterlab-dlcoach');

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('DL Coach: Open panel'),
      caption: trans.__('Show the DL Coach side panel'),
      describedBy: { args: { type: 'object', properties: {} } },
      execute: () => panel.reveal()
    });
    palette?.addItem({
      command: CommandIDs.openPanel,
      category: trans.__('DL Coach')
    });
    return panel;
  }
};

/**
 * The System section: what training will run on.
 */
const systemPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-dlcoach:system',
  description: 'Shows the device and library versions the coach trains with.',
  autoStart: true,
  requires: [ICoachPanel],
  optional: [ITranslator, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    panel: ICoachPanel,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null
  ) => {
    const trans = coachTranslations(translator);
    const model = new SystemModel(
      new CoachAPI(app.serviceManager.serverSettings)
    );
    const section = addCoachSection({
      panel,
      name: 'system',
      label: trans.__('System'),
      rank: 900,
      weight: 1,
      settingRegistry,
      pluginId: PLUGIN_ID,
      showSetting: 'showSystem'
    });
    section.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: trans.__('Ask the server again'),
        onClick: () => void app.commands.execute(CommandIDs.refreshSystem)
      })
    );
    section.addWidget(new SystemView(model, trans));

    app.commands.addCommand(CommandIDs.refreshSystem, {
      label: trans.__('DL Coach: Refresh system information'),
      describedBy: { args: { type: 'object', properties: {} } },
      execute: () => model.refresh()
    });
    void model.refresh();
  }
};

export default [
  panelPlugin,
  systemPlugin,
  modePlugin,
  glossaryPlugin,
  trainingPlugin
];
