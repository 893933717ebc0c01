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
