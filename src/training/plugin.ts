import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IThemeManager } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { PanelWithToolbar } from '@jupyterlab/ui-components';

import { CoachAPI } from '../api';
import { findTerm } from '../glossary/terms';
import { ICoachPanel, IGlossary } from '../tokens';
import { LossChart } from './chart';
import { chartData } from './chartData';
import { TrainingFormView } from './form';
import { RunListView, WarningsView } from './runList';
import { RunsModel } from './runs';
import { followSettings } from '../settings';

const SETTINGS_ID = 'jupyterlab-dlcoach:plugin';

/**
 * The Training section: start a fastai fine-tuning job, follow every run live (server jobs and notebook
 * runs), and read the coach's warnings about the curves.
 */
export const trainingPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-dlcoach:training',
  description:
    'Start fastai fine-tuning jobs and follow their loss curves live.',
  autoStart: true,
  requires: [ICoachPanel],
  optional: [ITranslator, IThemeManager, ISettingRegistry, IGlossary],
  activate: (
    app: JupyterFrontEnd,
    panel: ICoachPanel,
    translator: ITranslator | null,
    themes: IThemeManager | null,
    settingRegistry: ISettingRegistry | null,
    glossary: IGlossary | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_dlcoach');
    const api = new CoachAPI(app.serviceManager.serverSettings);
    const runs = new RunsModel(api);
    const isTerm = (term: string) =>
      glossary !== null && findTerm(glossary.terms, term) !== null;
    const props = { api, runs, trans, commands: app.commands, isTerm };

    const section = new PanelWithToolbar();
    section.id = 'jp-DLCoach-trainingSection';
    section.title.label = trans.__('Training');
    const chart = new LossChart(trans);
    chart.setHidden(true);
    section.addWidget(new TrainingFormView(props));
    section.addWidget(new RunListView(props));
    section.addWidget(chart);
    section.addWidget(new WarningsView(props));
    panel.addSection(section, 300);

    runs.changed.connect(() => {
      const selected = runs.selected;
      const events = runs.events;
      chart.setHidden(!selected || events.length === 0);
      chart.data = selected
        ? chartData(events, selected.progress?.batches)
        : null;
    });
    themes?.themeChanged.connect(() => chart.refreshTheme());

    followSettings(settingRegistry, SETTINGS_ID, settings => {
      section.setHidden(!(settings.get('showTraining').composite as boolean));
    });
  }
};
