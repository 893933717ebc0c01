import { JupyterFrontEnd } from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';

import { CoachAPI } from '../api';
import { CommandIDs } from '../tokens';
import { RunsModel } from '../training/runs';
import { runModels } from './runModels';

/** Whether a file exists in the server's contents (JupyterLab's file browser root). */
async function exists(app: JupyterFrontEnd, path: string): Promise<boolean> {
  try {
    await app.serviceManager.contents.get(path, { content: false });
    return true;
  } catch {
    return false;
  }
}

/** `name.ipynb`, or `name-2.ipynb`… when taken: an earlier notebook of the run is never overwritten. */
async function freeName(app: JupyterFrontEnd, name: string): Promise<string> {
  const ext = PathExt.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? name : `${stem}-${n}${ext}`;
    if (!(await exists(app, candidate))) {
      return candidate;
    }
  }
  throw new Error(`No free notebook name for ${name}`);
}

/**
 * The lesson's loop after a run: use the best epoch's model, open the run as a notebook, and train
 * again with the run's settings (the form is filled, nothing is submitted). Commands, so that the
 * run view's buttons, the coach's advice and the command palette do the same thing.
 */
export function registerModelCommands(options: {
  app: JupyterFrontEnd;
  api: CoachAPI;
  runs: RunsModel;
  trans: TranslationBundle;
  revealForm: () => void;
}): void {
  const { app, api, runs, trans, revealForm } = options;
  const idArg = { type: 'string', description: trans.__('The run id') };

  app.commands.addCommand(CommandIDs.useModel, {
    label: args =>
      args.use === 'last'
        ? trans.__('DL Coach: Use the last epoch')
        : trans.__('DL Coach: Use the best epoch'),
    caption: trans.__(
      "Make a finished run's predictions and notebook use its best (or last) epoch's model"
    ),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          id: idArg,
          use: { type: 'string', enum: ['best', 'last'] }
        },
        required: ['id']
      }
    },
    // Only a finished job whose best epoch is not its last has a model to switch to.
    isEnabled: args => {
      const models = runModels(runs.runs.find(r => r.id === args.id) ?? null);
      return models !== null && models.bestPath !== models.last;
    },
    execute: args =>
      api.useModel(args.id as string, args.use === 'last' ? 'last' : 'best')
  });

  app.commands.addCommand(CommandIDs.openAsNotebook, {
    label: trans.__('DL Coach: Open run as notebook'),
    caption: trans.__(
      'A new notebook with the fastai code that does what this run did'
    ),
    describedBy: {
      args: { type: 'object', properties: { id: idArg }, required: ['id'] }
    },
    execute: async args => {
      const answer = await api.runNotebook(args.id as string);
      const path = await freeName(app, answer.name);
      await app.serviceManager.contents.save(path, {
        type: 'notebook',
        format: 'json',
        content: answer.notebook
      });
      return app.commands.execute('docmanager:open', { path });
    }
  });

  app.commands.addCommand(CommandIDs.trainAgain, {
    label: args =>
      typeof args.epochs === 'number'
        ? trans.__('DL Coach: Train again with %1 epochs', args.epochs)
        : trans.__('DL Coach: Train again'),
    caption: trans.__(
      "Fill the training form with a run's data and settings (and another epoch count)"
    ),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          id: idArg,
          epochs: {
            type: 'number',
            description: trans.__('Epochs, in the form’s units')
          }
        },
        required: ['id']
      }
    },
    isEnabled: args => {
      const run = runs.runs.find(r => r.id === args.id);
      return !!run?.spec?.dataset;
    },
    execute: args => {
      const run = runs.runs.find(r => r.id === args.id);
      if (!run?.spec?.dataset) {
        throw new Error(
          trans.__('This run has no data set to train on again.')
        );
      }
      const epochs = typeof args.epochs === 'number' ? args.epochs : null;
      revealForm();
      runs.fillForm({ spec: run.spec, epochs });
    }
  });
}
