import { nullTranslator } from '@jupyterlab/translation';

import { DLCoach } from '../models';
import {
  FOLDER_LABELS,
  labelsMissing,
  labelsSpec
} from '../training/labelsForm';
import {
  finalErrorRate,
  formatRate,
  pendingParts,
  resultText,
  runSettings,
  settingsParts,
  shownState,
  stateLabel
} from '../training/runText';
import {
  Part,
  errorText,
  fieldLabels,
  isBlocking,
  partsText,
  recipeSentence
} from '../training/formText';
import { applySuggestions } from '../training/samplePicker';
import {
  changedSpec,
  formFields,
  initialValues,
  parseField,
  toField
} from '../training/schema';

const trans = nullTranslator.load('jupyterlab_dlcoach');

/** The shape `GET jobs/schema` documents (CONTRACTS.md), trimmed to the fields the form shows. */
const SCHEMA: DLCoach.IJobSchema = {
  type: 'object',
  required: ['dataset'],
  properties: {
    dataset: {
      type: 'string',
      title: 'Images folder',
      description: 'A folder of images.'
    },
    labels: { type: 'object', title: 'Labels' },
    arch: {
      type: 'string',
      enum: ['resnet18', 'resnet34', 'resnet50'],
      default: 'resnet18',
      title: 'Architecture',
      description: 'The shape of the network.'
    },
    pretrained: {
      type: ['boolean', 'null'],
      default: null,
      title: 'Pretrained',
      description: 'Start from weights learned on ImageNet.'
    },
    epochs: {
      type: 'integer',
      default: 3,
      minimum: 1,
      maximum: 100,
      title: 'Epochs',
      description: 'Passes over the training images.'
    },
    batch_size: {
      type: ['integer', 'null'],
      default: null,
      minimum: 1,
      maximum: 1024,
      title: 'Batch size',
      description: 'Images per step.'
    },
    lr: {
      type: ['number', 'null'],
      default: null,
      exclusiveMinimum: 0,
      maximum: 10,
      title: 'Learning rate',
      description: 'How big a step each batch takes.'
    },
    recipe: {
      type: 'string',
      enum: ['auto', 'fine_tune', 'fit_one_cycle', 'fit'],
      default: 'auto',
      title: 'Recipe',
      'x-advanced': true
    },
    freeze_epochs: {
      type: 'integer',
      default: 1,
      minimum: 0,
      maximum: 10,
      title: 'Frozen epochs',
      'x-advanced': true
    },
    num_workers: {
      type: ['integer', 'null'],
      default: null,
      minimum: 0,
      maximum: 64,
      'x-advanced': true
    },
    deterministic: { type: 'boolean', default: false, 'x-advanced': true }
  }
};

describe('the form follows the schema', () => {
  const fields = formFields(SCHEMA);
  const byName = (name: string) => fields.find(f => f.name === name)!;

  it('keeps the schema order and reads titles, help, limits and choices', () => {
    expect(fields.map(f => f.name)).toEqual(Object.keys(SCHEMA.properties));
    const arch = byName('arch');
    expect(arch).toMatchObject({
      kind: 'choice',
      label: 'Architecture',
      help: 'The shape of the network.',
      options: ['resnet18', 'resnet34', 'resnet50'],
      default: 'resnet18',
      nullable: false,
      advanced: false
    });
    expect(byName('epochs')).toMatchObject({
      kind: 'integer',
      min: 1,
      max: 100,
      nullable: false
    });
    expect(byName('lr')).toMatchObject({
      kind: 'number',
      min: 0,
      minExclusive: true,
      max: 10,
      nullable: true
    });
    expect(byName('recipe')).toMatchObject({ kind: 'choice', advanced: true });
    expect(byName('deterministic').kind).toBe('boolean');
  });

  it('falls back to the field name when the schema gives no title', () => {
    expect(byName('num_workers').label).toBe('num_workers');
    expect(toField('x', {}).kind).toBe('text');
  });

  it('starts from the defaults, with nullable fields empty ("automatic")', () => {
    const values = initialValues(fields);
    expect(values.arch).toBe('resnet18');
    expect(values.epochs).toBe('3');
    expect(values.lr).toBe('');
    expect(values.batch_size).toBe('');
    expect(values.deterministic).toBe(false);
  });
});

