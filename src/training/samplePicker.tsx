import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { DLCoach } from '../models';
import { CUSTOM_FIELDS, displayValue, FormValues, IFormField } from './schema';

/** The form after a sample's suggested settings are put in. */
export interface ISuggestion {
  values: FormValues;
  /** The pretrained choice the sample suggests; undefined when it suggests none. */
  pretrained?: boolean | null;
  /** The fields set, to be undone when another sample is made. */
  keys: string[];
  /** Whether a field under "More settings" was set (so it is opened and the learner sees it). */
  advanced: boolean;
  /** One line saying so, e.g. "… now in the form: Epochs 24, Learning rate 0.003, Recipe fit." */
  note: string;
}

/**
 * Put a sample's suggested settings into the form. What the previous sample set goes back to its
 * default first, so that making one sample after another does not mix their settings.
 */
export function applySuggestions(
  fields: IFormField[],
  values: FormValues,
  initial: FormValues,
  previous: string[],
  settings: { [field: string]: unknown },
  trans: TranslationBundle
): ISuggestion {
  const next = { ...values };
  for (const name of previous) {
    if (name in initial) {
      next[name] = initial[name];
    }
  }
  const result: ISuggestion = {
    values: next,
    keys: [],
    advanced: false,
    note: ''
  };
  if (previous.includes('pretrained')) {
    result.pretrained = null;
  }
  const said: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    const field = fields.find(f => f.name === name);
    if (!field || (CUSTOM_FIELDS.includes(name) && name !== 'pretrained')) {
      continue;
    }
    if (name === 'pretrained') {
      result.pretrained = typeof value === 'boolean' ? value : null;
    } else {
      next[name] = displayValue(field, value);
    }
    result.keys.push(name);
    result.advanced = result.advanced || field.advanced;
    said.push(
      trans.__(
        '%1 %2',
        field.label,
        value === null
          ? trans.__('automatic')
          : typeof value === 'boolean'
            ? value
              ? trans.__('on')
              : trans.__('off')
            : String(value)
      )
    );
  }
  if (said.length > 0) {
    result.note = trans.__(
      'The settings suggested for this sample are now in the form: %1.',
      said.join(', ')
    );
  }
  return result;
}

/** The built-in samples: a choice, each described in one line, and a button to write it. */
export function SamplePicker(props: {
  samples: DLCoach.ISamples;
  sample: string;
  disabled: boolean;
  trans: TranslationBundle;
  onChoose: (name: string) => void;
  onMake: () => void;
}): React.ReactElement | null {
  const { samples, sample, disabled, trans } = props;
  if (samples.samples.length === 0) {
    return null;
  }
  const chosen = samples.samples.find(s => s.name === sample);
  return (
    <div className="jp-DLCoach-samples">
      <div className="jp-DLCoach-buttonRow jp-DLCoach-sampleRow">
        <label className="jp-DLCoach-field jp-DLCoach-field-wide">
          <span>{trans.__('Built-in sample')}</span>
          <select
            className="jp-mod-styled"
            name="sample"
            value={sample}
            onChange={e => props.onChoose(e.target.value)}
          >
            {samples.samples.map(s => (
              <option key={s.name} value={s.name}>
                {s.title || s.name}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="jp-mod-styled jp-DLCoach-sampleButton"
          disabled={disabled}
          title={trans.__('Write the chosen sample into the images folder')}
          onClick={props.onMake}
        >
          {trans.__('Make sample images')}
        </button>
      </div>
      {chosen && (
        <p className="jp-DLCoach-muted jp-DLCoach-sampleText">
          {chosen.description}
        </p>
      )}
    </div>
  );
}
