import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';

import { CommandIDs, ICoachPanel, IGlossary } from '../tokens';
import { GlossaryModel } from './model';
import { glossaryTerms } from './terms';
import { GlossaryView } from './view';
import { addCoachSection, coachTranslations } from '../section';

const PLUGIN_ID = 'jupyterlab-dlcoach:glossary';

/**
 * The Glossary section, the command that opens a term, and the IGlossary service.
 */
export const glossaryPlugin: JupyterFrontEndPlugin<IGlossary> = {
  id: PLUGIN_ID,
  description: 'The deep-learning vocabulary of the lesson, searchable.',
  autoStart: true,
  provides: IGlossary,
  requires: [ICoachPanel],
  optional: [ITranslator, ISettingRegistry, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    panel: ICoachPanel,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null
  ): IGlossary => {
    const trans = coachTranslations(translator);
    const model = new GlossaryModel(glossaryTerms(trans));

    const section = addCoachSection({
      panel,
      name: 'glossary',
      label: trans.__('Glossary'),
      rank: 200,
      weight: 1.2,
      settingRegistry,
      pluginId: PLUGIN_ID,
      showSetting: 'showSection'
    });
    section.addWidget(new GlossaryView(model, trans, app.commands));

    const glossary: IGlossary = {
      terms: model.terms,
      open: async (key: string) => {
        const term = model.highlight(key);
        if (!term) {
          return false;
        }
        panel.revealSection(section);
        return true;
      },
      setRunNumbers: numbers => {
        model.runNumbers = numbers;
      }
    };

    app.commands.addCommand(CommandIDs.openGlossaryTerm, {
      label: args =>
        args.term
          ? trans.__('DL Coach: Explain "%1"', args.term as string)
          : trans.__('DL Coach: Open the glossary'),
      caption: trans.__('Show a deep-learning term in the DL Coach glossary'),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            term: {
              type: 'string',
              description: trans.__(
                'The term: its id (e.g. "validation-set"), its name or another name for it'
              )
            }
          }
        }
      },
      execute: async args => {
        const key = (args.term as string | undefined) || model.terms[0].id;
        return glossary.open(key);
      }
    });
    palette?.addItem({
      command: CommandIDs.openGlossaryTerm,
      category: trans.__('DL Coach')
    });
    return glossary;
  }
};
