import { TranslationBundle } from '@jupyterlab/translation';
import { VDomRenderer } from '@jupyterlab/ui-components';
import * as React from 'react';

import { DLCoach } from '../models';
import {
  downloadFraction,
  formatMemory,
  megabytes,
  SystemModel
} from './model';

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
    const storeProblem = info.store?.problem;
    return (
      <div className="jp-DLCoach-systemBody" aria-busy={loading}>
        {storeProblem && (
          <div
            className="jp-DLCoach-error jp-DLCoach-storeProblem"
            role="alert"
          >
            <p>
              <strong>{trans.__('The run history was damaged.')}</strong>{' '}
              {storeProblem.message}
            </p>
            <p>{storeProblem.advice}</p>
          </div>
        )}
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
        {this._renderWeights(info)}
      </div>
    );
  }

  /** Which architectures' pretrained weights are cached, and a way to get the others. */
  private _renderWeights(info: DLCoach.ISystemInfo): React.ReactElement {
    const trans = this._trans;
    const { downloads, weightsError } = this.model;
    return (
      <div className="jp-DLCoach-weights">
        <h3 className="jp-DLCoach-weightsTitle">
          {trans.__('Pretrained weights')}
        </h3>
        <p className="jp-DLCoach-muted">
          {trans.__(
            'A pretrained model starts from what it learned on a million photos, so it needs far less training. Weights on this machine are in %1.',
            info.hub_dir
          )}
        </p>
        {weightsError && (
          <div className="jp-DLCoach-error" role="alert">
            {trans.__('Could not ask for the weights: %1', weightsError)}
          </div>
        )}
        <table className="jp-DLCoach-weightsTable">
          <tbody>
            {info.weights.map(entry => (
              <tr
                key={entry.arch}
                data-arch={entry.arch}
                data-cached={entry.cached ? 'true' : 'false'}
              >
                <th scope="row">{entry.arch}</th>
                <td>
                  {this._renderWeightsStatus(entry, downloads.get(entry.arch))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }

  private _renderWeightsStatus(
    entry: DLCoach.IWeightsEntry,
    download: DLCoach.IWeightsDownload | undefined
  ): React.ReactElement {
    const trans = this._trans;
    if (entry.cached) {
      return (
        <span className="jp-DLCoach-weightsCached">
          {trans.__('cached (%1 MB)', entry.size_mb ?? '?')}
        </span>
      );
    }
    if (download?.state === 'running') {
      const fraction = downloadFraction(download);
      const label =
        fraction === null
          ? trans.__('%1 MB so far', megabytes(download.bytes_done))
          : trans.__(
              '%1 of %2 MB',
              megabytes(download.bytes_done),
              megabytes(download.bytes_total ?? 0)
            );
      return (
        <span className="jp-DLCoach-weightsProgress">
          <progress
            max={1}
            value={fraction ?? undefined}
            aria-label={trans.__('Downloading the %1 weights', entry.arch)}
          />
          <span aria-live="polite">{label}</span>
        </span>
      );
    }
    const button = (
      <button
        type="button"
        className="jp-mod-styled jp-DLCoach-getWeights"
        title={trans.__(
          'Download the %1 weights (about %2 MB) into the torch hub cache',
          entry.arch,
          entry.download_mb
        )}
        onClick={() => void this.model.getWeights(entry.arch)}
      >
        {trans.__('Get pretrained weights')}
      </button>
    );
    if (download?.state === 'failed' && download.error) {
      return (
        <div className="jp-DLCoach-weightsFailed">
          <div className="jp-DLCoach-error" role="alert">
            {download.error.message}
          </div>
          <div className="jp-DLCoach-advice">{download.error.advice}</div>
          {button}
        </div>
      );
    }
    return button;
  }

  private _trans: TranslationBundle;
}
