import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { DLCoach } from '../models';
import { CommandIDs } from '../tokens';
import { ProgressRow } from './progress';
import { Sentence } from './fields';
import { RunsModel } from './runs';
import { Sparkline } from './sparkline';
import { Warnings } from './warnings';
import {
  finalErrorRate,
  pendingParts,
  resultText,
  runSettings,
  settingsParts,
  shownState,
  stateLabel
} from './runText';

interface IProps {
  runs: RunsModel;
  trans: TranslationBundle;
  commands: CommandRegistry;
  /** Whether the glossary explains this word (the server's warnings may name others). */
  isTerm: (term: string) => boolean;
}

function RunRow(
  props: IProps & { run: DLCoach.IRun; selected: boolean }
): React.ReactElement {
  const { run, runs, trans, selected } = props;
  const active = DLCoach.ACTIVE_STATES.includes(run.state);
  const result = resultText(run, trans);
  return (
    <li
      className={`jp-DLCoach-run${selected ? ' jp-mod-selected' : ''}`}
      data-run-id={run.id}
      data-state={run.state}
    >
      <button
        type="button"
        className="jp-DLCoach-runSelect"
        aria-pressed={selected}
        onClick={() => void runs.select(run.id)}
      >
        <span className="jp-DLCoach-runName">{run.name}</span>
        <span className="jp-DLCoach-runMeta">
          <span className="jp-DLCoach-runKind">
            {run.kind === 'notebook' ? trans.__('notebook') : trans.__('job')}
          </span>
          <span
            className={`jp-DLCoach-state jp-DLCoach-state-${shownState(run)}`}
          >
            {stateLabel(run, trans)}
          </span>
          {result && <span className="jp-DLCoach-runResult">{result}</span>}
          <Sparkline
            values={runs.curve(run.id)}
            label={trans.__('Validation loss per epoch of %1', run.name)}
          />
        </span>
      </button>
      {run.state === 'running' && (
        <ProgressRow progress={run.progress} trans={trans} />
      )}
      <div className="jp-DLCoach-runActions">
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-DLCoach-open"
          aria-label={trans.__('Open %1 beside the notebook', run.name)}
          title={trans.__('Show this run with its chart in the main area')}
          onClick={() =>
            void props.commands.execute(CommandIDs.openRun, { id: run.id })
          }
        >
          {trans.__('Open')}
        </button>
        {active && run.kind === 'job' && !run.cancel_requested && (
          <button
            type="button"
            className="jp-mod-styled jp-DLCoach-cancel"
            aria-label={trans.__('Stop %1', run.name)}
            onClick={() => void runs.cancel(run.id)}
          >
            {trans.__('Stop')}
          </button>
        )}
        {!active && (
          <button
            type="button"
            className="jp-mod-styled jp-DLCoach-delete"
            aria-label={trans.__('Delete %1', run.name)}
            onClick={() => void runs.remove(run.id)}
            title={trans.__('Forget this run and its files')}
          >
            {trans.__('Delete')}
          </button>
        )}
      </div>
    </li>
  );
}

/** What the selected run is, in the lesson's words and the numbers the trainer actually used. */
function RunSummary(props: IProps & { run: DLCoach.IRun }): React.ReactElement {
  const { run, runs, trans } = props;
  const spec = run.spec;
  const settings = runSettings(run, runs.events);
  const rate = finalErrorRate(run);
  const arch = spec?.arch ?? trans.__('model');
  return (
    <div className="jp-DLCoach-runSummary">
      <p className="jp-DLCoach-device">
        {run.device
          ? run.device.startsWith('cuda')
            ? trans.__('Training on the GPU: %1', run.device)
            : trans.__('Training on the CPU (no GPU).')
          : ''}
      </p>
      {settings ? (
        <Sentence {...props} parts={settingsParts(settings, arch, trans)} />
      ) : (
        spec &&
        DLCoach.ACTIVE_STATES.includes(run.state) && (
          <Sentence {...props} parts={pendingParts(spec, trans)} />
        )
      )}
      {rate !== null && (
        <p className="jp-DLCoach-result">
          {trans.__(
            'Finished: the model gets %1 % of the validation images wrong.',
            (rate * 100).toFixed(1)
          )}
        </p>
      )}
      {run.error && (
        <div className="jp-DLCoach-runError" role="alert">
          <p className="jp-DLCoach-error">{run.error.message}</p>
          <p>{run.error.advice}</p>
        </div>
      )}
    </div>
  );
}

/** The list of runs (jobs and notebook runs), newest first. */
export class RunListView extends ReactWidget {
  constructor(private _props: IProps) {
    super();
    this.addClass('jp-DLCoach-runList');
  }

  protected render(): React.ReactElement {
    const { runs, trans } = this._props;
    return (
      <UseSignal signal={runs.changed}>
        {() => {
          const list = runs.runs;
          const selected = runs.selected;
          return (
            <>
              {!runs.connected && (
                <p className="jp-DLCoach-muted" role="status">
                  {trans.__('Connecting to the server for live updates…')}
                </p>
              )}
              {runs.actionError && (
                <p className="jp-DLCoach-error" role="alert">
                  {runs.actionError}
                </p>
              )}
              {list.length === 0 ? (
                <p className="jp-DLCoach-muted">
                  {trans.__(
                    'No runs yet. Train above, or use CoachCallback() in a notebook.'
                  )}
                </p>
              ) : (
                <ul className="jp-DLCoach-runs">
                  {list.map(run => (
                    <RunRow
                      key={run.id}
                      {...this._props}
                      run={run}
                      selected={run.id === selected?.id}
                    />
                  ))}
                </ul>
              )}
              {selected && <RunSummary {...this._props} run={selected} />}
            </>
          );
        }}
      </UseSignal>
    );
  }
}

/** The coach's plain-words warnings about the selected run's curves. */
export class WarningsView extends ReactWidget {
  constructor(private _props: IProps) {
    super();
    this.addClass('jp-DLCoach-warningsView');
  }

  protected render(): React.ReactElement {
    return (
      <UseSignal signal={this._props.runs.changed}>
        {() => (
          <Warnings {...this._props} warnings={this._props.runs.warnings} />
        )}
      </UseSignal>
    );
  }
}
