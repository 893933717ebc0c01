import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import { downloadFraction, megabytes, SystemModel } from '../system/model';

function entry(arch: string, cached = false): DLCoach.IWeightsEntry {
  return {
    arch,
    cached,
    size_mb: cached ? 44.7 : null,
    download_mb: 44.6
  };
}

function download(
  state: DLCoach.WeightsDownloadState,
  done: number,
  total: number | null = 1000
): DLCoach.IWeightsDownload {
  return {
    id: 'aaaaaaaaaaaa',
    arch: 'resnet18',
    state,
    bytes_done: done,
    bytes_total: total,
    error:
      state === 'failed'
        ? { message: 'This machine cannot reach the internet', advice: 'Copy' }
        : null,
    started: 1,
    ended: state === 'running' ? null : 2,
    url: 'http://127.0.0.1/models/resnet18-f37072fd.pth',
    file: '/hub/checkpoints/resnet18-f37072fd.pth'
  };
}

const SYSTEM: DLCoach.ISystemInfo = {
  device: 'cpu',
  gpus: [],
  cpu_count: 2,
  versions: {},
  hub_dir: '/hub/checkpoints',
  weights: [entry('resnet18'), entry('resnet34')]
};

/** A server whose download of resnet18 takes `steps` answers of GET weights to finish. */
function fakeServer(steps: DLCoach.IWeightsDownload[]) {
  const calls = { weights: 0 };
  const state = (d: DLCoach.IWeightsDownload): DLCoach.IWeightsState => ({
    hub_dir: '/hub/checkpoints',
    weights: [entry('resnet18', d.state === 'done'), entry('resnet34')],
    downloads: [d]
  });
  const api = {
    system: async () => SYSTEM,
    getWeights: async () => ({
      ...state(download('running', 0)),
      download: download('running', 0)
    }),
    weights: async () => {
      const d = steps[Math.min(calls.weights, steps.length - 1)];
      calls.weights += 1;
      return state(d);
    }
  };
  return { api: api as unknown as CoachAPI, calls };
}

async function until(condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

describe('SystemModel weights downloads', () => {
  it('follows a download until the weights are cached, then stops asking', async () => {
    const { api, calls } = fakeServer([
      download('running', 400),
      download('done', 1000)
    ]);
    const model = new SystemModel(api);
    await model.refresh();
    expect(model.info?.weights[0].cached).toBe(false);

    await model.getWeights('resnet18');
    expect(model.downloading).toBe(true);
    await until(() => model.info?.weights[0].cached === true);
    expect(model.downloads.get('resnet18')?.state).toBe('done');
    expect(model.downloading).toBe(false);

    const settled = calls.weights;
    await new Promise(resolve => setTimeout(resolve, 1200));
    expect(calls.weights).toBe(settled);
    model.dispose();
  });

  it('keeps a failed download with its error for the view', async () => {
    const { api } = fakeServer([download('failed', 0, null)]);
    const model = new SystemModel(api);
    await model.refresh();
    await model.getWeights('resnet18');
    await until(() => model.downloads.get('resnet18')?.state === 'failed');
    expect(model.downloads.get('resnet18')?.error?.message).toContain(
      'cannot reach'
    );
    expect(model.info?.weights[0].cached).toBe(false);
    model.dispose();
  });

  it('says when the request itself is refused', async () => {
    const api = {
      system: async () => SYSTEM,
      getWeights: async () => {
        throw new Error("'arch' must be one of resnet18, …");
      }
    } as unknown as CoachAPI;
    const model = new SystemModel(api);
    await model.refresh();
    await model.getWeights('resnet9000');
    expect(model.weightsError).toContain("'arch'");
    expect(model.downloading).toBe(false);
    model.dispose();
  });
});

describe('download progress', () => {
  it('is a fraction only when the size is known', () => {
    expect(downloadFraction(download('running', 250))).toBe(0.25);
    expect(downloadFraction(download('running', 250, null))).toBeNull();
    expect(megabytes(46_830_571)).toBe('44.7');
  });
});
