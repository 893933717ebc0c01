import { IGlossary } from '../tokens';
import { runSettings } from '../training/runText';
import { RunModel } from './model';

/** The run's own numbers for the glossary, from what the trainer used and the epochs so far. */
export function runNumbers(model: RunModel): IGlossary.IRunNumbers | null {
  const run = model.run;
  if (!run) {
    return null;
  }
  const series = model.series;
  const settings = series.settings ?? runSettings(run, []);
  const last = series.epochs[series.epochs.length - 1];
  const frozen =
    settings?.recipe === 'fine_tune'
      ? settings.freeze_epochs
      : series.epochs.filter(e => e.phase === 'frozen').length;
  return {
    runName: run.name,
    epochs: settings
      ? settings.epochs + (settings.recipe === 'fine_tune' ? frozen : 0)
      : (run.progress?.epochs ?? null),
    frozenEpochs: frozen,
    nTrain: settings?.n_train ?? null,
    nValid: settings?.n_valid ?? null,
    errorRate: last?.error ?? null,
    validLoss: last?.valid ?? null,
    overfitEpoch: series.overfitAt
  };
}
