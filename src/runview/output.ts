import { DOMUtils, IThemeManager } from '@jupyterlab/apputils';
import { IRenderMime, IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ServerConnection } from '@jupyterlab/services';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { PanelLayout, Widget } from '@lumino/widgets';

import { requestAPI } from '../api';
import { CommandIDs } from '../tokens';
import { RunView } from './view';

/** The bundle `CoachCallback` displays in a notebook cell (kernel/display.py; docs/api.md). */
export const RUN_MIME = 'application/vnd.jupyterlab-dlcoach.run+json';

export interface IRunBundle {
  run_id: string;
  name?: string;
  state?: string;
  /** The run store the kernel wrote to. */
  db?: string | null;
  /** False while the kernel could not write the run to its store. */
  recorded?: boolean;
  problem?: string | null;
}

/** A run id as the store makes them: anything else is never put in a URL. */
const RUN_ID = /^[0-9a-f]{12}$/;
const RETRY_MS = 3000;

/**
 * A notebook run in its cell: the main area's run view, found by the id the bundle carries and then
 * fed by the push channel, so the cell redraws from the run store after any reload or restart. When
 * the server has no such run (not recorded, deleted, another run store) it says so in words and shows
 * the bundle's own text and picture.
 */
export class RunOutput extends Widget implements IRenderMime.IRenderer {
  constructor(options: Omit<RunView.IOptions, 'id'>) {
    super();
    this._options = options;
    this.addClass('jp-DLCoach-runOutput');
    this.layout = new PanelLayout();
    this._note.addClass('jp-DLCoach-runOutputNote');
    (this.layout as PanelLayout).addWidget(this._note);
  }

  /** The run view, once the server knew the run. */
  get view(): RunView | null {
    return this._view;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const bundle = (model.data[RUN_MIME] ?? {}) as unknown as IRunBundle;
    this._bundle = bundle;
    this._text = String(model.data['text/plain'] ?? '');
    this._png = (model.data['image/png'] as string | undefined) ?? null;
    if (!RUN_ID.test(String(bundle.run_id))) {
      this._say(this._options.trans.__('This output names no DL Coach run.'));
      return;
    }
    // An update of the same run (an epoch ended) changes nothing the view does not follow itself.
    if (this._view?.model.id !== bundle.run_id) {
      await this._find();
    } else {
      this._sayIfUnrecorded();
    }
  }

  refreshTheme(): void {
    this._view?.chart.refreshTheme();
  }

  dispose(): void {
    window.clearTimeout(this._timer);
    super.dispose();
  }

  private async _find(): Promise<void> {
    window.clearTimeout(this._timer);
    const { trans, api } = this._options;
    const id = this._bundle.run_id;
    try {
      await requestAPI(`runs/${id}`, api.serverSettings);
    } catch (error) {
      if (this.isDisposed || id !== this._bundle.run_id) {
        return;
      }
      const missing =
        error instanceof ServerConnection.ResponseError &&
        error.response.status === 404;
      this._missing(
        missing
          ? null
          : trans.__('The coach cannot reach the Jupyter server right now.')
      );
      // A run still training may yet appear (a store that comes back); a lost server may come back.
      if (!missing || this._bundle.state === 'running') {
        this._timer = window.setTimeout(() => void this._find(), RETRY_MS);
      }
      return;
    }
    if (this.isDisposed || id !== this._bundle.run_id) {
      return;
    }
    this._mount(id);
  }

  private _mount(id: string): void {
    this._view?.dispose();
    const view = new RunView({ ...this._options, id });
    // Ids are unique in the page; the main area may show the same run.
    view.id = DOMUtils.createDomID();
    view.toolbar.addItem(
      'open',
      new ToolbarButton({
        label: this._options.trans.__('Open beside the notebook'),
        tooltip: this._options.trans.__('Show this run in the main area'),
        onClick: () =>
          void this._options.commands.execute(CommandIDs.openRun, { id })
      })
    );
    this._view = view;
    (this.layout as PanelLayout).addWidget(view);
    this._sayIfUnrecorded();
  }

  private _sayIfUnrecorded(): void {
    const { problem, recorded } = this._bundle;
    this._say(
      recorded === false
        ? this._options.trans.__(
            'This run is not being recorded by the coach: %1.',
            problem ?? ''
          )
        : null
    );
  }

  /** No run to show: why, in words, then what the kernel itself said (its text and picture). */
  private _missing(reason: string | null): void {
    const { trans } = this._options;
    const { run_id, recorded, problem, db } = this._bundle;
    this._view?.dispose();
    this._view = null;
    let why = reason;
    if (why === null) {
      why =
        recorded === false
          ? trans.__(
              'This run was not recorded by the coach (%1), so it cannot be drawn here. What the kernel reported:',
              problem ?? ''
            )
          : trans.__(
              'The coach has no run %1 in its run store (the kernel wrote it to %2): it was deleted, or the kernel used another store. What the kernel reported:',
              run_id,
              db ?? trans.__('an unknown store')
            );
    }
    this._say(why, true);
  }

  private _say(text: string | null, fallback = false): void {
    const node = this._note.node;
    node.replaceChildren();
    this._note.setHidden(text === null);
    if (text === null) {
      return;
    }
    const p = document.createElement('p');
    p.setAttribute('role', 'status');
    p.textContent = text;
    node.append(p);
    if (fallback && this._text) {
      const pre = document.createElement('pre');
      pre.textContent = this._text;
      node.append(pre);
    }
    if (fallback && this._png) {
      const img = document.createElement('img');
      img.src = `data:image/png;base64,${this._png}`;
      img.alt = this._options.trans.__('The run’s final curves');
      node.append(img);
    }
  }

  private _options: Omit<RunView.IOptions, 'id'>;
  private _bundle: IRunBundle = { run_id: '' };
  private _text = '';
  private _png: string | null = null;
  private _note = new Widget();
  private _view: RunView | null = null;
  private _timer = 0;
}

/**
 * Register the renderer of the run bundle. A factory added from a plugin (rather than a separate
 * `rendermime` mime extension) shares this extension's services with the main area's run views: the
 * server settings, the run list for "compare", the commands and the translator.
 */
export function setupRunOutputs(
  rendermime: IRenderMimeRegistry,
  themes: IThemeManager | null,
  options: Omit<RunView.IOptions, 'id'>
): void {
  const outputs = new Set<RunOutput>();
  rendermime.addFactory(
    {
      // Safe: the bundle is a run id and a few words, shown as text; nothing in it runs or is markup.
      safe: true,
      mimeTypes: [RUN_MIME],
      createRenderer: () => {
        const output = new RunOutput(options);
        outputs.add(output);
        output.disposed.connect(() => outputs.delete(output));
        return output;
      }
    },
    // Before images (90) and text (120): those are the fallback for viewers without this extension.
    40
  );
  themes?.themeChanged.connect(() => outputs.forEach(o => o.refreshTheme()));
}
