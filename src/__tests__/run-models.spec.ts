import { Signal } from '@lumino/signaling';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import { recordedBest, runModels } from '../runview/runModels';
import { RunSeries } from '../runview/series';
import { StreamConnection } from '../training/connection';
import { RunsModel } from '../training/runs';
import { formFields, initialValues } from '../training/schema';
import { formFromSpec } from '../training/trainAgain';

const RUN = 'cccccccccccc';

function run(result: { [key: string]: unknown } | null): DLCoach.IRun {
  return {
    ...{
      id: RUN,
      kind: 'job',
      name: 'digits · resnet18 · #2',
      state: 'completed'
    },
    ...{ created: 1, started: 1, ended: 2, device: 'cpu', progress: null },
    ...{ error: null, result, pid: null, pid_started: null, exit_code: 0 },
    ...{ signal: null, cancel_requested: false, position: null },
    spec: {
      dataset: 'digits',
      arch: 'resnet34',
      epochs: 8,
      lr: 0.003,
      batch_size: null,
      labels: { from: 'filename', pattern: '^(\\w+)_' },
      name: 'digits · resnet18 · #2'
    }
  } as DLCoach.IRun;
}

const MODELS = {
  best: { epoch: 2, error_rate: 0.05, valid_loss: 0.2 },
  models: {
    last: 'dlcoach-models/digits-resnet18-2/model.pkl',
    best: 'dlcoach-models/digits-resnet18-2/best-epoch-3.pkl'
  },
  model: 'best'
};

describe('a run’s exported models', () => {
  it('reads result.best, result.models and the choice', () => {
    const models = runModels(run(MODELS))!;
    expect(models.use).toBe('best');
    expect(models.bestPath).toMatch(/best-epoch-3\.pkl$/);
    expect(models.last).toMatch(/model\.pkl$/);
    expect(models.best).toEqual(MODELS.best);
    expect(runModels(run({ ...MODELS, model: undefined }))!.use).toBe('last');
  });

  it('is null for a run without an export (a notebook run, a failed job)', () => {
    expect(runModels(run(null))).toBeNull();
    expect(runModels(run({ error_rate: 0.1 }))).toBeNull();
    expect(recordedBest(run({ best: { epoch: 'one' } }))).toBeNull();
  });

  it('marks the recorded best epoch on the chart, over the curves’ own', () => {
    const series = new RunSeries();
    const events = [0.3, 0.1, 0.1].map((error, i) => ({
      ...{ seq: i + 1, run_id: RUN, time: i, type: 'epoch', phase: 'fit' },
      ...{ epoch: i, train_loss: 1, valid_loss: 1 - i * 0.1, seconds: 1 },
      metrics: { error_rate: error }
    })) as DLCoach.IEpochEvent[];
    series.add(events);
    expect(series.best!.x).toBe(2); // the curves: the first lowest error rate
    const version = series.version;
    series.recordedBest = 2; // the trainer: equal error, lower validation loss
    expect(series.best!.x).toBe(3);
    expect(series.version).toBeGreaterThan(version);
  });
});

describe('train again', () => {
  const fields = formFields({
    type: 'object',
    properties: {
      dataset: { type: 'string' },
      labels: { type: 'object' },
      arch: {
        type: 'string',
        enum: ['resnet18', 'resnet34'],
        default: 'resnet18'
      },
      pretrained: { type: ['boolean', 'null'], default: null },
      epochs: { type: 'integer', default: 3, minimum: 1, maximum: 100 },
      batch_size: { type: ['integer', 'null'], default: null, minimum: 1 },
      lr: { type: ['number', 'null'], default: null, exclusiveMinimum: 0 },
      name: { type: 'string', default: '' }
    }
  });
  const initial = initialValues(fields);

  it('fills the form with the run’s data and settings and the suggested epochs', () => {
    const content = formFromSpec(fields, initial, run(null).spec!, 4);
    expect(content.dataset).toBe('digits');
    expect(content.values.arch).toBe('resnet34');
    expect(content.values.epochs).toBe('4');
    expect(content.values.lr).toBe('0.003');
    expect(content.values.batch_size).toBe(''); // automatic stays automatic
    expect(content.values.name).toBe(''); // the server numbers the new run
    expect(content.labels.from).toBe('filename');
    expect(content.labels.pattern).toBe('^(\\w+)_');
    expect(content.pretrained).toBeNull();
    expect(
      formFromSpec(fields, initial, run(null).spec!, null).values.epochs
    ).toBe('8');
  });

  it('keeps a fill for a form that was not on screen yet', () => {
    // A stand-in for the push channel: this test never connects.
    const sender = {};
    const connection = {
      received: new Signal(sender),
      connectionChanged: new Signal(sender)
    };
    const runs = new RunsModel(
      { serverSettings: {} } as unknown as CoachAPI,
      connection as unknown as StreamConnection
    );
    const seen: number[] = [];
    runs.formFillRequested.connect((_, r) => seen.push(r.epochs!));
    runs.fillForm({ spec: run(null).spec!, epochs: 5 });
    expect(seen).toEqual([5]);
    expect(runs.takeFormFill()!.epochs).toBe(5);
    expect(runs.takeFormFill()).toBeNull();
  });
});
