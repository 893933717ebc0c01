import { TranslationBundle } from '@jupyterlab/translation';

import { DLCoach } from '../models';
import { finalErrorRate } from '../training/runText';

/** Spec fields a learner would call "a different setting" (not the name, seed or device). */
const COMPARED: (keyof DLCoach.IJobSpec)[] = [
  'dataset',
  'arch',
  'pretrained',
  'recipe',
  'epochs',
  'freeze_epochs',
  'lr',
  'batch_size',
  'image_size',
  'valid_pct'
];

function shown(value: unknown, trans: TranslationBundle): string {
  if (value === null || value === undefined) {
    return trans.__('automatic');
  }
  if (typeof value === 'boolean') {
    return value ? trans.__('yes') : trans.__('no');
  }
  return String(value);
}

/** The spec fields that differ between two runs, as "epochs 3 → 10". */
export function specChanges(
  a: DLCoach.IRun,
  b: DLCoach.IRun,
  trans: TranslationBundle
): string[] {
  if (!a.spec || !b.spec) {
    return [];
  }
  const changes: string[] = [];
  for (const field of COMPARED) {
    const va = a.spec[field];
    const vb = b.spec[field];
    if (JSON.stringify(va ?? null) !== JSON.stringify(vb ?? null)) {
      changes.push(
        trans.__('%1 %2 → %3', field, shown(va, trans), shown(vb, trans))
      );
    }
  }
  return changes;
}

function rateText(run: DLCoach.IRun, trans: TranslationBundle): string {
  const rate = finalErrorRate(run);
  return rate === null
    ? trans.__('no final error rate')
    : trans.__('%1 %', (rate * 100).toFixed(1));
}

/**
 * "What changed" between the run shown and the one overlaid, in plain words: the settings that differ,
 * then the two final error rates, e.g. "Compared with "digits · resnet18 · #1": epochs 3 → 10. Error
 * rate: 2.5 % here, 4.1 % there."
 */
export function whatChanged(
  run: DLCoach.IRun,
  other: DLCoach.IRun,
  trans: TranslationBundle
): string {
  const changes = specChanges(other, run, trans);
  const settings =
    changes.length > 0
      ? trans.__('Settings changed (there → here): %1.', changes.join(', '))
      : trans.__('Same settings.');
  return trans.__(
    'Compared with "%1": %2 Error rate: %3 here, %4 there.',
    other.name,
    settings,
    rateText(run, trans),
    rateText(other, trans)
  );
}
