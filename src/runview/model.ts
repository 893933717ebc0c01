import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import { StreamConnection } from '../training/connection';
import { recordedBest } from './runModels';
import { RunSeries } from './series';

/** Batch points asked of the server for a run's history: about two per pixel of a wide chart. */
export const HISTORY_POINTS = 4000;

/**
 * One run: its history from `GET runs/ID/series` (batch losses thinned on the server, so a 1M-batch
 * run is a few thousand points, not 230 MB of events), then followed live over its own resumable push
 * channel (`stream?run=ID&after=SEQ`) from the history's last seq: each (re)connection asks for the
 * events after the last seq held, so nothing is missed or doubled. A gap (a message lost between
 * reconnects) is filled by REST. `changed` is emitted at most once per animation frame, however many
 * messages arrive in it.
 */
export class RunModel implements IDisposable {
  constructor(options: RunModel.IOptions) {
    this._api = options.api;
    this.id = options.id;
    this._run = options.run ?? null;
    this.series.recordedBest = recordedBest(this._run)?.epoch ?? null;
    this.series.batchesPerEpoch = this._run?.progress?.batches ?? 1;
    this._connect = () => {
      if (this._isDisposed || this._connection) {
        return;
      }
      this._connection =
        options.connection ??
        new StreamConnection(
          () =>
            this._api.streamUrl({ id: this.id, after: this.series.lastSeq }),
          this._api.serverSettings
        );
      this._connection.received.connect((_, m) => this.handle(m));
    };
    if (options.history === false) {
      this._connect();
    } else {
      this.ready = this._loadHistory();
    }
  }

  /** Settles once the history is loaded (or could not be) and the push channel is open. */
  readonly ready: Promise<void> = Promise.resolve();

  readonly id: string;
  readonly series = new RunSeries();

  /** The run's record (state, progress, result); null until the server sent it. */
  get run(): DLCoach.IRun | null {
    return this._run;
  }

  /** The server said the run does not exist (deleted). */
  get missing(): boolean {
    return this._missing;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    if (this._frame) {
      cancelAnimationFrame(this._frame);
    }
    this._connection?.dispose();
    Signal.clearData(this);
  }

  /** Ask the views to render again (on the next frame), e.g. after a choice made in one of them. */
  refresh(): void {
    this._schedule();
  }

  /**
   * The run's batch losses between two x positions (epochs) at finer resolution than the history held,
   * for a zoomed chart; null when the history was not thinned (the series has every batch already).
   */
  async detail(
    from: number,
    to: number,
    points: number
  ): Promise<{ x: number[]; y: number[] } | null> {
    if (this.series.totalBatches <= this.series.batchCount || to <= from) {
      return null;
    }
    const history = await this._api.series(this.id, points, {
      from: Math.max(0, from),
      to
    });
    return this._isDisposed ? null : this.series.placeRange(history);
  }

  /** Apply one push message. Public for tests. */
  handle(message: DLCoach.StreamMessage): void {
    switch (message.type) {
      case 'run':
        if (message.run.id === this.id) {
          this._run = message.run;
          this.series.batchesPerEpoch = message.run.progress?.batches ?? 1;
          this.series.recordedBest = recordedBest(message.run)?.epoch ?? null;
          this._schedule();
        }
        break;
      case 'events':
        if (message.run_id === this.id) {
          this._add(message.events);
        }
        break;
      case 'deleted':
        if (message.run_id === this.id) {
          this._missing = true;
          this._schedule();
        }
        break;
    }
  }

  private _add(events: DLCoach.IEvent[]): void {
    const result = this.series.add(events);
    if (result === 'gap') {
      void this._fill();
    }
    if (result !== 'unchanged') {
      this._schedule();
    }
  }

  /**
   * Load the thinned history, then open the push channel after its last seq. Without it (a server
   * error), the channel replays the whole backlog instead, as it always could.
   */
  private async _loadHistory(): Promise<void> {
    try {
      const history = await this._api.series(this.id, HISTORY_POINTS);
      if (!this._isDisposed && this.series.loadHistory(history)) {
        this._schedule();
      }
    } catch {
      // The backlog over the push channel is the fallback.
    }
    this._connect();
  }

  private async _fill(): Promise<void> {
    if (this._filling) {
      return;
    }
    this._filling = true;
    try {
      const events = await this._api.events(this.id, this.series.lastSeq);
      this._filling = false;
      this._add(events);
    } catch {
      // The next (re)connection resumes from the last seq held.
      this._filling = false;
    }
  }

  /** Coalesce changes into one per frame (a run message and its events often arrive together). */
  private _schedule(): void {
    if (this._frame || this._isDisposed) {
      return;
    }
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this._changed.emit();
    });
  }

  private _api: CoachAPI;
  private _connect: () => void;
  private _connection: StreamConnection | null = null;
  private _run: DLCoach.IRun | null;
  private _missing = false;
  private _filling = false;
  private _frame = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace RunModel {
  export interface IOptions {
    api: CoachAPI;
    id: string;
    /** The run's record when the caller already has it. */
    run?: DLCoach.IRun | null;
    /** For tests: a stand-in for the push channel. */
    connection?: StreamConnection;
    /** Load the thinned history before following live (default true); false replays the backlog. */
    history?: boolean;
  }
}
