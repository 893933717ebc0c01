import { TranslationBundle } from '@jupyterlab/translation';
import { VDomRenderer } from '@jupyterlab/ui-components';
import * as React from 'react';

import { formatMemory, SystemModel } from './model';

const LIBRARIES = ['torch', 'torchvision', 'fastai'];

/**
 * The System section: the device that training jobs will use, and the library versions.
 */
export class SystemView extends VDomRenderer<SystemModel> {
  constructor(model: SystemModel, trans: TranslationBundle) {
    super(model);
    this._trans = trans;
    this.addClass('jp-DLCoach-system');
    this.title.label = trans.__('System');
  }

  protected render(): React.ReactElement {
    const trans = this._trans;
    const { info, error, loading } = this.model;
    if (error) {
      return (
        <div className="jp-DLCoach-error" role="alert">
          {trans.__(
            'Could not ask the server what it will train on: %1',
            error
          )}
        </div>
      );
    }
    if (!info) {
      return (
        <div className="jp-DLCoach-muted">
          {loading ? trans.__('Asking the server…') : ''}
        </div>
      );
    }
    return (
      <div className="jp-DLCoach-systemBody" aria-busy={loading}>
        <p className="jp-DLCoach-device" data-device={info.device}>
          {info.device === 'cuda'
            ? trans._n(
                'Training runs on the GPU next to your kernel.',
                'Training runs on one of %1 GPUs next to your kernel.',
                info.gpus.length
              )
            : trans.__(
                'No GPU found: training runs on the CPU (%1 cores). Small images and few epochs keep it quick.',
                info.cpu_count
              )}
        </p>
        {info.gpus.length > 0 && (
          <ul className="jp-DLCoach-gpus">
            {info.gpus.map(gpu => (
              <li key={gpu.index} className="jp-DLCoach-gpu">
                <span className="jp-DLCoach-gpuName">
                  {trans.__('GPU %1: %2', gpu.index, gpu.name)}
                </span>
                <span className="jp-DLCoach-gpuMemory">
                  {trans.__(
                    'memory %1',
                    formatMemory(gpu.memory_used_mb, gpu.memory_total_mb)
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
        <table className="jp-DLCoach-versions">
          <tbody>
            {LIBRARIES.map(name => (
              <tr key={name} data-library={name}>
                <th scope="row">{name}</th>
                <td>{info.versions[name] ?? trans.__('not installed')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }

  private _trans: TranslationBundle;
}
