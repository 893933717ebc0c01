import { DLCoach } from '../models';

const RETRY = 'cuda_oom_retry';

/**
 * The live chart's data, on one x axis measured in epochs: a batch in the middle of the second epoch
 * sits at x = 1.5, and an epoch's numbers sit at its end (epoch 0 at x = 1).
 */
export interface IChartData {
  /** Sorted x positions of every point (batches and epoch ends), as uPlot wants them. */
  x: number[];
  /** Smoothed training loss per batch (null at epoch-only points). */
  smoothLoss: (number | null)[];
  /** Per-epoch training loss, validation loss and error rate (null at batch-only points). */
  trainLoss: (number | null)[];
  validLoss: (number | null)[];
  errorRate: (number | null)[];
  /** Where fine_tune unfroze the body (start of the first unfrozen epoch), if it has. */
  unfreezeAt: number | null;
  /** Where overfitting began, by the coach's judgement, if it has. */
  overfitAt: number | null;
  epochs: number;
}

/**
 * Build the chart from a run's events, in seq order.
 *
 * @param batchesPerEpoch how many batches the epoch in progress has (the run's progress), used to place
 * its batches before the epoch ends; finished epochs use their own batch count.
 */
export function chartData(
  events: DLCoach.IEvent[],
  batchesPerEpoch?: number
): IChartData {
  // After a `cuda_oom_retry` the trainer starts the fit again at a smaller batch size: draw that attempt.
  const retry = events
    .map(e => e.type === 'warning' && e.kind === RETRY)
    .lastIndexOf(true);
  if (retry >= 0) {
    events = events.slice(retry + 1);
  }
  const batchesByEpoch = new Map<number, DLCoach.IBatchEvent[]>();
  const epochs: DLCoach.IEpochEvent[] = [];
  let unfreezeAt: number | null = null;
  let overfitAt: number | null = null;
  for (const event of events) {
    if (event.type === 'batch') {
      const list = batchesByEpoch.get(event.epoch) ?? [];
      list.push(event);
      batchesByEpoch.set(event.epoch, list);
    } else if (event.type === 'epoch') {
      epochs.push(event);
    } else if (
      event.type === 'warning' &&
      event.kind === 'overfitting' &&
      event.epoch !== null
    ) {
      overfitAt = overfitAt ?? event.epoch + 1;
    }
    if (
      unfreezeAt === null &&
      (event.type === 'batch' || event.type === 'epoch') &&
      event.phase === 'unfrozen'
    ) {
      unfreezeAt = event.epoch;
    }
  }
  const finished = new Set(epochs.map(e => e.epoch));

  const points = new Map<
    number,
    { smooth?: number; epoch?: DLCoach.IEpochEvent }
  >();
  for (const [epoch, batches] of batchesByEpoch) {
    const per = finished.has(epoch)
      ? batches.length
      : Math.max(batchesPerEpoch ?? 0, batches.length);
    batches.forEach((batch, i) => {
      points.set(epoch + (i + 1) / per, { smooth: batch.smooth_loss });
    });
  }
  for (const epoch of epochs) {
    const at = epoch.epoch + 1;
    points.set(at, { ...points.get(at), epoch });
  }

  const x = [...points.keys()].sort((a, b) => a - b);
  const finite = (v: number | null | undefined) =>
    v === null || v === undefined || !Number.isFinite(v) ? null : v;
  return {
    x,
    smoothLoss: x.map(at => finite(points.get(at)!.smooth)),
    trainLoss: x.map(at => finite(points.get(at)!.epoch?.train_loss)),
    validLoss: x.map(at => finite(points.get(at)!.epoch?.valid_loss)),
    errorRate: x.map(at => finite(points.get(at)!.epoch?.metrics?.error_rate)),
    unfreezeAt,
    overfitAt,
    epochs: epochs.length
  };
}

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
