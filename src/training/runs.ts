import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import { StreamConnection } from './connection';

/**
 * Every run (server jobs and notebook runs) and the events of the selected one, kept current by the
 * push channel. History comes by REST (`events?after=SEQ`); live events are appended only when their
 * seq follows the last one held, and a gap is filled by REST, so nothing is missed or doubled, even
 * across reconnects.
 */
export class RunsModel implements IDisposable {
  constructor(api: CoachAPI, connection?: StreamConnection) {
    this._api = api;
    this._connection =
      connection ?? new StreamConnection(api.streamUrl(), api.serverSettings);
    this._connection.received.connect((_, message) => this.handle(message));
    this._connection.connectionChanged.connect((_, connected) => {
      this._connected = connected;
      this._changed.emit();
    });
  }

  /** Fill the training form with a run's spec ("Train again"); the form listens. */
  fillForm(request: RunsModel.IFormFill): void {
    this._pendingFill = request;
    this._formFill.emit(request);
  }

  /** The last fill no form has taken yet: a form not on screen when it was asked takes it on mount. */
  takeFormFill(): RunsModel.IFormFill | null {
    const request = this._pendingFill;
    this._pendingFill = null;
    return request;
  }

  get formFillRequested(): ISignal<this, RunsModel.IFormFill> {
    return this._formFill;
  }

  /** Emitted whenever runs, the selection, its events or the connection change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get connected(): boolean {
    return this._connected;
  }

  /** Newest first. */
  get runs(): DLCoach.IRun[] {
    return [...this._runs.values()].sort((a, b) => b.created - a.created);
  }

  get selected(): DLCoach.IRun | null {
    return this._selectedId ? (this._runs.get(this._selectedId) ?? null) : null;
  }

  /**
   * The selected run's events other than batches (epochs, warnings, settings, states): what the panel
   * shows. Batches are left to the run view, so that a long run costs the panel nothing per batch.
   */
  get events(): DLCoach.IEvent[] {
    return this._events;
  }

  /**
   * A run's validation loss per epoch, for its sparkline: from the epochs pushed live (any run) and
   * the selected run's history; empty for a run not seen yet.
   */
  curve(id: string): number[] {
    return this._curves.get(id) ?? [];
  }

  get warnings(): DLCoach.IWarningEvent[] {
    return this._warnings;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._connection.dispose();
    Signal.clearData(this);
  }

  async select(id: string | null): Promise<void> {
    if (id === this._selectedId) {
      return;
    }
    this._selectedId = id;
    this._clear();
    this._changed.emit();
    await this._catchUp();
  }

  async submit(spec: DLCoach.IJobSpec): Promise<DLCoach.IRun> {
    const job = await this._api.submit(spec);
    this._runs.set(job.id, job);
    await this.select(job.id);
    return job;
  }

  /** What went wrong with the last Stop or Delete, in the server's words; null when it worked. */
  get actionError(): string | null {
    return this._actionError;
  }

  async cancel(id: string): Promise<void> {
    await this._act(async () => this._upsert(await this._api.cancel(id)));
  }

  async remove(id: string): Promise<void> {
    await this._act(async () => {
      await this._api.deleteRun(id);
      this._forget(id);
    });
  }

  private async _act(action: () => Promise<void>): Promise<void> {
    this._actionError = null;
    try {
      await action();
    } catch (reason) {
      this._actionError = (reason as Error).message;
    }
    this._changed.emit();
  }

  /** Apply one push message. Public for tests. */
  handle(message: DLCoach.StreamMessage): void {
    switch (message.type) {
      case 'runs':
        this._runs = new Map(message.runs.map(r => [r.id, r]));
        if (this._selectedId && !this._runs.has(this._selectedId)) {
          this._selectedId = null;
          this._clear();
        }
        if (!this._selectedId && message.runs.length > 0) {
          void this.select(this.runs[0].id);
        } else {
          // A (re)connection: fetch whatever the selected run wrote while we were away.
          void this._catchUp();
        }
        break;
      case 'run':
        this._upsert(message.run);
        break;
      case 'events':
        this._noteEpochs(message.run_id, message.events);
        if (message.run_id === this._selectedId) {
          this._append(message.events);
        }
        break;
      case 'deleted':
        this._forget(message.run_id);
        break;
    }
    this._changed.emit();
  }