describe('only the fields the learner changed are sent', () => {
  const fields = formFields(SCHEMA);
  const initial = initialValues(fields);

  it('sends nothing for an untouched form', () => {
    expect(changedSpec(fields, { ...initial }, initial, trans)).toEqual({
      spec: {},
      errors: {}
    });
  });

  it('sends what changed, typed as the spec wants it', () => {
    const values = {
      ...initial,
      epochs: '24',
      lr: ' 0.003 ',
      recipe: 'fit',
      deterministic: true
    };
    expect(changedSpec(fields, values, initial, trans)).toEqual({
      spec: { epochs: 24, lr: 0.003, recipe: 'fit', deterministic: true },
      errors: {}
    });
  });

  it('does not send a field changed back to its default, nor the custom fields', () => {
    const values = {
      ...initial,
      epochs: ' 3',
      batch_size: '',
      dataset: 'x',
      pretrained: true
    };
    expect(changedSpec(fields, values, initial, trans).spec).toEqual({});
  });

  it('refuses a typo by the field’s label instead of sending a default', () => {
    const values = { ...initial, lr: 'fast', epochs: '2.5', batch_size: '0' };
    const { spec, errors } = changedSpec(fields, values, initial, trans);
    expect(spec).toEqual({});
    expect(errors.lr).toBe(
      'Learning rate: type a number above 0 and at most 10, or leave it empty for automatic.'
    );
    expect(errors.epochs).toBe('Epochs: type a whole number from 1 to 100.');
    expect(errors.batch_size).toMatch(/^Batch size: /);
    for (const text of Object.values(errors)) {
      expect(text).not.toMatch(/null|false|lr\b/);
    }
  });

  it('accepts the limits themselves and refuses past them', () => {
    const epochs = fields.find(f => f.name === 'epochs')!;
    expect(parseField(epochs, '1', trans)).toEqual({ value: 1 });
    expect(parseField(epochs, '100', trans)).toEqual({ value: 100 });
    expect('error' in parseField(epochs, '101', trans)).toBe(true);
    expect('error' in parseField(epochs, '', trans)).toBe(true);
    const lr = fields.find(f => f.name === 'lr')!;
    expect('error' in parseField(lr, '0', trans)).toBe(true);
    expect(parseField(lr, '1e-3', trans)).toEqual({ value: 0.001 });
  });
});

describe('errors use the form’s words', () => {
  const labels = fieldLabels(formFields(SCHEMA), trans);

  it('prefixes the server’s message with the field’s label', () => {
    expect(errorText('Leave it empty for automatic.', 'lr', labels)).toBe(
      'Learning rate: Leave it empty for automatic.'
    );
    expect(errorText("The folder 'x' does not exist.", 'dataset', labels)).toBe(
      "Images folder: The folder 'x' does not exist."
    );
    expect(errorText('No capture group.', 'labels.pattern', labels)).toBe(
      'File-name pattern: No capture group.'
    );
  });

  it('drops the API’s name of the field and does not say the label twice', () => {
    expect(
      errorText(
        "Learning rate ('lr') must be a number above 0 and at most 10 (got 'fast'). Leave it empty for automatic.",
        'lr',
        labels
      )
    ).toBe(
      "Learning rate: must be a number above 0 and at most 10 (got 'fast'). Leave it empty for automatic."
    );
    expect(
      errorText(
        "'epochs' must be a whole number from 1 to 100 (got 0).",
        'epochs',
        labels
      )
    ).toBe('Epochs: must be a whole number from 1 to 100 (got 0).');
    expect(
      errorText(
        "The file name pattern ('labels.pattern') is not a valid regular expression.",
        'labels.pattern',
        labels
      )
    ).toBe(
      'File-name pattern: The file name pattern is not a valid regular expression.'
    );
    expect(
      errorText(
        "Labels from a CSV file need 'labels.file': the CSV file.",
        'labels.file',
        labels
      )
    ).toBe('CSV file: Labels from a CSV file need "CSV file": the CSV file.');
  });

  it('keeps a message that names no known field', () => {
    expect(errorText('Server is busy.', null, labels)).toBe('Server is busy.');
    expect(errorText('Unknown field.', 'colour', labels)).toBe(
      'Unknown field.'
    );
  });

  it('says the limits the schema gives, exclusive ones included', () => {
    const fields = formFields(SCHEMA);
    const share = toField('valid_pct', {
      type: 'number',
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
      default: 0.2,
      title: 'Validation share'
    });
    expect(parseField(share, '1', trans)).toEqual({
      error: 'Validation share: type a number above 0 and below 1.'
    });
    const seed = toField('seed', { type: 'integer', minimum: 0 });
    expect(parseField(seed, '-1', trans)).toEqual({
      error: 'seed: type a whole number of at least 0.'
    });
    expect(fields.length).toBeGreaterThan(0);
  });
});

