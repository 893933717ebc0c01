import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Panel, Widget } from '@lumino/widgets';
import * as React from 'react';

import { CoachAPI } from '../api';
import { RunsModel } from '../training/runs';
import { RunChart } from './chart';
import { Mistakes } from './mistakes';
import { RunModel } from './model';
import { RunModelsPart } from './modelsPart';
import { ComparePicker, RunDetails, RunHeader } from './parts';
import { hasModel, TryPicture } from './predict';

function reactPart(
  className: string,
  model: RunModel,
  render: () => React.ReactElement | null,
  extra?: RunsModel
): Widget {
  const widget = ReactWidget.create(
    React.createElement(UseSignal, {
      signal: model.changed,
      children: () =>
        extra
          ? React.createElement(UseSignal, {
              signal: extra.changed,
              children: render
            })
          : render()
    })
  );
  widget.addClass(className);
  return widget;
}

/**
 * One run in the main area: title, state and progress, the loss chart, a run to compare with, the
 * run in the lesson's words and the coach's warnings. It follows the run live over its own resumable
 * push channel, and is restored by id after a page reload.
 */
export class RunView extends MainAreaWidget<Panel> {
  constructor(options: RunView.IOptions) {
    // A flex column (CSS): the texts take their height, the chart the rest.
    const content = new Panel();
    content.addClass('jp-DLCoach-runViewBody');
    super({ content });
    const { api, id, runs, trans } = options;
    this._options = options;
    this.id = RunView.widgetId(id);
    this.addClass('jp-DLCoach-runView');
    this.title.label = trans.__('Run');
    this.title.closable = true;
    this.model = new RunModel({
      api,
      id,
      run: runs.runs.find(r => r.id === id) ?? null
    });
    this.chart = new RunChart(trans);
    this.chart.detailSource = (from, to, points) =>
      this.model.detail(from, to, points);
    const props = { ...options, model: this.model };
    const header = reactPart('jp-DLCoach-runViewHeader', this.model, () =>
      React.createElement(RunHeader, props)
    );
    const compare = reactPart(
      'jp-DLCoach-runViewCompare',
      this.model,
      () =>
        React.createElement(ComparePicker, {
          ...props,
          runs: runs.runs,
          compare: this._compare,
          onPick: pick => this.setCompare(pick)
        }),
      runs
    );
    const models = reactPart('jp-DLCoach-runViewModels', this.model, () =>
      React.createElement(RunModelsPart, props)
    );
    const details = reactPart('jp-DLCoach-runViewDetails', this.model, () =>
      React.createElement(RunDetails, props)
    );
    const tryIt = reactPart('jp-DLCoach-runViewTry', this.model, () =>
      this.model.run && hasModel(this.model.run)
        ? React.createElement(TryPicture, {
            ...options,
            run: this.model.run,
            pickServerFile: options.pickServerFile ?? null
          })
        : null
    );
    const mistakes = reactPart('jp-DLCoach-runViewMistakes', this.model, () =>
      React.createElement(Mistakes, props)
    );
    for (const widget of [
      header,
      this.chart,
      models,
      compare,
      tryIt,
      details,
      mistakes
    ]) {
      content.addWidget(widget);
    }
    this.model.changed.connect(this._onChange, this);
    this._onChange();
  }

  readonly model: RunModel;
  readonly chart: RunChart;

  /** Overlay another run's curves, or none. */
  setCompare(id: string | null): void {
    this._compare?.dispose();
    this._compare = id
      ? new RunModel({
          api: this._options.api,
          id,
          run: this._options.runs.runs.find(r => r.id === id) ?? null
        })
      : null;
    this._compare?.changed.connect(this._onChange, this);
    // Re-render the picker and its "what changed" line.
    this.model.refresh();
    this._onChange();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._compare?.dispose();
    this.model.dispose();
    super.dispose();
  }

  private _onChange(): void {
    const run = this.model.run;
    const trans = this._options.trans;
    this.chart.emptyText =
      run && run.ended !== null
        ? trans.__('This run ended before its first batch: it has no curves.')
        : trans.__('No points yet: the curves appear after the first batches.');
    if (run) {
      this.title.label = run.name;
      this.title.caption = trans.__('DL Coach run: %1', run.name);
    }
    this.chart.setRuns(
      this.model.series,
      this._compare?.series ?? null,
      this._compare?.run?.name ?? null
    );
  }

  private _options: RunView.IOptions;
  private _compare: RunModel | null = null;
}

export namespace RunView {
  export interface IOptions {
    api: CoachAPI;
    id: string;
    runs: RunsModel;
    trans: TranslationBundle;
    commands: CommandRegistry;
    isTerm: (term: string) => boolean;
    /** A file under the server root, picked in JupyterLab's file dialog (to try the model on). */
    pickServerFile?: () => Promise<string | null>;
  }

  export function widgetId(runId: string): string {
    return `jp-DLCoach-run-${runId}`;
  }
}
