import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import { StreamConnection } from '../training/connection';
import { recordedBest } from './runModels';
import { RunSeries } from './series';

/**
 * One run, followed live over its own resumable push channel (`stream?run=ID&after=SEQ`): each
 * (re)connection asks for the events after the last seq held, so nothing is missed or doubled. A gap
 * (a message lost between reconnects) is filled by REST. `changed` is emitted at most once per
 * animation frame, however many messages arrive in it.
 */
export class RunModel implements IDisposable {
  constructor(options: RunModel.IOptions) {
    this._api = options.api;
    this.id = options.id;
    this._run = options.run ?? null;
    this.series.recordedBest = recordedBest(this._run)?.epoch ?? null;
    this._connection =
      options.connection ??
      new StreamConnection(
        () => this._api.streamUrl({ id: this.id, after: this.series.lastSeq }),
        this._api.serverSettings
      );
    this._connection.received.connect((_, m) => this.handle(m));
  }

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
    this._connection.dispose();
    Signal.clearData(this);
  }

  /** Ask the views to render again (on the next frame), e.g. after a choice made in one of them. */
  refresh(): void {
    this._schedule();
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
  private _connection: StreamConnection;
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
  }
}
