import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import {
  alignSeries,
  epochTicks,
  ThinCache,
  wantsLogScale
} from '../runview/aligned';
import { specChanges, whatChanged } from '../runview/compare';
import {
  IncrementalThinner,
  lowerBound,
  minMaxDownsample
} from '../runview/downsample';
import { RunChart } from '../runview/chart';
import { RunModel } from '../runview/model';
import { runNumbers } from '../runview/numbers';
import { runNumbersText } from '../glossary/runNumbers';
import { RunSeries } from '../runview/series';
import { StreamConnection } from '../training/connection';
import { RunsModel } from '../training/runs';
import { FakeConnection } from './fakeConnection';

const trans = nullTranslator.load('jupyterlab_dlcoach');
const RUN = 'bbbbbbbbbbbb';

function batch(seq: number, epoch: number, smooth: number, phase = 'fit') {
  return {
    ...{ seq, run_id: RUN, time: seq, type: 'batch', phase, epoch },
    ...{ iter: seq, loss: smooth, smooth_loss: smooth, lr: 0.001 }
  } as DLCoach.IBatchEvent;
}

function epoch(
  seq: number,
  n: number,
  valid: number,
  error: number,
  phase = 'fit'
) {
  return {
    ...{ seq, run_id: RUN, time: seq, type: 'epoch', phase, epoch: n },
    ...{ train_loss: valid, valid_loss: valid, seconds: 1 },
    metrics: { error_rate: error }
  } as DLCoach.IEpochEvent;
}

function warning(seq: number, kind: string, n: number | null = 0) {
  return {
    ...{ seq, run_id: RUN, time: seq, type: 'warning', kind, epoch: n },
    ...{ message: 'm', advice: 'a', terms: [] }
  } as DLCoach.IWarningEvent;
}

describe('minMaxDownsample', () => {
  const n = 100000;
  const x = Float64Array.from({ length: n }, (_, i) => i / 1000);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 5000));
  y[31337] = 50; // a spike
  y[70001] = -50; // a dip

  it('keeps every spike, the ends, and at most two points per bucket', () => {
    const out = minMaxDownsample(x, y, n, 500);
    expect(out.x.length).toBeLessThanOrEqual(2 * 500 + 2);
    expect(Math.max(...out.y)).toBe(50);
    expect(Math.min(...out.y)).toBe(-50);
    expect(out.x[0]).toBe(x[0]);
    expect(out.x[out.x.length - 1]).toBe(x[n - 1]);
    for (let i = 1; i < out.x.length; i++) {
      expect(out.x[i]).toBeGreaterThan(out.x[i - 1]);
    }
  });

  it('keeps the shape: every kept point is a real point, near the curve', () => {
    const out = minMaxDownsample(x, y, n, 500);
    out.x.forEach((xi, k) => {
      const i = Math.round(xi * 1000);
      expect(out.y[k]).toBe(y[i]);
    });
    // Each bucket's extremes bound the original values inside it.
    const bucketMax = Math.max(...out.y.filter(v => v < 2));
    expect(bucketMax).toBeCloseTo(1, 3);
  });

  it('returns short series whole, and only the zoomed range plus a point each side', () => {
    expect(minMaxDownsample([0, 1, 2], [3, 4, 5], 3, 10)).toEqual({
      x: [0, 1, 2],
      y: [3, 4, 5]
    });
    const zoomed = minMaxDownsample(x, y, n, 1000, 10, 11);
    expect(zoomed.x[0]).toBeLessThan(10);
    expect(zoomed.x[zoomed.x.length - 1]).toBeGreaterThanOrEqual(11);
    expect(zoomed.x.length).toBeLessThanOrEqual(1003);
    expect(lowerBound(x, n, 10)).toBe(10000);
  });
});

describe('IncrementalThinner', () => {
  it('fed in pieces, gives what it gives fed at once, spikes included', () => {
    const n = 20000;
    const x = Float64Array.from({ length: n }, (_, i) => i / 1000);
    const y = Float64Array.from({ length: n }, (_, i) => Math.cos(i / 700));
    y[12345] = 9;
    const whole = new IncrementalThinner().thin(x, y, n, 0.05, n);
    const live = new IncrementalThinner();
    let out = live.thin(x, y, 0, 0.05, 0);
    for (let k = 1000; k <= n; k += 1000) {
      out = live.thin(x, y, k, 0.05, k);
    }
    expect(out).toEqual(whole);
    expect(Math.max(...out.y)).toBe(9);
    expect(out.x.length).toBeLessThanOrEqual(2 * (20 / 0.05) + 2);
    // Rewritten points (an epoch respaced) are scanned again.
    y[19990] = -9;
    out = live.thin(x, y, n, 0.05, 19990);
    expect(Math.min(...out.y)).toBe(-9);
  });

  it('follows a live run through the chart cache, respacing included', () => {
    const s = new RunSeries();
    s.batchesPerEpoch = 100;
    const cache = new ThinCache();
    const events = Array.from({ length: 50 }, (_, i) =>
      batch(i + 1, 0, 2 - i / 50)
    );
    s.add(events);
    expect(alignSeries([s], 10, cache).data[1].length).toBeLessThanOrEqual(22);
    s.add([epoch(51, 0, 1, 0.5)]);
    const out = alignSeries([s], 10, cache);
    // After the epoch ended, its 50 batches span the whole epoch: the last at x = 1.
    expect(out.data[0][out.data[0].length - 1]).toBe(1);
    expect(out.data[1][0]).toBe(2);
  });
});

