import { VDomModel } from '@jupyterlab/ui-components';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';

/**
 * What the coach will train on, as last reported by `GET system`.
 */
export class SystemModel extends VDomModel {
  constructor(private _api: CoachAPI) {
    super();
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

  private _info: DLCoach.ISystemInfo | null = null;
  private _error: string | null = null;
  private _loading = false;
}

/** "1.5 GiB of 80 GiB"-style memory text from MiB counts. */
export function formatMemory(usedMb: number, totalMb: number): string {
  const gib = (mb: number) => (mb / 1024).toFixed(mb >= 10240 ? 0 : 1);
  return `${gib(usedMb)} / ${gib(totalMb)} GiB`;
}
