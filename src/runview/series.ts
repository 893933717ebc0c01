import { DLCoach } from '../models';

const RETRY = 'cuda_oom_retry';

/** One epoch's numbers, placed at the epoch's end (epoch 0 at x = 1). */
export interface IEpochPoint {
  x: number;
  phase: DLCoach.Phase;
  train: number | null;
  valid: number | null;
  error: number | null;
}

/** What `RunSeries.add` did with a batch of events. */
export type AddResult = 'appended' | 'unchanged' | 'gap';

function finite(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}

/**
 * A run's curves, built incrementally from its events in seq order: each event is looked at once, so
 * a live update costs the new events only, whatever the run's length. Batches of the epoch in progress
 * are spread over `batchesPerEpoch` and respaced when the epoch ends (that epoch's batches only).
 * The full-resolution series stays here; the chart downsamples a copy for display.
 */
export class RunSeries {
  /** The last seq held; events are accepted only in order after it. */
  get lastSeq(): number {
    return this._lastSeq;
  }

  /** Batch positions (x in epochs) and smoothed losses, `length` entries valid. */
  get batchX(): Float64Array {
    return this._bx;
  }
  get batchLoss(): Float64Array {
    return this._by;
  }
  get batchCount(): number {
    return this._n;
  }

  get epochs(): IEpochPoint[] {
    return this._epochs;
  }
  get warnings(): DLCoach.IWarningEvent[] {
    return this._warnings;
  }
  get settings(): DLCoach.ISettingsEvent | null {
    return this._settings;
  }
  /** Start of the first unfrozen epoch (where fine_tune unfroze), if any. */
  get unfreezeAt(): number | null {
    return this._unfreezeAt;
  }
  /** Where overfitting began by the coach's judgement, if it did. */
  get overfitAt(): number | null {
    return this._overfitAt;
  }
  /** Bumped on every change, so that views redraw only when something changed. */
  get version(): number {
    return this._version;
  }
  get isEmpty(): boolean {
    return this._n === 0 && this._epochs.length === 0;
  }

  /**
   * The best epoch the trainer recorded (`result.best.epoch`, from 0), when the run has one: its
   * choice (which breaks ties by validation loss, and is the one exported) wins over the curves'.
   */
  set recordedBest(epoch: number | null) {
    if (epoch !== this._recordedBest) {
      this._recordedBest = epoch;
      this._version++;
    }
  }

  /** The epoch with the lowest error rate (the best model so far), or null. */
  get best(): IEpochPoint | null {
    if (this._recordedBest !== null) {
      const recorded = this._epochs.find(e => e.x === this._recordedBest! + 1);
      if (recorded) {
        return recorded;
      }
    }
    let best: IEpochPoint | null = null;
    for (const e of this._epochs) {
      if (e.error !== null && (best === null || e.error < best.error!)) {
        best = e;
      }
    }
    return best;
  }

  /** The last epoch's error rate, or null. */
  get finalError(): number | null {
    const last = this._epochs[this._epochs.length - 1];
    return last ? last.error : null;
  }

  /** Bumped each time points already held are rewritten (an epoch respaced, a retry cleared). */
  get rewrites(): number {
    return this._rewrites.length;
  }

  /** The lowest batch index rewritten since `rewrites` was `seen` (batchCount if none). */
  rewrittenFrom(seen: number): number {
    let from = this._n;
    for (let i = seen; i < this._rewrites.length; i++) {
      from = Math.min(from, this._rewrites[i]);
    }
    return from;
  }

  /** How many batches the epoch in progress has; from the run's progress. */
  set batchesPerEpoch(value: number) {
    this._per = Math.max(1, value || 1);
  }

  /**
   * Append events after `lastSeq`. Events already held are skipped; a missing seq stops the append and
   * answers 'gap', for the caller to fetch the missing ones and add them.
   */
  add(events: DLCoach.IEvent[]): AddResult {
    let appended = false;
    for (const event of events) {
      if (event.seq <= this._lastSeq) {
        continue;
      }
      if (event.seq !== this._lastSeq + 1) {
        if (appended) {
          this._version++;
        }
        return 'gap';
      }
      this._lastSeq = event.seq;
      this._apply(event);
      appended = true;
    }
    if (appended) {
      this._version++;
    }
    return appended ? 'appended' : 'unchanged';
  }

  private _apply(event: DLCoach.IEvent): void {
    switch (event.type) {
      case 'batch':
        this._batch(event);
        break;
      case 'epoch':
        this._epoch(event);
        break;
      case 'warning':
        this._warnings.push(event);
        if (event.kind === RETRY) {
          // The trainer starts the fit again at a smaller batch size: draw that attempt only.
          this._clearCurves();
        } else if (event.kind === 'overfitting' && event.epoch !== null) {
          this._overfitAt = this._overfitAt ?? event.epoch + 1;
        }
        break;
      case 'settings':
        this._settings = event;
        break;
    }
    if (
      this._unfreezeAt === null &&
      (event.type === 'batch' || event.type === 'epoch') &&
      event.phase === 'unfrozen'
    ) {
      this._unfreezeAt = event.epoch;
    }
  }

  private _batch(event: DLCoach.IBatchEvent): void {
    if (event.epoch !== this._curEpoch) {
      this._curEpoch = event.epoch;
      this._epochStart = this._n;
    }
    const i = this._n - this._epochStart;
    const per = Math.max(this._per, i + 1);
    this._grow();
    this._bx[this._n] = event.epoch + (i + 1) / per;
    this._by[this._n] = finite(event.smooth_loss) ?? NaN;
    this._n++;
  }

  private _epoch(event: DLCoach.IEpochEvent): void {
    if (event.epoch === this._curEpoch) {
      // The epoch's real batch count is now known: space its batches evenly over it.
      const count = this._n - this._epochStart;
      this._rewrites.push(this._epochStart);
      for (let i = 0; i < count; i++) {
        this._bx[this._epochStart + i] = event.epoch + (i + 1) / count;
      }
    }
    this._epochs.push({
      x: event.epoch + 1,
      phase: event.phase,
      train: finite(event.train_loss),
      valid: finite(event.valid_loss),
      error: finite(event.metrics?.error_rate)
    });
  }

  private _grow(): void {
    if (this._n < this._bx.length) {
      return;
    }
    const bx = new Float64Array(this._bx.length * 2);
    const by = new Float64Array(this._by.length * 2);
    bx.set(this._bx);
    by.set(this._by);
    this._bx = bx;
    this._by = by;
  }

  private _clearCurves(): void {
    this._rewrites.push(0);
    this._n = 0;
    this._epochStart = 0;
    this._curEpoch = -1;
    this._epochs = [];
    this._unfreezeAt = null;
    this._overfitAt = null;
  }

  private _recordedBest: number | null = null;
  private _lastSeq = 0;
  private _per = 1;
  private _bx = new Float64Array(1024);
  private _by = new Float64Array(1024);
  private _n = 0;
  private _curEpoch = -1;
  private _epochStart = 0;
  private _epochs: IEpochPoint[] = [];
  private _warnings: DLCoach.IWarningEvent[] = [];
  private _settings: DLCoach.ISettingsEvent | null = null;
  private _unfreezeAt: number | null = null;
  private _overfitAt: number | null = null;
  private _version = 0;
  private _rewrites: number[] = [];
}
