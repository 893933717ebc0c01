import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { PanelWithToolbar } from '@jupyterlab/ui-components';

import { followSettings } from './settings';
import { ICoachPanel } from './tokens';

/** The coach's strings, in the user's language when a translator is there. */
export function coachTranslations(
  translator: ITranslator | null
): TranslationBundle {
  return (translator ?? nullTranslator).load('jupyterlab_dlcoach');
}

export interface ISectionOptions {
  panel: ICoachPanel;
  /** The section's short name: its element id is `jp-DLCoach-<name>Section`. */
  name: string;
  label: string;
  /** Where it sits in the panel: lower ranks come first. */
  rank: number;
  /** Its share of the panel's height at first (1 by default); the learner may resize it. */
  weight?: number;
  settingRegistry: ISettingRegistry | null;
  pluginId: string;
  /** The boolean setting that shows or hides the section. */
  showSetting: string;
  /** Called with the plugin's settings now and after every change, after the section's visibility. */
  apply?: (settings: ISettingRegistry.ISettings) => void;
}

/**
 * What every plugin of the side panel does first: a section with a toolbar, added to the panel, and
 * shown or hidden as the plugin's settings say.
 */
export function addCoachSection(options: ISectionOptions): PanelWithToolbar {
  const section = new PanelWithToolbar();
  section.id = `jp-DLCoach-${options.name}Section`;
  section.addClass(section.id);
  section.title.label = options.label;
  options.panel.addSection(section, options.rank, options.weight);
  followSettings(options.settingRegistry, options.pluginId, settings => {
    section.setHidden(
      !(settings.get(options.showSetting).composite as boolean)
    );
    options.apply?.(settings);
  });
  return section;
}
