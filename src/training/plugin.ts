import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IThemeManager } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';

import { CoachAPI } from '../api';
import { findTerm } from '../glossary/terms';
import { ICoachPanel, IGlossary } from '../tokens';
import { setupRunOutputs } from '../runview/output';
import { registerModelCommands } from '../runview/modelCommands';
import { setupRunViews } from '../runview/plugin';
import { TrainingFormView } from './form';
import { RunListView, WarningsView } from './runList';
import { RunsModel } from './runs';
import { addCoachSection, coachTranslations } from '../section';

const SETTINGS_ID = 'jupyterlab-dlcoach:plugin';

/**
 * The Training section: start a fastai fine-tuning job, follow every run live (server jobs and notebook
 * runs), read the coach's warnings, and open a run's view with its chart in the main area.
 */
export const trainingPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-dlcoach:training',
  description:
    'Start fastai fine-tuning jobs and follow their loss curves live.',
  autoStart: true,
  requires: [ICoachPanel],
  optional: [
    ITranslator,
    IThemeManager,
    ISettingRegistry,
    IGlossary,
    ILayoutRestorer,
    INotebookTracker,
    IRenderMimeRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    panel: ICoachPanel,
    translator: ITranslator | null,
    themes: IThemeManager | null,
    settingRegistry: ISettingRegistry | null,
    glossary: IGlossary | null,
    restorer: ILayoutRestorer | null,
    notebooks: INotebookTracker | null,
    rendermime: IRenderMimeRegistry | null
  ) => {
    const trans = coachTranslations(translator);
    const api = new CoachAPI(app.serviceManager.serverSettings);
    const runs = new RunsModel(api);
    const isTerm = (term: string) =>
      glossary !== null && findTerm(glossary.terms, term) !== null;
    const props = { api, runs, trans, commands: app.commands, isTerm };

    const section = addCoachSection({
      panel,
      name: 'training',
      label: trans.__('Training'),
      rank: 300,
      weight: 4.5,
      settingRegistry,
      pluginId: SETTINGS_ID,
      showSetting: 'showTraining'
    });
    section.addWidget(new TrainingFormView(props));
    section.addWidget(new RunListView(props));
    section.addWidget(new WarningsView(props));

    // The chart lives in the run view (main area); the sidebar keeps the list and the warnings.
    setupRunViews({
      app,
      api,
      runs,
      trans,
      isTerm,
      restorer,
      notebooks,
      themes,
      glossary
    });
    // The same view as the output of a notebook cell that trains with CoachCallback.
    if (rendermime) {
      setupRunOutputs(rendermime, themes, props);
    }
    registerModelCommands({
      app,
      api,
      runs,
      trans,
      revealForm: () => panel.revealSection(section)
    });
  }
};
