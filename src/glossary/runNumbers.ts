import { TranslationBundle } from '@jupyterlab/translation';

import { IGlossary } from '../tokens';

/**
 * What a glossary card says about the run on screen, for the terms a run gives numbers to, e.g. the
 * epoch card: "In "digits · resnet18 · #1": 4 epochs, 1 with the body frozen and 3 unfrozen." Null
 * for a term the run says nothing about.
 */
export function runNumbersText(
  term: string,
  n: IGlossary.IRunNumbers,
  trans: TranslationBundle
): string | null {
  const pct = (v: number) => (v * 100).toFixed(1);
  let text: string | null = null;
  switch (term) {
    case 'epoch':
      if (n.epochs !== null) {
        text =
          n.frozenEpochs > 0
            ? trans.__(
                '%1 epochs: %2 with the body frozen, %3 unfrozen.',
                n.epochs,
                n.frozenEpochs,
                n.epochs - n.frozenEpochs
              )
            : trans._n('%1 epoch.', '%1 epochs.', n.epochs);
      }
      break;
    case 'validation-set':
      if (n.nValid !== null) {
        text = trans._n(
          'its validation set is %1 image.',
          'its validation set is %1 images.',
          n.nValid
        );
      }
      break;
    case 'training-set':
      if (n.nTrain !== null) {
        text = trans._n(
          'the model trains on %1 image.',
          'the model trains on %1 images.',
          n.nTrain
        );
      }
      break;
    case 'metric':
      if (n.errorRate !== null) {
        text = trans.__(
          'its error rate is %1 % (the share of validation images it gets wrong).',
          pct(n.errorRate)
        );
      }
      break;
    case 'loss':
      if (n.validLoss !== null) {
        text = trans.__(
          'its last validation loss is %1.',
          n.validLoss.toFixed(3)
        );
      }
      break;
    case 'overfitting':
      text =
        n.overfitEpoch !== null
          ? trans.__(
              'the coach saw overfitting begin at epoch %1.',
              n.overfitEpoch
            )
          : trans.__('no overfitting seen so far.');
      break;
  }
  return text === null ? null : trans.__('In "%1": %2', n.runName, text);
}
