import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import { alignSeries } from '../runview/aligned';
import { RunModel } from '../runview/model';
import { RunSeries } from '../runview/series';
import { StreamConnection } from '../training/connection';
import { FakeConnection } from './fakeConnection';

const RUN = 'cccccccccccc';
const PER = 100;

function batch(seq: number, epoch: number, smooth: number | null) {
  return {
    ...{ seq, run_id: RUN, time: seq, type: 'batch', phase: 'fit', epoch },
    ...{ iter: seq, loss: smooth, smooth_loss: smooth, lr: 0.001 }
  } as DLCoach.IBatchEvent;
}

function epochEnd(seq: number, n: number) {
  return {
    ...{ seq, run_id: RUN, time: seq, type: 'epoch', phase: 'fit', epoch: n },
    ...{ train_loss: 1, valid_loss: 1, seconds: 1 },
    metrics: { error_rate: 0.1 }
  } as DLCoach.IEpochEvent;
}

function note(seq: number, kind = 'note') {
  return {
    ...{ seq, run_id: RUN, time: seq, type: 'warning', kind, epoch: null },
    ...{ message: 'm', advice: 'a', terms: [] }
  } as DLCoach.IWarningEvent;
}

/** A run's events: `epochs` epochs of PER batches (the last `partial` batches long, unfinished), a
 * note in the middle of the first epoch. */
function runEvents(epochs: number, partial: number): DLCoach.IEvent[] {
  const out: DLCoach.IEvent[] = [];
  let seq = 0;
  for (let e = 0; e < epochs; e++) {
    const n = e === epochs - 1 ? partial : PER;
    for (let i = 0; i < n; i++) {
      if (e === 0 && i === 40) {
        out.push(note(++seq));
      }
      out.push(batch(++seq, e, 2 / (1 + seq / 50) + ((seq * 7919) % 13) / 100));
    }
    if (n === PER) {
      out.push(epochEnd(++seq, e));
    }
  }
  return out;
}

/** What the server answers: every `step`-th batch of the events (as its buckets would keep some). */
function thinned(
  events: DLCoach.IEvent[],
  step: number,
  upTo = Infinity
): DLCoach.IRunHistory {
  const held = events.filter(e => e.seq <= upTo);
  const counts = new Map<number, number>();
  const b: DLCoach.IRunHistory['batches'] = {
    total: 0,
    epochs: [],
    seq: [],
    epoch: [],
    index: [],
    smooth_loss: []
  };
  for (const e of held) {
    if (e.type !== 'batch') {
      continue;
    }
    const index = counts.get(e.epoch) ?? 0;
    counts.set(e.epoch, index + 1);
    b.total++;
    if (b.total % step === 1 || step === 1) {
      b.seq.push(e.seq);
      b.epoch.push(e.epoch);
      b.index.push(index);
      b.smooth_loss.push(e.smooth_loss);
    }
  }
  b.epochs = [...counts].map(([epoch, count]) => ({
    epoch,
    phase: 'fit',
    count
  }));
  return {
    run_id: RUN,
    last_seq: held[held.length - 1]?.seq ?? 0,
    points: 100,
    from: null,
    to: null,
    batches: b,
    events: held.filter(e => e.type !== 'batch')
  };
}

function points(s: RunSeries): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < s.batchCount; i++) {
    out.set(s.batchLoss[i], s.batchX[i]);
  }
  return out;
}

describe('a thinned history, then live events', () => {
  const all = runEvents(5, 60);
  const cut = all.findIndex(
    e => e.type === 'batch' && e.epoch === 3 && e.seq > 330
  );
  const lastSeq = all[cut].seq;

  it('places every kept point where the full series places that batch', () => {
    const full = new RunSeries();
    full.batchesPerEpoch = PER;
    full.add(all.filter(e => e.seq <= lastSeq));
    const thin = new RunSeries();
    thin.batchesPerEpoch = PER;
    expect(thin.loadHistory(thinned(all, 7, lastSeq))).toBe(true);
    expect(thin.batchCount).toBeLessThan(full.batchCount / 5);
    expect(thin.lastSeq).toBe(lastSeq);
    expect(thin.epochs).toEqual(full.epochs);
    expect(thin.warnings).toEqual(full.warnings);
    const want = points(full);
    for (const [loss, x] of points(thin)) {
      expect(x).toBeCloseTo(want.get(loss)!, 12);
    }
  });

  it('follows on live by seq: no duplicate, no gap, and the same places as a full series', () => {
    const full = new RunSeries();
    full.batchesPerEpoch = PER;
    full.add(all);
    const thin = new RunSeries();
    thin.batchesPerEpoch = PER;
    thin.loadHistory(thinned(all, 5, lastSeq));
    const held = thin.batchCount;
    // The push channel's first message overlaps the history by a few events: they are skipped.
    const live = all.filter(e => e.seq > lastSeq - 3);
    expect(thin.add(live.slice(0, 3))).toBe('unchanged');
    expect(thin.batchCount).toBe(held);
    // A message lost on the way is a gap: nothing after it is taken until it is filled.
    expect(thin.add(live.slice(4, 10))).toBe('gap');
    expect(thin.lastSeq).toBe(lastSeq);
    expect(thin.add(live.slice(3))).toBe('appended');
    expect(thin.lastSeq).toBe(all[all.length - 1].seq);
    expect(thin.batchCount).toBe(held + live.slice(3).length - 1); // less the epoch event
    expect(thin.epochs).toEqual(full.epochs);
    expect(thin.totalBatches).toBe(full.batchCount);
    // The epoch that was in progress ended live: its thinned and live batches respaced alike.
    const want = points(full);
    for (const [loss, x] of points(thin)) {
      expect(x).toBeCloseTo(want.get(loss)!, 12);
    }
    const xs = Array.from(thin.batchX.slice(0, thin.batchCount));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });

  it('is ignored once events are held, and keeps only the attempt after a retry', () => {
    const s = new RunSeries();
    s.add([batch(1, 0, 1)]);
    expect(s.loadHistory(thinned(all, 3))).toBe(false);

    const retried = [
      batch(1, 0, 9),
      batch(2, 0, 9),
      note(3, 'cuda_oom_retry'),
      batch(4, 0, 1),
      batch(5, 0, 0.5)
    ];
    const r = new RunSeries();
    const history = thinned(retried, 1);
    // The server sends the batches after the retry only.
    history.batches = {
      total: 2,
      epochs: [{ epoch: 0, phase: 'fit', count: 2 }],
      seq: [4, 5],
      epoch: [0, 0],
      index: [0, 1],
      smooth_loss: [1, 0.5]
    };
    r.loadHistory(history);
    expect(Array.from(r.batchLoss.slice(0, r.batchCount))).toEqual([1, 0.5]);
    expect(r.warnings.map(w => w.kind)).toEqual(['cuda_oom_retry']);
  });
});

