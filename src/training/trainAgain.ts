import { DLCoach } from '../models';
import { FOLDER_LABELS, ILabelsState } from './labelsForm';
import { CUSTOM_FIELDS, displayValue, FormValues, IFormField } from './schema';

/** What the training form holds for a run's spec: "Train again" with `epochs` when given. */
export interface IFormContent {
  values: FormValues;
  dataset: string;
  labels: ILabelsState;
  pretrained: boolean | null;
}

export function formFromSpec(
  fields: IFormField[],
  initial: FormValues,
  spec: DLCoach.IJobSpec,
  epochs: number | null
): IFormContent {
  const values: FormValues = { ...initial };
  const source = spec as unknown as { [key: string]: unknown };
  for (const field of fields) {
    // The name is left empty: the server numbers the new run ('digits · resnet18 · #4').
    if (CUSTOM_FIELDS.includes(field.name) || field.name === 'name') {
      continue;
    }
    if (field.name in source) {
      values[field.name] = displayValue(field, source[field.name]);
    }
  }
  if (epochs !== null) {
    values.epochs = String(epochs);
  }
  const labels = spec.labels;
  let state: ILabelsState = FOLDER_LABELS;
  if (labels?.from === 'filename') {
    state = {
      ...FOLDER_LABELS,
      from: 'filename',
      pattern: labels.pattern ?? ''
    };
  } else if (labels?.from === 'csv') {
    state = {
      ...FOLDER_LABELS,
      from: 'csv',
      file: labels.file ?? '',
      column: labels.column ?? '',
      fnColumn: labels.fn_column ?? ''
    };
  }
  return {
    values,
    dataset: spec.dataset,
    labels: state,
    pretrained: spec.pretrained ?? null
  };
}
