import { TranslationBundle } from '@jupyterlab/translation';

import { DLCoach } from '../models';
import { Part } from './formText';

/**
 * How a run reads in the list: a run that diverged failed, whatever state the process ended in, so
 * its badge is never a green "completed".
 */
export function shownState(run: DLCoach.IRun): DLCoach.RunState {
  return run.error?.kind === 'diverged' ? 'failed' : run.state;
}

export function stateLabel(
  run: DLCoach.IRun,
  trans: TranslationBundle
): string {
  if (run.error?.kind === 'diverged') {
    return trans.__('failed: diverged');
  }
  switch (run.state) {
    case 'queued':
      return trans.__('queued (#%1)', run.position ?? '?');
    case 'running':
      return run.cancel_requested ? trans.__('stopping') : trans.__('running');
    case 'completed':
      return trans.__('completed');
    case 'failed':
      return trans.__('failed');
    case 'cancelled':
      return trans.__('cancelled');
    case 'interrupted':
      return trans.__('interrupted');
  }
}

/** The final error rate of a run that completed well, or null. */
export function finalErrorRate(run: DLCoach.IRun): number | null {
  const rate = (run.result as { error_rate?: unknown } | null)?.error_rate;
  if (shownState(run) !== 'completed' || typeof rate !== 'number') {
    return null;
  }
  return Number.isFinite(rate) ? rate : null;
}

/** "2.5 % error": the result of a finished run, for its row in the list. */
export function resultText(
  run: DLCoach.IRun,
  trans: TranslationBundle
): string | null {
  const rate = finalErrorRate(run);
  return rate === null ? null : trans.__('%1 % error', (rate * 100).toFixed(1));
}

function isSettings(value: unknown): value is DLCoach.ITrainSettings {
  const s = value as DLCoach.ITrainSettings | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.recipe === 'string' &&
    typeof s.epochs === 'number'
  );
}

/**
 * What the trainer actually used for a run: its `settings` event, else its result's copy, else null
 * (not started yet, or a notebook run that does not report them).
 */
export function runSettings(
  run: DLCoach.IRun,
  events: DLCoach.IEvent[]
): DLCoach.ITrainSettings | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event.type === 'settings' && event.run_id === run.id) {
      return event;
    }
  }
  const stored = (run.result as { settings?: unknown } | null)?.settings;
  return isSettings(stored) ? stored : null;
}

/** A learning rate as a learner would type it: 0.003, 1e-5. */
export function formatRate(lr: number): string {
  return lr >= 1e-3 ? String(Number(lr.toPrecision(3))) : lr.toExponential(0);
}

/**
 * The run in the lesson's words with its own numbers, from what the trainer used, e.g. "Fine-tunes
 * a pretrained resnet18: 1 epoch with the body frozen, then 3 epochs with every layer training".
 */
export function settingsParts(
  settings: DLCoach.ITrainSettings,
  arch: string,
  trans: TranslationBundle
): Part[] {
  const epochs = trans._n('%1 epoch', '%1 epochs', settings.epochs);
  const parts: Part[] = [];
  if (settings.recipe === 'fine_tune') {
    parts.push(
      { term: 'fine-tune', text: trans.__('Fine-tunes') },
      settings.pretrained === null
        ? trans.__(' a %1: ', arch)
        : settings.pretrained
          ? trans.__(' a pretrained %1: ', arch)
          : trans.__(' a %1 without pretrained weights: ', arch),
      trans._n(
        '%1 epoch with the body frozen',
        '%1 epochs with the body frozen',
        settings.freeze_epochs
      ),
      trans.__(', then %1 with every layer training (fine_tune). ', epochs)
    );
  } else {
    parts.push(
      settings.pretrained === null
        ? trans.__('Trains a %1 with every layer training: ', arch)
        : settings.pretrained
          ? trans.__('Trains a pretrained %1 with every layer training: ', arch)
          : trans.__(
              'Trains a %1 from scratch (no pretrained weights): ',
              arch
            ),
      settings.recipe === 'fit'
        ? trans.__('%1 at a constant learning rate (fit). ', epochs)
        : trans.__('%1 (fit_one_cycle). ', epochs)
    );
  }
  parts.push(
    { term: 'batch', text: trans.__('Batch size') },
    trans.__(' %1, images %2 px, ', settings.batch_size, settings.image_size),
    { term: 'learning-rate', text: trans.__('learning rate') },
    trans.__(' %1. ', formatRate(settings.lr)),
    trans.__(
      '%1 images train the model and ',
      settings.n_train.toLocaleString()
    ),
    trans._n(
      '%2 image',
      '%2 images',
      settings.n_valid,
      settings.n_valid.toLocaleString()
    ),
    trans.__(' (the '),
    { term: 'validation-set', text: trans.__('validation set') },
    trans.__(') measure it; the '),
    { term: 'metric', text: trans.__('metric') },
    trans.__(' is the error rate.')
  );
  return parts;
}

/** Before the trainer says what it used: only what the spec fixes, and that the rest comes later. */
export function pendingParts(
  spec: DLCoach.IJobSpec,
  trans: TranslationBundle
): Part[] {
  const parts: Part[] = [];
  if (spec.arch) {
    parts.push(
      { term: 'architecture', text: spec.arch },
      typeof spec.epochs === 'number'
        ? trans._n(', %1 epoch. ', ', %1 epochs. ', spec.epochs)
        : '. '
    );
  }
  parts.push(
    trans.__(
      'The automatic settings (recipe, batch size, image size, learning rate) are chosen when training starts.'
    )
  );
  return parts;
}