describe('a zoomed range at finer resolution', () => {
  const all = runEvents(4, 30);
  const lastSeq = all[all.length - 1].seq;

  it('is placed where the full series places those batches, and replaces the held points there', () => {
    const full = new RunSeries();
    full.batchesPerEpoch = PER;
    full.add(all);
    const thin = new RunSeries();
    thin.batchesPerEpoch = PER;
    thin.loadHistory(thinned(all, 20));
    expect(thin.totalBatches).toBe(full.batchCount);
    // The server's answer for 1.2 to 3.1: every batch there (here: every batch of the run).
    const range = thin.placeRange(thinned(all, 1, lastSeq));
    const want = points(full);
    range.y.forEach((loss, i) =>
      expect(range.x[i]).toBeCloseTo(want.get(loss)!, 12)
    );

    const detail = { run: thin, from: 1.2, to: 3.1, ...range };
    const plain = alignSeries([thin], 300);
    const zoomed = alignSeries([thin], 300, undefined, detail);
    const inside = (d: typeof plain) =>
      d.data[0].filter(
        (x, i) => x! >= 1.2 && x! <= 3.1 && d.data[1][i] !== null
      ).length;
    expect(inside(zoomed)).toBe(
      range.x.filter(x => x >= 1.2 && x <= 3.1).length
    );
    expect(inside(zoomed)).toBeGreaterThan(inside(plain) * 10);
    // Outside the range the held points are drawn as before.
    const outside = (d: typeof plain) =>
      d.data[0].filter((x, i) => x! < 1.2 && d.data[1][i] !== null);
    expect(outside(zoomed).length).toBeGreaterThanOrEqual(
      outside(plain).length
    );
  });

  it('is asked of the server only when the history held was thinned', async () => {
    const asked: unknown[] = [];
    const api = {
      series: async (_id: string, points: number, range?: unknown) => {
        asked.push(range ?? points);
        return range ? thinned(all, 1) : thinned(all, 20);
      },
      streamUrl: () => 'ws://nowhere',
      serverSettings: {}
    } as unknown as CoachAPI;
    const connection = new FakeConnection();
    const model = new RunModel({
      api,
      id: RUN,
      connection: connection as unknown as StreamConnection
    });
    await model.ready;
    const fine = await model.detail(1, 2, 600);
    expect(asked).toEqual([4000, { from: 1, to: 2 }]);
    expect(fine!.x.length).toBe(all.filter(e => e.type === 'batch').length);
    model.dispose();

    const whole = new RunModel({
      api: {
        ...api,
        series: async () => thinned(all, 1)
      } as unknown as CoachAPI,
      id: RUN,
      connection: new FakeConnection() as unknown as StreamConnection
    });
    await whole.ready;
    expect(await whole.detail(1, 2, 600)).toBeNull();
    whole.dispose();
  });
});

describe('RunModel with a history', () => {
  const all = runEvents(3, 50);
  const lastSeq = all[150].seq;

  function api(series: () => Promise<DLCoach.IRunHistory>) {
    const asked: number[] = [];
    const fake = {
      series,
      events: async (_id: string, after: number) => {
        asked.push(after);
        return all.filter(e => e.seq > after);
      },
      streamUrl: () => 'ws://nowhere',
      serverSettings: {}
    } as unknown as CoachAPI;
    return { fake, asked };
  }

  it('loads the thinned history, then follows from its last seq', async () => {
    const { fake, asked } = api(async () => thinned(all, 10, lastSeq));
    const connection = new FakeConnection();
    const model = new RunModel({
      api: fake,
      id: RUN,
      connection: connection as unknown as StreamConnection
    });
    await model.ready;
    expect(model.series.lastSeq).toBe(lastSeq);
    const later = all.filter(e => e.seq > lastSeq - 2);
    connection.received.emit({ type: 'events', run_id: RUN, events: later });
    expect(model.series.lastSeq).toBe(all[all.length - 1].seq);
    expect(asked).toEqual([]);
    model.dispose();
  });

  it('falls back to the backlog over the push channel when the history fails', async () => {
    const { fake } = api(() => Promise.reject(new Error('offline')));
    const connection = new FakeConnection();
    const model = new RunModel({
      api: fake,
      id: RUN,
      connection: connection as unknown as StreamConnection
    });
    await model.ready;
    expect(model.series.lastSeq).toBe(0);
    connection.received.emit({ type: 'events', run_id: RUN, events: all });
    expect(model.series.lastSeq).toBe(all[all.length - 1].seq);
    model.dispose();
  });
});