describe('RunSeries', () => {
  it('merges by sequence number: skips what it holds, stops at a gap', () => {
    const s = new RunSeries();
    s.batchesPerEpoch = 4;
    expect(s.add([batch(1, 0, 2), batch(2, 0, 1.8)])).toBe('appended');
    expect(s.add([batch(1, 0, 2), batch(2, 0, 1.8)])).toBe('unchanged');
    expect(s.add([batch(4, 0, 1.5)])).toBe('gap');
    expect(s.lastSeq).toBe(2);
    expect(Array.from(s.batchX.slice(0, s.batchCount))).toEqual([0.25, 0.5]);
    expect(s.add([batch(3, 0, 1.6), batch(4, 0, 1.5)])).toBe('appended');
    expect(s.batchCount).toBe(4);
  });

  it('respaces a finished epoch, finds the best epoch and the markers', () => {
    const s = new RunSeries();
    s.batchesPerEpoch = 10;
    s.add([
      batch(1, 0, 2, 'frozen'),
      batch(2, 0, 1.5, 'frozen'),
      epoch(3, 0, 1.2, 0.3, 'frozen'),
      batch(4, 1, 1.0, 'unfrozen'),
      epoch(5, 1, 0.9, 0.1, 'unfrozen'),
      epoch(6, 2, 1.1, 0.2, 'unfrozen'),
      warning(7, 'overfitting', 2)
    ]);
    expect(Array.from(s.batchX.slice(0, 3))).toEqual([0.5, 1, 2]);
    expect(s.unfreezeAt).toBe(1);
    expect(s.overfitAt).toBe(3);
    expect(s.best?.x).toBe(2);
    expect(s.finalError).toBe(0.2);
  });

  it('draws only the last attempt after an out-of-memory retry, and grows past its buffer', () => {
    const s = new RunSeries();
    const many = Array.from({ length: 3000 }, (_, i) => batch(i + 1, 0, 1));
    s.add(many);
    expect(s.batchCount).toBe(3000);
    s.add([warning(3001, 'cuda_oom_retry', null), batch(3002, 0, 3)]);
    expect(s.batchCount).toBe(1);
    expect(s.warnings).toHaveLength(1);
  });
});

describe('alignSeries', () => {
  it('puts batches and epochs of two runs on one x axis', () => {
    const a = new RunSeries();
    a.batchesPerEpoch = 2;
    a.add([batch(1, 0, 2), batch(2, 0, 1), epoch(3, 0, 150, 0.5)]);
    const b = new RunSeries();
    b.add([epoch(1, 0, 0.1, 0.2)]);
    const out = alignSeries([a, b], 100);
    expect(out.data[0]).toEqual([0.5, 1]);
    expect(out.data[1]).toEqual([2, 1]);
    expect(out.data[3]).toEqual([null, 150]);
    expect(out.data[7]).toEqual([null, 0.1]);
    expect(out.lossRange).toEqual([0.1, 150]);
    expect(wantsLogScale(out.lossRange)).toBe(true);
    expect(wantsLogScale([0.2, 2])).toBe(false);
  });

  it('ticks on whole epochs', () => {
    expect(epochTicks(0, 4)).toEqual([0, 1, 2, 3, 4]);
    expect(epochTicks(0.3, 2.7)).toEqual([1, 2]);
    expect(epochTicks(0, 100).length).toBeLessThanOrEqual(13);
  });
});

function run(id: string, spec: DLCoach.IJobSpec, rate: number | null) {
  return {
    id,
    name: id,
    spec,
    state: 'completed',
    error: null,
    result: rate === null ? null : { error_rate: rate }
  } as unknown as DLCoach.IRun;
}

describe('whatChanged', () => {
  it('names the settings that differ and both final error rates', () => {
    const a = run('one', { dataset: 'd', epochs: 3, lr: null }, 0.025);
    const b = run('two', { dataset: 'd', epochs: 10, lr: 0.01 }, 0.041);
    expect(specChanges(a, b, trans)).toEqual([
      'epochs 3 → 10',
      'lr automatic → 0.01'
    ]);
    expect(whatChanged(b, a, trans)).toBe(
      'Compared with "one": Settings changed (there → here): epochs 3 → 10, lr automatic → 0.01. ' +
        'Error rate: 4.1 % here, 2.5 % there.'
    );
  });
});

