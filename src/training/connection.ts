import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { DLCoach } from '../models';

/**
 * The push channel (`GET stream`, a websocket), kept open by a lumino Poll. The poll's factory opens a
 * socket and settles when it closes: resolved after a working connection (reconnect after the base
 * interval, and the backoff starts over), rejected when it never opened (reconnect with backoff).
 */
export class StreamConnection implements IDisposable {
  /**
   * @param url - the socket's URL, or a function giving it at each (re)connection, so that a one-run
   * stream resumes with `after=` the last seq its client holds.
   */
  constructor(
    url: string | (() => string),
    serverSettings: ServerConnection.ISettings
  ) {
    this._url = url;
    this._settings = serverSettings;
    this._poll = new Poll({
      factory: () => this._connect(),
      frequency: { interval: 1000, backoff: true, max: 30 * 1000 },
      name: 'jupyterlab-dlcoach:stream',
      standby: 'never'
    });
  }

  /** Every message the server pushes. */
  get received(): ISignal<this, DLCoach.StreamMessage> {
    return this._received;
  }

  /** Emitted with true on each (re)connection and false when a connection drops. */
  get connectionChanged(): ISignal<this, boolean> {
    return this._connectionChanged;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    this._socket?.close();
    Signal.clearData(this);
  }

  private _connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let url = typeof this._url === 'string' ? this._url : this._url();
      const { token, appendToken } = this._settings;
      if (appendToken && token) {
        const query = URLExt.objectToQueryString({ token });
        url += url.includes('?') ? `&${query.slice(1)}` : query;
      }
      const socket = new this._settings.WebSocket(url);
      this._socket = socket;
      let opened = false;
      socket.onopen = () => {
        opened = true;
        this._connectionChanged.emit(true);
      };
      socket.onmessage = (message: MessageEvent) => {
        try {
          this._received.emit(
            JSON.parse(message.data) as DLCoach.StreamMessage
          );
        } catch (reason) {
          console.error('DL Coach: a push message was not JSON.', reason);
        }
      };
      socket.onclose = () => {
        this._connectionChanged.emit(false);
        if (opened) {
          resolve();
        } else {
          reject(new Error('The DL Coach push channel could not connect.'));
        }
      };
    });
  }

  private _url: string | (() => string);
  private _settings: ServerConnection.ISettings;
  private _poll: Poll;
  private _socket: WebSocket | null = null;
  private _received = new Signal<this, DLCoach.StreamMessage>(this);
  private _connectionChanged = new Signal<this, boolean>(this);
}