describe('the recipe sentence', () => {
  const base = {
    arch: 'resnet18',
    recipe: 'auto' as DLCoach.Recipe,
    epochs: 3,
    freezeEpochs: 1
  };

  it('fine-tunes a pretrained model', () => {
    const parts = recipeSentence(
      { ...base, pretrained: true, cached: true },
      trans
    );
    expect(partsText(parts)).toBe(
      'Fine-tunes a pretrained model: 1 epoch with the body frozen, then 3 epochs unfrozen (fine_tune).'
    );
    expect(parts).toContainEqual({ term: 'fine-tune', text: 'Fine-tunes' });
  });

  it('trains from scratch when the weights are not here', () => {
    expect(
      partsText(
        recipeSentence({ ...base, pretrained: false, cached: false }, trans)
      )
    ).toBe(
      'No pretrained weights for resnet18 here: the model learns from scratch, 3 epochs (fit_one_cycle).'
    );
  });

  it('does not claim the weights are missing when the learner turned them off', () => {
    const text = partsText(
      recipeSentence({ ...base, pretrained: false, cached: true }, trans)
    );
    expect(text).toMatch(/^Without pretrained weights/);
    expect(text).not.toMatch(/here/);
  });

  it('follows a chosen recipe, and warns of a download', () => {
    expect(
      partsText(
        recipeSentence(
          {
            ...base,
            recipe: 'fit',
            epochs: 24,
            pretrained: false,
            cached: null
          },
          trans
        )
      )
    ).toMatch(/24 epochs at a constant learning rate \(fit\)\.$/);
    expect(
      partsText(
        recipeSentence({ ...base, pretrained: true, cached: false }, trans)
      )
    ).toMatch(/downloaded first/);
  });

  it('gives both outcomes when only the server knows whether the weights are here', () => {
    expect(
      partsText(
        recipeSentence({ ...base, pretrained: null, cached: null }, trans)
      )
    ).toBe(
      'Fine-tunes a pretrained model (fine_tune) if its weights for resnet18 are on this machine; otherwise the model learns from scratch, 3 epochs (fit_one_cycle).'
    );
    expect(
      partsText(
        recipeSentence(
          {
            ...base,
            recipe: 'fit',
            epochs: 24,
            pretrained: null,
            cached: null
          },
          trans
        )
      )
    ).toBe(
      'Starts from a pretrained model if its weights for resnet18 are on this machine, else from scratch: 24 epochs at a constant learning rate (fit).'
    );
  });

  it('keeps a space between a linked word and the next one', () => {
    const parts = recipeSentence(
      { ...base, pretrained: true, cached: true },
      trans
    );
    parts.forEach((part: Part, i: number) => {
      const next = parts[i + 1];
      if (typeof part !== 'string' && typeof next === 'string') {
        expect(next).toMatch(/^[\s:,.)]/);
      }
    });
  });
});

describe('a sample’s suggested settings', () => {
  const fields = formFields(SCHEMA);
  const initial = initialValues(fields);

  it('puts them into the form, says so in one line, and opens More settings for the recipe', () => {
    const noisy = applySuggestions(
      fields,
      { ...initial, batch_size: '16' },
      initial,
      [],
      { epochs: 24, lr: 0.003, recipe: 'fit' },
      trans
    );
    expect(noisy.values).toMatchObject({
      epochs: '24',
      lr: '0.003',
      recipe: 'fit',
      batch_size: '16'
    });
    expect(noisy.advanced).toBe(true);
    expect(noisy.note).toBe(
      'The settings suggested for this sample are now in the form: Epochs 24, Learning rate 0.003, Recipe fit.'
    );
    // What the learner changed is sent; what the sample set counts as a change too.
    expect(changedSpec(fields, noisy.values, initial, trans).spec).toEqual({
      epochs: 24,
      lr: 0.003,
      recipe: 'fit',
      batch_size: 16
    });

    // The next sample undoes the previous one's suggestions first.
    const plain = applySuggestions(
      fields,
      noisy.values,
      initial,
      noisy.keys,
      {},
      trans
    );
    expect(plain.values).toMatchObject({
      epochs: '3',
      lr: '',
      recipe: 'auto',
      batch_size: '16'
    });
    expect(plain.note).toBe('');
    expect(plain.pretrained).toBeUndefined();
  });
});

