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
 * a live update costs the new events only, whatever the run's length. Batch i of an epoch in progress
 * sits at epoch + (i+1)/max(batchesPerEpoch, i+1), and an epoch's batches are respaced evenly when it
 * ends (that epoch's only). A long run's history may come thinned by the server (`loadHistory`): each
 * point held keeps its index in its epoch, so thinned and live points are placed alike. The chart
 * downsamples a copy of what is held for display.
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
   * Start from a history the server thinned (`GET runs/ID/series`): its batch points and other events
   * merged in seq order, then `lastSeq` set to the history's, for live events to follow on. Ignored
   * unless this series is still empty of events (live ones arriving first are added after, by seq).
   */
  loadHistory(history: DLCoach.IRunHistory): boolean {
    if (this._lastSeq !== 0 || history.last_seq === 0) {
      return false;
    }
    const b = history.batches;
    const counts = new Map<
      number,
      DLCoach.IRunHistory['batches']['epochs'][0]
    >();
    for (const e of b.epochs) {
      counts.set(e.epoch, e);
    }
    let k = 0;
    for (const event of history.events) {
      for (; k < b.seq.length && b.seq[k] < event.seq; k++) {
        this._point(b.epoch[k], b.index[k], b.smooth_loss[k], counts);
      }
      this._apply(event);
    }
    for (; k < b.seq.length; k++) {
      this._point(b.epoch[k], b.index[k], b.smooth_loss[k], counts);
    }
    this._lastSeq = history.last_seq;
    this._total = b.total;
    this._rewrites.push(0);
    this._version++;
    return true;
  }

  /**
   * The batch points of a range the server sent at finer resolution (`GET runs/ID/series?from=&to=`),
   * placed as this series places the same batches, for the chart to draw in a zoomed view.
   */
  placeRange(history: DLCoach.IRunHistory): { x: number[]; y: number[] } {
    const b = history.batches;
    const counts = new Map<number, number>();
    for (const e of b.epochs) {
      counts.set(e.epoch, e.count);
    }
    const ended = new Set(this._epochs.map(e => e.x - 1));
    const x: number[] = [];
    const y: number[] = [];
    for (let k = 0; k < b.seq.length; k++) {
      const loss = finite(b.smooth_loss[k]);
      if (loss === null) {
        continue;
      }
      const epoch = b.epoch[k];
      const i = b.index[k];
      // A finished epoch's batches are spread over its count; the epoch in progress as live ones are.
      const per = ended.has(epoch)
        ? (counts.get(epoch) ?? i + 1)
        : Math.max(this._per, i + 1);
      x.push(epoch + (i + 1) / per);
      y.push(loss);
    }
    return { x, y };
  }

  /** How many batches the run has had; more than `batchCount` when its history came thinned. */
  get totalBatches(): number {
    return Math.max(this._n, this._total + this._liveBatches);
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
      this._startEpoch(event.epoch, 0);
    }
    this._liveBatches++;
    this._hold(event.epoch, this._epochBatches, finite(event.smooth_loss));
    this._epochBatches++;
  }

  /** A batch of a thinned history: its index in its epoch says where it goes. */
  private _point(
    epoch: number,
    index: number,
    loss: number | null,
    epochs: Map<number, DLCoach.IRunHistory['batches']['epochs'][0]>
  ): void {
    if (epoch !== this._curEpoch) {
      const known = epochs.get(epoch);
      this._startEpoch(epoch, known?.count ?? 0);
      if (this._unfreezeAt === null && known?.phase === 'unfrozen') {
        this._unfreezeAt = epoch;
      }
    }
    this._epochBatches = Math.max(this._epochBatches, index + 1);
    this._hold(epoch, index, finite(loss));
  }

  private _startEpoch(epoch: number, batches: number): void {
    this._curEpoch = epoch;
    this._epochStart = this._n;
    this._epochBatches = batches;
  }

  private _hold(epoch: number, index: number, loss: number | null): void {
    const per = Math.max(this._per, index + 1);
    this._grow();
    this._bx[this._n] = epoch + (index + 1) / per;
    this._by[this._n] = loss ?? NaN;
    this._bi[this._n] = index;
    this._n++;
  }

  private _epoch(event: DLCoach.IEpochEvent): void {
    if (event.epoch === this._curEpoch) {
      // The epoch's real batch count is now known: space its batches evenly over it.
      const count = Math.max(1, this._epochBatches);
      this._rewrites.push(this._epochStart);
      for (let i = this._epochStart; i < this._n; i++) {
        this._bx[i] = event.epoch + (this._bi[i] + 1) / count;
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
    const bi = new Int32Array(this._bi.length * 2);
    bx.set(this._bx);
    by.set(this._by);
    bi.set(this._bi);
    this._bx = bx;
    this._by = by;
    this._bi = bi;
  }

  private _clearCurves(): void {
    this._rewrites.push(0);
    this._n = 0;
    this._epochStart = 0;
    this._epochBatches = 0;
    this._curEpoch = -1;
    this._total = 0;
    this._liveBatches = 0;
    this._epochs = [];
    this._unfreezeAt = null;
    this._overfitAt = null;
  }

  private _recordedBest: number | null = null;
  private _lastSeq = 0;
  private _per = 1;
  private _bx = new Float64Array(1024);
  private _by = new Float64Array(1024);
  /** Each held batch's index in its epoch. */
  private _bi = new Int32Array(1024);
  private _n = 0;
  private _curEpoch = -1;
  /** The first held batch of the current epoch, and how many batches that epoch has had. */
  private _epochStart = 0;
  private _epochBatches = 0;
  /** Batches a thinned history stood for, and batches added live since. */
  private _total = 0;
  private _liveBatches = 0;
  private _epochs: IEpochPoint[] = [];
  private _warnings: DLCoach.IWarningEvent[] = [];
  private _settings: DLCoach.ISettingsEvent | null = null;
  private _unfreezeAt: number | null = null;
  private _overfitAt: number | null = null;
  private _version = 0;
  private _rewrites: number[] = [];
}
