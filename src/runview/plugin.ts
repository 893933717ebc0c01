import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { IThemeManager, WidgetTracker } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { FileDialog } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import { CoachAPI } from '../api';
import { CommandIDs, IGlossary } from '../tokens';
import { RunsModel } from '../training/runs';
import { runNumbers } from './numbers';
import { RunView } from './view';

const NAMESPACE = 'dlcoach-run';

/**
 * The run views: the `dlcoach:open-run` command (by default split to the right of the active
 * notebook), their tracker, and their restoration after a page reload.
 */
export function setupRunViews(options: {
  app: JupyterFrontEnd;
  api: CoachAPI;
  runs: RunsModel;
  trans: TranslationBundle;
  isTerm: (term: string) => boolean;
  restorer: ILayoutRestorer | null;
  notebooks: INotebookTracker | null;
  themes: IThemeManager | null;
  glossary: IGlossary | null;
}): WidgetTracker<RunView> {
  const { app, api, runs, trans, isTerm, restorer, notebooks } = options;
  const tracker = new WidgetTracker<RunView>({ namespace: NAMESPACE });

  app.commands.addCommand(CommandIDs.openRun, {
    label: trans.__('DL Coach: Open run'),
    caption: trans.__('Show a training run in the main area'),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          id: { type: 'string', description: trans.__('The run id') },
          mode: {
            type: 'string',
            description: trans.__(
              'Where to open it: "split-right" of the notebook (default) or "tab-after"'
            )
          }
        },
        required: ['id']
      }
    },
    execute: async args => {
      const id = args.id as string;
      const open = tracker.find(w => w.model.id === id);
      if (open) {
        app.shell.activateById(open.id);
        return open;
      }
      const view = new RunView({
        api,
        id,
        runs,
        trans,
        commands: app.commands,
        isTerm,
        pickServerFile: () => pickPicture(app, trans)
      });
      const notebook = notebooks?.currentWidget;
      const ref = notebook && !notebook.isDisposed ? notebook.id : undefined;
      const mode = (args.mode as string | undefined) ?? 'split-right';
      app.shell.add(view, 'main', {
        mode: ref ? (mode as 'split-right' | 'tab-after') : undefined,
        ref
      });
      await tracker.add(view);
      app.shell.activateById(view.id);
      return view;
    }
  });

  if (restorer) {
    void restorer.restore(tracker, {
      command: CommandIDs.openRun,
      args: view => ({ id: view.model.id }),
      name: view => view.model.id
    });
  }

  // The glossary quotes the numbers of the run view last in focus, while one is open.
  const quote = () =>
    options.glossary?.setRunNumbers(
      tracker.currentWidget ? runNumbers(tracker.currentWidget.model) : null
    );
  tracker.currentChanged.connect(quote);
  tracker.widgetAdded.connect((_, view) => view.model.changed.connect(quote));

  options.themes?.themeChanged.connect(() =>
    tracker.forEach(view => view.chart.refreshTheme())
  );
  return tracker;
}

const PICTURE = /\.(png|jpe?g|gif|bmp|webp|tiff?)$/i;

/** JupyterLab's own file dialog, showing folders and pictures: the path of the one picked, or null. */
async function pickPicture(
  app: JupyterFrontEnd,
  trans: TranslationBundle
): Promise<string | null> {
  const manager = await app.resolveOptionalService(IDocumentManager);
  if (!manager) {
    return null;
  }
  const result = await FileDialog.getOpenFiles({
    manager,
    title: trans.__('Pick a picture to try the model on'),
    filter: model =>
      model.type === 'directory' || PICTURE.test(model.name) ? {} : null
  });
  const picked = result.button.accept ? result.value?.[0] : undefined;
  return picked && picked.type !== 'directory' ? picked.path : null;
}
