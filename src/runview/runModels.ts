import { DLCoach } from '../models';

export type IRecordedBest = DLCoach.IRecordedBest;

/** A finished job's exported models and the one it uses (see docs/api.md, "Models of a job"). */
export interface IRunModels {
  best: IRecordedBest | null;
  /** Root-relative paths: the last epoch's model, and the best epoch's (the same file when it is last). */
  last: string;
  bestPath: string;
  use: 'best' | 'last';
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `result.best` of a run, when it recorded one. */
export function recordedBest(run: DLCoach.IRun | null): IRecordedBest | null {
  const best = isObject(run?.result) ? run!.result.best : null;
  if (!isObject(best) || typeof best.epoch !== 'number') {
    return null;
  }
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    epoch: best.epoch,
    error_rate: num(best.error_rate),
    valid_loss: num(best.valid_loss)
  };
}

/** The exported models of a finished job, or null (a notebook run, or a job that did not finish). */
export function runModels(run: DLCoach.IRun | null): IRunModels | null {
  const result = run?.result;
  const models = isObject(result) ? result.models : null;
  if (!isObject(models) || typeof models.last !== 'string') {
    return null;
  }
  return {
    best: recordedBest(run),
    last: models.last,
    bestPath: typeof models.best === 'string' ? models.best : models.last,
    use: result!.model === 'best' ? 'best' : 'last'
  };
}
