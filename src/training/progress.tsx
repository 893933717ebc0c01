import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { DLCoach } from '../models';

/** "1 min 05 s"-style ETA text; null when unknown. */
export function formatEta(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return null;
  }
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `${s} s`;
  }
  const m = Math.floor(s / 60);
  return `${m} min ${String(s % 60).padStart(2, '0')} s`;
}

/** Fraction done of a run, 0..1, from its progress. */
export function fractionDone(progress: DLCoach.IProgress | null): number {
  if (!progress || !progress.epochs || !progress.batches) {
    return 0;
  }
  const done = progress.epoch * progress.batches + progress.batch;
  return Math.min(1, done / (progress.epochs * progress.batches));
}

function phaseText(phase: DLCoach.Phase, trans: TranslationBundle): string {
  switch (phase) {
    case 'frozen':
      return trans.__('body frozen');
    case 'unfrozen':
      return trans.__('every layer training');
    default:
      return trans.__('training');
  }
}

/**
 * A running run's progress bar with "epoch i of n · k %" and the time left: the same in the side
 * panel's run list and in the run view, where `withPhase` also names fine_tune's phase.
 */
export function ProgressRow(props: {
  progress: DLCoach.IProgress | null;
  trans: TranslationBundle;
  withPhase?: boolean;
}): React.ReactElement {
  const { progress: p, trans } = props;
  const done = fractionDone(p);
  const eta = formatEta(p?.eta_s);
  let text = trans.__('starting…');
  if (p) {
    text = props.withPhase
      ? trans.__(
          'epoch %1 of %2 (%3) · %4%',
          p.epoch + 1,
          p.epochs,
          phaseText(p.phase, trans),
          Math.round(done * 100)
        )
      : trans.__(
          'epoch %1 of %2 · %3%',
          p.epoch + 1,
          p.epochs,
          Math.round(done * 100)
        );
  }
  return (
    <span className="jp-DLCoach-progressRow">
      <progress
        className="jp-DLCoach-progress"
        max={1}
        value={done}
        aria-label={trans.__('Training progress')}
      />
      <span className="jp-DLCoach-progressText">
        {text}
        {eta ? ` · ${trans.__('about %1 left', eta)}` : ''}
      </span>
    </span>
  );
}