describe('RunModel', () => {
  it('follows one run, fills a gap by REST, and ignores other runs', async () => {
    const stored = [batch(1, 0, 2), batch(2, 0, 1.9), batch(3, 0, 1.8)];
    const asked: number[] = [];
    const api = {
      events: async (_id: string, after: number) => {
        asked.push(after);
        return stored.filter(e => e.seq > after);
      },
      serverSettings: {}
    } as unknown as CoachAPI;
    const connection = new FakeConnection();
    const model = new RunModel({
      api,
      id: RUN,
      connection: connection as unknown as StreamConnection,
      history: false
    });
    connection.received.emit({
      type: 'events',
      run_id: RUN,
      events: [stored[0]]
    });
    connection.received.emit({
      type: 'events',
      run_id: 'other',
      events: [batch(2, 0, 9)]
    });
    expect(model.series.lastSeq).toBe(1);
    connection.received.emit({
      type: 'events',
      run_id: RUN,
      events: [stored[2]]
    });
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(asked).toEqual([1]);
    expect(model.series.lastSeq).toBe(3);
    connection.received.emit({ type: 'deleted', run_id: RUN });
    expect(model.missing).toBe(true);
    model.dispose();
  });
});

describe('the run numbers in the glossary', () => {
  it('quotes the run on the cards its numbers concern', () => {
    const numbers = {
      runName: 'digits · resnet18 · #1',
      epochs: 4,
      frozenEpochs: 1,
      nTrain: 1438,
      nValid: 359,
      errorRate: 0.025,
      validLoss: 0.0812,
      overfitEpoch: null
    };
    expect(runNumbersText('epoch', numbers, trans)).toBe(
      'In "digits · resnet18 · #1": 4 epochs: 1 with the body frozen, 3 unfrozen.'
    );
    expect(runNumbersText('validation-set', numbers, trans)).toContain(
      'its validation set is 359 images.'
    );
    expect(runNumbersText('metric', numbers, trans)).toContain('2.5 %');
    expect(runNumbersText('loss', numbers, trans)).toContain('0.081');
    expect(runNumbersText('overfitting', numbers, trans)).toContain(
      'no overfitting'
    );
    expect(runNumbersText('cnn', numbers, trans)).toBeNull();
  });

  it('takes them from the trainer settings and the epochs so far', () => {
    const connection = new FakeConnection();
    const model = new RunModel({
      api: { serverSettings: {} } as unknown as CoachAPI,
      id: RUN,
      connection: connection as unknown as StreamConnection
    });
    expect(runNumbers(model)).toBeNull();
    connection.received.emit({
      type: 'run',
      run: { ...run(RUN, { dataset: 'd' }, null), progress: null }
    });
    const settings = {
      ...{
        seq: 1,
        run_id: RUN,
        time: 1,
        type: 'settings',
        recipe: 'fine_tune'
      },
      ...{ lr: 0.002, batch_size: 64, image_size: 32, pretrained: true },
      ...{
        epochs: 3,
        freeze_epochs: 1,
        n_train: 1438,
        n_valid: 359,
        n_classes: 10
      }
    } as DLCoach.ISettingsEvent;
    connection.received.emit({
      type: 'events',
      run_id: RUN,
      events: [settings, epoch(2, 0, 0.5, 0.1, 'frozen')]
    });
    expect(runNumbers(model)).toMatchObject({
      epochs: 4,
      frozenEpochs: 1,
      nValid: 359,
      errorRate: 0.1,
      validLoss: 0.5
    });
    model.dispose();
  });
});

describe('the run list sparkline data', () => {
  it('keeps each run’s validation loss per epoch once, live or fetched', () => {
    const connection = new FakeConnection();
    const api = {
      events: async () => [],
      serverSettings: {}
    } as unknown as CoachAPI;
    const runs = new RunsModel(api, connection as unknown as StreamConnection);
    const push = (events: DLCoach.IEvent[]) =>
      connection.received.emit({ type: 'events', run_id: 'other', events });
    push([epoch(1, 0, 0.9, 0.3)]);
    push([epoch(1, 0, 0.9, 0.3), epoch(2, 1, 0.7, 0.2)]);
    expect(runs.curve('other')).toEqual([0.9, 0.7]);
    expect(runs.curve('nobody')).toEqual([]);
    runs.dispose();
  });
});

describe('RunChart', () => {
  it('shows a line of text and no plot for a run without points', () => {
    const chart = new RunChart(trans);
    Widget.attach(chart, document.body);
    chart.emptyText = 'nothing yet';
    chart.setRuns(new RunSeries(), null, null);
    MessageLoop.sendMessage(chart, Widget.Msg.UpdateRequest);
    const empty = chart.node.querySelector(
      '.jp-DLCoach-chartEmpty'
    ) as HTMLElement;
    expect(empty.hidden).toBe(false);
    expect(empty.textContent).toBe('nothing yet');
    expect(chart.plot).toBeNull();
    chart.dispose();
  });
});
