/**
 * The run view's data path, timed at 1k / 10k / 100k / 1M batch points (node, no browser):
 *   - live update: append one push message (10 batch events) to a run of N points, then build what the
 *     chart draws (min/max-thinned to 1,200 pixel columns, aligned with the epoch points);
 *   - open: add all N events at once and build the chart data;
 *   - the same from the server's thinned history (4,000 points, as GET runs/ID/series sends), and live
 *     updates after it;
 * (The side panel's former path, rebuilding the chart from every event on each change, measured
 * 17 ms / 47 ms / 271 ms at 1k / 10k / 100k on the same machine before it was removed.)
 * Run: npx jest -c bench/jest.config.js
 * It prints one line per size; docs/api.md keeps the figures.
 */
import { DLCoach } from '../src/models';
import { alignSeries, ThinCache } from '../src/runview/aligned';
import { RunSeries } from '../src/runview/series';

// Node's process, without pulling node's types into the extension's tsconfig.
declare const process: { stdout: { write(text: string): void } };

const PER_EPOCH = 1000;
const COLUMNS = 1200;

function events(n: number): DLCoach.IEvent[] {
  const out: DLCoach.IEvent[] = [];
  let seq = 0;
  for (let i = 0; i < n; i++) {
    const epoch = Math.floor(i / PER_EPOCH);
    out.push({
      seq: ++seq,
      run_id: 'bench',
      time: i,
      type: 'batch',
      phase: 'fit',
      epoch,
      iter: i,
      loss: 1 / (1 + i / 1000) + Math.random() * 0.05,
      smooth_loss: 1 / (1 + i / 1000),
      lr: 0.001
    });
    if ((i + 1) % PER_EPOCH === 0) {
      out.push({
        seq: ++seq,
        run_id: 'bench',
        time: i,
        type: 'epoch',
        phase: 'fit',
        epoch,
        train_loss: 0.5,
        valid_loss: 0.6,
        metrics: { error_rate: 0.1 },
        seconds: 1
      });
    }
  }
  return out;
}

/** What GET runs/ID/series answers for these events: every k-th batch, about `points` of them. */
function thinned(
  events: DLCoach.IEvent[],
  points: number
): DLCoach.IRunHistory {
  const batches = events.filter(
    (e): e is DLCoach.IBatchEvent => e.type === 'batch'
  );
  const step = Math.max(1, Math.ceil(batches.length / points));
  const counts = new Map<number, number>();
  const b: DLCoach.IRunHistory['batches'] = {
    total: batches.length,
    epochs: [],
    seq: [],
    epoch: [],
    index: [],
    smooth_loss: []
  };
  batches.forEach((e, k) => {
    const index = counts.get(e.epoch) ?? 0;
    counts.set(e.epoch, index + 1);
    if (k % step === 0) {
      b.seq.push(e.seq);
      b.epoch.push(e.epoch);
      b.index.push(index);
      b.smooth_loss.push(e.smooth_loss);
    }
  });
  b.epochs = [...counts].map(([epoch, count]) => ({
    epoch,
    phase: 'fit' as DLCoach.Phase,
    count
  }));
  return {
    run_id: 'bench',
    last_seq: events[events.length - 1].seq,
    points,
    from: null,
    to: null,
    batches: b,
    events: events.filter(e => e.type !== 'batch')
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

test('chart data path at 1k to 1M points', () => {
  const lines: string[] = [];
  for (const n of [1000, 10000, 100000, 1000000]) {
    const all = events(n + 200);
    const history = all.slice(
      0,
      all.findIndex(e => e.seq > n)
    );
    const series = new RunSeries();
    const cache = new ThinCache();
    series.batchesPerEpoch = PER_EPOCH;
    const open = time(() => {
      series.add(history);
      alignSeries([series], COLUMNS, cache);
    });
    const updates: number[] = [];
    let at = history.length;
    for (let k = 0; k < 15; k++) {
      const message = all.slice(at, at + 10);
      at += 10;
      updates.push(
        time(() => {
          series.add(message);
          alignSeries([series], COLUMNS, cache);
        })
      );
    }
    // Opening from the server's thinned history (GET runs/ID/series, 4,000 points), then updates.
    const thin = new RunSeries();
    const thinCache = new ThinCache();
    thin.batchesPerEpoch = PER_EPOCH;
    const reply = thinned(history, 4000);
    const openThin = time(() => {
      thin.loadHistory(reply);
      alignSeries([thin], COLUMNS, thinCache);
    });
    const thinUpdates: number[] = [];
    at = history.length;
    for (let k = 0; k < 15; k++) {
      const message = all.slice(at, at + 10);
      at += 10;
      thinUpdates.push(
        time(() => {
          thin.add(message);
          alignSeries([thin], COLUMNS, thinCache);
        })
      );
    }
    lines.push(
      `${n.toLocaleString('en')} points: update ${median(updates).toFixed(2)} ms (median of 15), ` +
        `open ${open.toFixed(0)} ms; from a thinned history: open ${openThin.toFixed(1)} ms, ` +
        `update ${median(thinUpdates).toFixed(2)} ms`
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
});