  private _noteEpochs(id: string, events: DLCoach.IEvent[]): void {
    for (const event of events) {
      if (event.type !== 'epoch') {
        continue;
      }
      const curve = this._curves.get(id) ?? [];
      // Each epoch once, in order, whether it came live, by REST or both.
      if (event.epoch === curve.length && event.valid_loss !== null) {
        curve.push(event.valid_loss);
        this._curves.set(id, curve);
      }
    }
  }

  private _upsert(run: DLCoach.IRun): void {
    this._runs.set(run.id, run);
    this._changed.emit();
  }

  private _forget(id: string): void {
    this._runs.delete(id);
    if (this._selectedId === id) {
      this._selectedId = null;
      this._clear();
    }
    this._changed.emit();
  }

  private _append(events: DLCoach.IEvent[]): void {
    for (const event of events) {
      if (event.seq <= this._lastSeq) {
        continue; // already held
      }
      if (event.seq !== this._lastSeq + 1) {
        void this._catchUp();
        return;
      }
      this._lastSeq = event.seq;
      this._keep(event);
    }
  }

  private _keep(event: DLCoach.IEvent): void {
    if (event.type === 'batch') {
      return;
    }
    this._events.push(event);
    if (event.type === 'warning') {
      this._warnings = [...this._warnings, event];
    }
  }

  private _clear(): void {
    this._events = [];
    this._warnings = [];
    this._lastSeq = 0;
  }

  private async _catchUp(): Promise<void> {
    if (this._fetching) {
      // The fetch in flight may predate what we need now (a new selection, a gap): go again after it.
      this._again = true;
      return;
    }
    this._fetching = true;
    try {
      do {
        this._again = false;
        const id = this._selectedId;
        if (!id) {
          break;
        }
        if (this._lastSeq === 0) {
          // A newly selected run: its events less the batches, and the seq to follow on from, without
          // downloading every batch (a long run has a million).
          const history = await this._api.series(id, 0);
          this._noteEpochs(id, history.events);
          if (id === this._selectedId && this._lastSeq === 0) {
            history.events.forEach(e => this._keep(e));
            this._lastSeq = history.last_seq;
            this._changed.emit();
          }
          continue;
        }
        const events = await this._api.events(id, this._lastSeq);
        this._noteEpochs(id, events);
        if (id === this._selectedId) {
          this._append(events);
          this._changed.emit();
        }
      } while (this._again);
    } catch (reason) {
      console.error('DL Coach: could not fetch the events of a run.', reason);
    } finally {
      this._fetching = false;
    }
  }

  private _api: CoachAPI;
  private _connection: StreamConnection;
  private _connected = false;
  private _runs = new Map<string, DLCoach.IRun>();
  private _selectedId: string | null = null;
  private _events: DLCoach.IEvent[] = [];
  private _warnings: DLCoach.IWarningEvent[] = [];
  private _lastSeq = 0;
  private _fetching = false;
  private _again = false;
  private _actionError: string | null = null;
  private _curves = new Map<string, number[]>();
  private _isDisposed = false;
  private _formFill = new Signal<this, RunsModel.IFormFill>(this);
  private _pendingFill: RunsModel.IFormFill | null = null;
  private _changed = new Signal<this, void>(this);
}

export namespace RunsModel {
  /** A run's spec to put into the form, with another epoch count when given. */
  export interface IFormFill {
    spec: DLCoach.IJobSpec;
    epochs: number | null;
  }
}
