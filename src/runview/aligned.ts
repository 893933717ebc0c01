import { IncrementalThinner, IThinned, minMaxDownsample } from './downsample';
import { RunSeries } from './series';

/** The chart's data on one x axis, as uPlot wants it: x first, then one array per series. */
export interface IAligned {
  /** x, smoothed batch loss, epoch training loss, validation loss, error rate, then the same four of
   * the compared run when there is one. */
  data: (number | null)[][];
  /** Lowest and highest positive loss, to choose a log scale; null when there is none. */
  lossRange: [number, number] | null;
  /** The last epoch shown, for whole-epoch ticks. */
  maxX: number;
}

/** A range of one run's batch losses at finer resolution than the run holds (a zoomed view). */
export interface IDetail {
  run: RunSeries;
  from: number;
  to: number;
  x: number[];
  y: number[];
}

/** The series columns one run contributes. */
export const SERIES_PER_RUN = 4;

/**
 * Merge one run (and optionally a compared one) into aligned columns, thinning batch losses to about
 * two points per pixel column. Only the thinned points are copied, so the cost at 1M batches is one
 * linear pass for the thinning and a few thousand points after it.
 */
export function alignSeries(
  runs: RunSeries[],
  buckets: number,
  cache?: ThinCache,
  detail?: IDetail | null
): IAligned {
  const columns = new Map<number, (number | null)[]>();
  const width = 1 + runs.length * SERIES_PER_RUN;
  const at = (x: number) => {
    let row = columns.get(x);
    if (!row) {
      row = new Array<number | null>(width).fill(null);
      row[0] = x;
      columns.set(x, row);
    }
    return row;
  };
  let lo = Infinity;
  let hi = -Infinity;
  const loss = (v: number | null) => {
    if (v !== null && v > 0) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return v;
  };
  let maxX = 0;
  runs.forEach((run, r) => {
    const base = 1 + r * SERIES_PER_RUN;
    const thin = cache
      ? cache.thin(run, buckets)
      : minMaxDownsample(run.batchX, run.batchLoss, run.batchCount, buckets);
    // A zoomed range fetched at finer resolution replaces the held points inside it.
    const fine = detail && detail.run === run ? detail : null;
    for (let i = 0; i < thin.x.length; i++) {
      const v = thin.y[i];
      if (fine && thin.x[i] >= fine.from && thin.x[i] <= fine.to) {
        continue;
      }
      at(thin.x[i])[base] = Number.isNaN(v) ? null : loss(v);
      maxX = Math.max(maxX, thin.x[i]);
    }
    if (fine) {
      for (let i = 0; i < fine.x.length; i++) {
        at(fine.x[i])[base] = loss(fine.y[i]);
        maxX = Math.max(maxX, fine.x[i]);
      }
    }
    for (const e of run.epochs) {
      const row = at(e.x);
      row[base + 1] = loss(e.train);
      row[base + 2] = loss(e.valid);
      row[base + 3] = e.error;
      maxX = Math.max(maxX, e.x);
    }
  });
  const rows = [...columns.values()].sort((a, b) => a[0]! - b[0]!);
  const data: (number | null)[][] = [];
  for (let c = 0; c < width; c++) {
    data.push(rows.map(row => row[c]));
  }
  return {
    data,
    lossRange: lo <= hi ? [lo, hi] : null,
    maxX
  };
}

/**
 * Incremental thinning per series, for a chart that redraws as runs grow. Buckets are sized to the
 * run's extent rounded up to a power of two epochs, so their width changes only a few times in a run.
 */
export class ThinCache {
  thin(run: RunSeries, buckets: number): IThinned {
    let entry = this._entries.get(run);
    if (!entry) {
      entry = { thinner: new IncrementalThinner(), seen: 0 };
      this._entries.set(run, entry);
    }
    const n = run.batchCount;
    const last = n > 0 ? run.batchX[n - 1] : 1;
    const extent = 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(last))));
    const dirtyFrom = run.rewrittenFrom(entry.seen);
    entry.seen = run.rewrites;
    return entry.thinner.thin(
      run.batchX,
      run.batchLoss,
      n,
      extent / Math.max(1, buckets),
      dirtyFrom
    );
  }

  private _entries = new WeakMap<
    RunSeries,
    { thinner: IncrementalThinner; seen: number }
  >();
}

/** Whether a loss range spans enough decades that a linear axis would squash it (e.g. 150 → 0.1). */
export function wantsLogScale(range: [number, number] | null): boolean {
  return range !== null && range[1] / range[0] > 100;
}

/** Whole-epoch tick positions from 0 to `maxX`, thinned to at most ~12 ticks. */
export function epochTicks(min: number, max: number): number[] {
  const first = Math.max(0, Math.ceil(min));
  const last = Math.floor(max);
  const span = Math.max(1, last - first);
  const step = Math.max(1, Math.ceil(span / 12));
  const ticks: number[] = [];
  for (let t = first; t <= last; t += step) {
    ticks.push(t);
  }
  return ticks;
}
