import { Signal } from '@lumino/signaling';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import { formatEta, fractionDone } from '../training/progress';
import { StreamConnection } from '../training/connection';
import { RunsModel } from '../training/runs';

const RUN = 'aaaaaaaaaaaa';

function batch(
  seq: number,
  epoch: number,
  smooth: number,
  phase: DLCoach.Phase = 'frozen'
) {
  return {
    seq,
    run_id: RUN,
    time: seq,
    type: 'batch',
    phase,
    epoch,
    iter: seq,
    loss: smooth,
    smooth_loss: smooth,
    lr: 0.001
  } as DLCoach.IBatchEvent;
}

describe('formatEta and fractionDone', () => {
  it('formats seconds for a learner', () => {
    expect(formatEta(null)).toBeNull();
    expect(formatEta(42.4)).toBe('42 s');
    expect(formatEta(65)).toBe('1 min 05 s');
  });

  it('measures progress over all epochs', () => {
    expect(fractionDone(null)).toBe(0);
    const progress = {
      phase: 'unfrozen' as DLCoach.Phase,
      epoch: 1,
      epochs: 2,
      batch: 2,
      batches: 4,
      eta_s: 3
    };
    expect(fractionDone(progress)).toBeCloseTo(0.75);
  });
});

class FakeConnection {
  received = new Signal<this, DLCoach.StreamMessage>(this);
  connectionChanged = new Signal<this, boolean>(this);
  dispose(): void {
    Signal.clearData(this);
  }
}

function run(id: string, created: number): DLCoach.IRun {
  return {
    id,
    kind: 'job',
    name: id,
    spec: { dataset: 'shapes' },
    state: 'running',
    created,
    started: created,
    ended: null,
    device: 'cpu',
    progress: null,
    error: null,
    result: null,
    pid: 1,
    pid_started: 1,
    exit_code: null,
    signal: null,
    cancel_requested: false,
    owner: null,
    position: null
  };
}

function note(seq: number) {
  return {
    ...{ seq, run_id: RUN, time: seq, type: 'warning', kind: 'k', epoch: 0 },
    ...{ message: 'm', advice: 'a', terms: [] }
  } as DLCoach.IWarningEvent;
}

describe('RunsModel', () => {
  function setup(stored: DLCoach.IEvent[]) {
    const calls: (number | string)[] = [];
    const api = {
      // A newly selected run: its events less the batches, and its last seq (GET runs/ID/series?points=0).
      series: async (id: string, points: number) => {
        calls.push(`series ${points}`);
        return {
          run_id: id,
          last_seq: stored.length ? stored[stored.length - 1].seq : 0,
          events: stored.filter(e => e.type !== 'batch')
        };
      },
      events: async (_id: string, after: number) => {
        calls.push(after);
        return stored.filter(e => e.seq > after);
      },
      serverSettings: {}
    } as unknown as CoachAPI;
    const connection = new FakeConnection();
    const model = new RunsModel(api, connection as unknown as StreamConnection);
    return { model, connection, calls };
  }

  const flush = () => new Promise(resolve => setTimeout(resolve, 0));

  it('selects the newest run, loads its events but no batch, then appends live ones once', async () => {
    const stored = [batch(1, 0, 2.0), note(2), batch(3, 0, 1.9)];
    const { model, calls } = setup(stored);
    model.handle({ type: 'runs', runs: [run('old', 1), run(RUN, 2)] });
    await flush();
    expect(model.selected?.id).toBe(RUN);
    expect(calls).toEqual(['series 0']);
    expect(model.events.map(e => e.seq)).toEqual([2]);
    expect(model.warnings.map(e => e.seq)).toEqual([2]);

    // A live message that overlaps what REST gave: nothing is doubled, and batches are not kept.
    model.handle({
      type: 'events',
      run_id: RUN,
      events: [batch(3, 0, 1.9), batch(4, 0, 1.7), note(5)]
    });
    expect(model.events.map(e => e.seq)).toEqual([2, 5]);
    expect(model.warnings.map(e => e.seq)).toEqual([2, 5]);
    // Events of another run are not mixed in.
    model.handle({ type: 'events', run_id: 'old', events: [note(6)] });
    expect(model.events.map(e => e.seq)).toEqual([2, 5]);
  });

  it('asks REST for what follows its last seq when a live message skips ahead', async () => {
    const stored: DLCoach.IEvent[] = [batch(1, 0, 2.0)];
    const { model, calls } = setup(stored);
    model.handle({ type: 'runs', runs: [run(RUN, 2)] });
    await flush();
    stored.push(note(2), batch(3, 0, 1.8));
    model.handle({ type: 'events', run_id: RUN, events: [batch(3, 0, 1.8)] });
    await flush();
    expect(calls).toEqual(['series 0', 1]);
    expect(model.events.map(e => e.seq)).toEqual([2]);
    model.handle({ type: 'events', run_id: RUN, events: [note(4)] });
    expect(model.events.map(e => e.seq)).toEqual([2, 4]);
  });

  it('updates and forgets runs from push messages', async () => {
    const { model } = setup([]);
    model.handle({ type: 'runs', runs: [run(RUN, 2)] });
    await flush();
    model.handle({ type: 'run', run: { ...run(RUN, 2), state: 'completed' } });
    expect(model.runs[0].state).toBe('completed');
    model.handle({ type: 'deleted', run_id: RUN });
    expect(model.runs).toEqual([]);
    expect(model.selected).toBeNull();
  });
});
