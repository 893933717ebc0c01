import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { DLCoach } from '../models';
import { ProgressRow } from '../training/progress';
import { Sentence } from '../training/fields';
import { Warnings } from '../training/warnings';
import {
  finalErrorRate,
  pendingParts,
  runSettings,
  settingsParts,
  shownState,
  stateLabel
} from '../training/runText';
import { whatChanged } from './compare';
import { RunModel } from './model';

export interface IPartProps {
  model: RunModel;
  trans: TranslationBundle;
  commands: CommandRegistry;
  isTerm: (term: string) => boolean;
}

/** Title, state, and progress with phase and time left. */
export function RunHeader(props: IPartProps): React.ReactElement {
  const { model, trans } = props;
  const run = model.run;
  if (!run) {
    return (
      <p className="jp-DLCoach-muted" role="status">
        {model.missing
          ? trans.__('This run was deleted.')
          : trans.__('Loading the run…')}
      </p>
    );
  }
  return (
    <div className="jp-DLCoach-runHeader">
      <h2 className="jp-DLCoach-runTitle">{run.name}</h2>
      <span className={`jp-DLCoach-state jp-DLCoach-state-${shownState(run)}`}>
        {stateLabel(run, trans)}
      </span>
      {run.state === 'running' && (
        <ProgressRow progress={run.progress} trans={trans} withPhase />
      )}
    </div>
  );
}

/** The picker of a run to overlay, and what changed between the two. */
export function ComparePicker(
  props: IPartProps & {
    runs: DLCoach.IRun[];
    compare: RunModel | null;
    onPick: (id: string | null) => void;
  }
): React.ReactElement | null {
  const { model, trans, compare } = props;
  // One id per picker: the same run may be shown in the main area and in a notebook cell at once.
  const id = 'jp-DLCoach-compare-' + React.useId();
  const others = props.runs.filter(r => r.id !== model.id);
  if (others.length === 0) {
    return null;
  }
  return (
    <div className="jp-DLCoach-compare">
      <label htmlFor={id}>{trans.__('Compare with')}</label>
      <select
        id={id}
        className="jp-mod-styled"
        value={compare?.id ?? ''}
        onChange={e => props.onPick(e.target.value || null)}
      >
        <option value="">{trans.__('no other run')}</option>
        {others.map(r => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </select>
      {model.run && compare?.run && (
        <p className="jp-DLCoach-whatChanged">
          {whatChanged(model.run, compare.run, trans)}
        </p>
      )}
    </div>
  );
}

/** The run in the lesson's words, its result or error, and the coach's warnings. */
export function RunDetails(props: IPartProps): React.ReactElement | null {
  const { model, trans } = props;
  const run = model.run;
  if (!run) {
    return null;
  }
  const settings: DLCoach.ITrainSettings | null =
    model.series.settings ?? runSettings(run, []);
  const rate = finalErrorRate(run);
  const best = model.series.best;
  const arch = run.spec?.arch ?? trans.__('model');
  return (
    <div className="jp-DLCoach-runDetails">
      {settings ? (
        <Sentence {...props} parts={settingsParts(settings, arch, trans)} />
      ) : (
        // A notebook run chose its own settings: nothing is left to be chosen automatically.
        run.spec &&
        run.kind !== 'notebook' && (
          <Sentence {...props} parts={pendingParts(run.spec, trans)} />
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
      {best && best.error !== null && model.series.epochs.length > 1 && (
        <p className="jp-DLCoach-best">
          {trans.__(
            'Best epoch: %1, with %2 % error.',
            best.x,
            (best.error * 100).toFixed(1)
          )}
        </p>
      )}
      {run.error && (
        <div className="jp-DLCoach-runError" role="alert">
          <p className="jp-DLCoach-error">{run.error.message}</p>
          <p>{run.error.advice}</p>
        </div>
      )}
      <Warnings {...props} warnings={model.series.warnings} />
    </div>
  );
}