describe('labels and the folder’s problems', () => {
  it('sends labels only when they are complete and not the default', () => {
    expect(labelsSpec(FOLDER_LABELS)).toBeNull();
    expect(labelsSpec({ ...FOLDER_LABELS, from: 'filename' })).toBeNull();
    expect(
      labelsSpec({ ...FOLDER_LABELS, from: 'filename', pattern: '^(.+)_\\d+' })
    ).toEqual({ from: 'filename', pattern: '^(.+)_\\d+' });
    expect(
      labelsSpec({
        ...FOLDER_LABELS,
        from: 'csv',
        file: ' labels.csv ',
        column: 'label'
      })
    ).toEqual({ from: 'csv', file: 'labels.csv', column: 'label' });
    expect(
      labelsMissing({ ...FOLDER_LABELS, from: 'csv', file: 'a.csv' }, trans)
    ).toMatch(/^Label column: /);
  });

  it('blocks training on errors only', () => {
    expect(isBlocking({ kind: 'one_class', severity: 'error' })).toBe(true);
    expect(isBlocking({ kind: 'unreadable_images', severity: 'warning' })).toBe(
      false
    );
    expect(isBlocking({ kind: 'regex_no_match' })).toBe(true);
    expect(isBlocking({ kind: 'unreadable_images' })).toBe(false);
  });
});

function makeRun(change: Partial<DLCoach.IRun>): DLCoach.IRun {
  return {
    id: 'r1',
    kind: 'job',
    name: 'digits · resnet18 · #3',
    spec: { dataset: 'digits', arch: 'resnet18' },
    state: 'completed',
    created: 1,
    started: 1,
    ended: 2,
    device: 'cpu',
    progress: null,
    error: null,
    result: { ...RESULT, error_rate: 0.025 },
    pid: null,
    pid_started: null,
    exit_code: 0,
    signal: null,
    cancel_requested: false,
    owner: null,
    position: null,
    ...change
  };
}

const RESULT: DLCoach.IRunResult = {
  error_rate: null,
  valid_loss: 0.1,
  train_loss: 0.1,
  epochs: 4,
  seconds: 12
};

const SETTINGS: DLCoach.ITrainSettings = {
  recipe: 'fit_one_cycle',
  lr: 0.01,
  batch_size: 64,
  image_size: 32,
  pretrained: false,
  epochs: 4,
  freeze_epochs: 1,
  n_train: 1438,
  n_valid: 359,
  n_classes: 10,
  description: ''
};

describe('the run list', () => {
  it('shows a finished run’s result', () => {
    expect(resultText(makeRun({}), trans)).toBe('2.5 % error');
    expect(resultText(makeRun({ state: 'running' }), trans)).toBeNull();
  });

  it('shows a diverged run as failed, never completed', () => {
    const run = makeRun({
      error: { kind: 'diverged', message: 'The loss exploded.', advice: '' }
    });
    expect(shownState(run)).toBe('failed');
    expect(stateLabel(run, trans)).toBe('failed: diverged');
    expect(finalErrorRate(run)).toBeNull();
  });

  it('describes what the trainer used, from its settings event first', () => {
    const event: DLCoach.ISettingsEvent = {
      seq: 1,
      run_id: 'r1',
      time: 1,
      type: 'settings',
      ...SETTINGS
    };
    const stored = { ...SETTINGS, epochs: 99 };
    const run = makeRun({
      result: { ...RESULT, error_rate: 0.02, settings: stored }
    });
    expect(runSettings(run, [event])).toEqual(event);
    expect(runSettings(run, [])).toEqual(stored);
    expect(runSettings(makeRun({ result: null }), [])).toBeNull();
    expect(
      runSettings(makeRun({ result: null }), [{ ...event, run_id: 'other' }])
    ).toBeNull();
  });

  it('says the recipe, epochs, batch size, image size and learning rate', () => {
    expect(partsText(settingsParts(SETTINGS, 'resnet18', trans))).toBe(
      'Trains a resnet18 from scratch (no pretrained weights): 4 epochs (fit_one_cycle). ' +
        'Batch size 64, images 32 px, learning rate 0.01. ' +
        '1,438 images train the model and 359 images (the validation set) measure it; the metric is the error rate.'
    );
    const tuned = partsText(
      settingsParts(
        { ...SETTINGS, recipe: 'fine_tune', pretrained: true, lr: 0.002 },
        'resnet34',
        trans
      )
    );
    expect(tuned).toMatch(
      /^Fine-tunes a pretrained resnet34: 1 epoch with the body frozen, then 4 epochs with every layer training \(fine_tune\)\./
    );
    expect(tuned).toMatch(/learning rate 0.002\./);
  });

  it('says the automatic settings come later while a run has not started', () => {
    expect(
      partsText(pendingParts({ dataset: 'd', arch: 'resnet18' }, trans))
    ).toMatch(/^resnet18\. The automatic settings/);
    expect(formatRate(0.003)).toBe('0.003');
    expect(formatRate(0.00001)).toBe('1e-5');
  });
});
