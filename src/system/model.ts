import { VDomModel } from '@jupyterlab/ui-components';
import { Poll } from '@lumino/polling';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';

/** How often a running weights download is asked about. */
const DOWNLOAD_POLL_MS = 500;

/**
 * What the coach will train on, as last reported by `GET system`, and the downloads of pretrained
 * weights started from here, followed by a poll while one runs.
 */
export class SystemModel extends VDomModel {
  constructor(private _api: CoachAPI) {
    super();
    this._poll = new Poll({
      auto: false,
      factory: () => this._followDownloads(),
      frequency: { interval: DOWNLOAD_POLL_MS, backoff: true, max: 10 * 1000 },
      name: 'jupyterlab-dlcoach:weights-downloads',
      // Nothing to follow when no download runs; nothing to show while the page is hidden.
      standby: () => (this.downloading ? 'when-hidden' : true)
    });
  }

  /** The latest download of each architecture, by architecture. */
  get downloads(): ReadonlyMap<string, DLCoach.IWeightsDownload> {
    return this._downloads;
  }

  /** Whether any download is running. */
  get downloading(): boolean {
    return [...this._downloads.values()].some(d => d.state === 'running');
  }

  /** An error from asking for weights (the request itself, not a failed download). */
  get weightsError(): string | null {
    return this._weightsError;
  }

  /** Start fetching an architecture's pretrained weights; progress follows in `downloads`. */
  async getWeights(arch: string): Promise<void> {
    try {
      const reply = await this._api.getWeights(arch);
      this._weightsError = null;
      this._apply(reply);
      this._downloads.set(arch, reply.download);
      this.stateChanged.emit();
      if (reply.download.state === 'running') {
        await this._poll.start();
        await this._poll.refresh();
      }
    } catch (reason) {
      this._weightsError = (reason as Error).message;
      this.stateChanged.emit();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    super.dispose();
  }

  get info(): DLCoach.ISystemInfo | null {
    return this._info;
  }

  get error(): string | null {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  async refresh(): Promise<void> {
    this._loading = true;
    this.stateChanged.emit();
    try {
      this._info = await this._api.system();
      this._error = null;
    } catch (reason) {
      this._error = (reason as Error).message;
    } finally {
      this._loading = false;
      this.stateChanged.emit();
    }
  }

  private async _followDownloads(): Promise<void> {
    const state = await this._api.weights();
    this._apply(state);
    this.stateChanged.emit();
    if (!this.downloading) {
      void this._poll.stop();
    }
  }

  /** Take the server's downloads and cache listing, keeping the newest download per architecture. */
  private _apply(state: DLCoach.IWeightsState): void {
    const newestFirst = [...state.downloads].reverse();
    for (const download of newestFirst) {
      this._downloads.set(download.arch, download);
    }
    if (this._info) {
      this._info = {
        ...this._info,
        hub_dir: state.hub_dir,
        weights: state.weights.map(
          ({ arch, cached, size_mb, download_mb }) => ({
            arch,
            cached,
            size_mb,
            download_mb
          })
        )
      };
    }
  }

  private _info: DLCoach.ISystemInfo | null = null;
  private _downloads = new Map<string, DLCoach.IWeightsDownload>();
  private _weightsError: string | null = null;
  private _poll: Poll;
  private _error: string | null = null;
  private _loading = false;
}

/** How far a download is, from 0 to 1, or null when the server did not say how big the file is. */
export function downloadFraction(
  download: DLCoach.IWeightsDownload
): number | null {
  if (!download.bytes_total) {
    return null;
  }
  return Math.min(1, download.bytes_done / download.bytes_total);
}

/** A byte count in MB, one decimal: "12.3". */
export function megabytes(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** "1.5 GiB of 80 GiB"-style memory text from MiB counts. */
export function formatMemory(usedMb: number, totalMb: number): string {
  const gib = (mb: number) => (mb / 1024).toFixed(mb >= 10240 ? 0 : 1);
  return `${gib(usedMb)} / ${gib(totalMb)} GiB`;
}
