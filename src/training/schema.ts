import { TranslationBundle } from '@jupyterlab/translation';

import { DLCoach } from '../models';

/**
 * The form as `GET jobs/schema` describes it: which inputs it shows, their labels, defaults, limits
 * and choices. Nothing here knows a default or a limit of its own; the server's schema is the one
 * source of truth, and the server validates against the same definitions.
 */

/** How a field is typed into the form. */
export type FieldKind = 'integer' | 'number' | 'boolean' | 'choice' | 'text';

export interface IFormField {
  name: string;
  /** The schema's title: the form's word for the field, also used in its messages. */
  label: string;
  /** The schema's description: one line of help. */
  help: string;
  kind: FieldKind;
  /** null is allowed and means "automatic": the input may stay empty. */
  nullable: boolean;
  default: unknown;
  min: number | null;
  max: number | null;
  /** Whether `min` itself is refused (JSON Schema's exclusiveMinimum). */
  minExclusive: boolean;
  maxExclusive: boolean;
  maxLength: number | null;
  /** The choices of an enum, nulls left out (an empty choice stands for null). */
  options: string[];
  advanced: boolean;
}

/** What an input holds: text for typed fields and choices, a flag for a checkbox. */
export type FieldValue = string | boolean;

export type FormValues = { [name: string]: FieldValue };

/**
 * Fields the form lays out itself instead of mapping them one to one: the folder (with the samples),
 * where labels come from (its own sub-form) and pretrained (a checkbox whose default depends on the
 * weights cache, with a sentence saying what will happen).
 */
export const CUSTOM_FIELDS = ['dataset', 'labels', 'pretrained'];

function types(schema: DLCoach.IFieldSchema): string[] {
  if (Array.isArray(schema.type)) {
    return schema.type;
  }
  return schema.type ? [schema.type] : [];
}

/** One schema property as a form field. */
export function toField(
  name: string,
  schema: DLCoach.IFieldSchema
): IFormField {
  const all = types(schema);
  const nullable =
    all.includes('null') ||
    (schema.enum?.includes(null) ?? false) ||
    schema.default === null;
  const options = (schema.enum ?? [])
    .filter(v => v !== null)
    .map(v => String(v));
  let kind: FieldKind = 'text';
  if (options.length > 0) {
    kind = 'choice';
  } else if (all.includes('boolean')) {
    kind = 'boolean';
  } else if (all.includes('integer')) {
    kind = 'integer';
  } else if (all.includes('number')) {
    kind = 'number';
  }
  const min = schema.minimum ?? schema.exclusiveMinimum ?? null;
  const max = schema.maximum ?? schema.exclusiveMaximum ?? null;
  return {
    name,
    label: schema.title || name,
    help: schema.description ?? '',
    kind,
    nullable,
    default: schema.default ?? null,
    min,
    max,
    minExclusive:
      schema.minimum === undefined && schema.exclusiveMinimum !== undefined,
    maxExclusive:
      schema.maximum === undefined && schema.exclusiveMaximum !== undefined,
    maxLength: schema.maxLength ?? null,
    options,
    advanced: schema['x-advanced'] === true
  };
}

/** Every schema property, in the schema's order, as a form field. */
export function formFields(schema: DLCoach.IJobSchema): IFormField[] {
  return Object.entries(schema.properties ?? {}).map(([name, property]) =>
    toField(name, property)
  );
}

/** What an input shows for a spec value: empty for null ("automatic"). */
export function displayValue(field: IFormField, value: unknown): FieldValue {
  if (field.kind === 'boolean') {
    return value === true;
  }
  return value === null || value === undefined ? '' : String(value);
}

/** The inputs' values before the learner touches anything: the schema's defaults. */
export function initialValues(fields: IFormField[]): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    values[field.name] = displayValue(field, field.default);
  }
  return values;
}

/** A field's value as the spec takes it, or the reason it cannot be, in the form's words. */
export type Parsed = { value: unknown } | { error: string };

function rangeText(field: IFormField, trans: TranslationBundle): string {
  const whole = field.kind === 'integer';
  const { min, max } = field;
  if (min !== null && max !== null) {
    if (field.minExclusive) {
      return whole
        ? trans.__('a whole number above %1 and at most %2', min, max)
        : trans.__('a number above %1 and at most %2', min, max);
    }
    return whole
      ? trans.__('a whole number from %1 to %2', min, max)
      : trans.__('a number from %1 to %2', min, max);
  }
  if (min !== null) {
    return whole
      ? trans.__('a whole number of at least %1', min)
      : trans.__('a number of at least %1', min);
  }
  if (max !== null) {
    return whole
      ? trans.__('a whole number of at most %1', max)
      : trans.__('a number of at most %1', max);
  }
  return whole ? trans.__('a whole number') : trans.__('a number');
}

function inRange(field: IFormField, n: number): boolean {
  const { min, max } = field;
  if (min !== null && (field.minExclusive ? n <= min : n < min)) {
    return false;
  }
  if (max !== null && (field.maxExclusive ? n >= max : n > max)) {
    return false;
  }
  return true;
}

/** Read one input as the spec's value; a typo is refused by name, never replaced by a default. */
export function parseField(
  field: IFormField,
  raw: FieldValue,
  trans: TranslationBundle
): Parsed {
  if (field.kind === 'boolean') {
    return { value: raw === true };
  }
  const text = String(raw).trim();
  if (text === '' && field.nullable) {
    return { value: null };
  }
  if (field.kind === 'integer' || field.kind === 'number') {
    const n = Number(text);
    const whole = field.kind === 'integer';
    if (
      text === '' ||
      !Number.isFinite(n) ||
      (whole && !Number.isInteger(n)) ||
      !inRange(field, n)
    ) {
      return {
        error: field.nullable
          ? trans.__(
              '%1: type %2, or leave it empty for automatic.',
              field.label,
              rangeText(field, trans)
            )
          : trans.__('%1: type %2.', field.label, rangeText(field, trans))
      };
    }
    return { value: n };
  }
  if (field.kind === 'choice') {
    if (!field.options.includes(text)) {
      return {
        error: trans.__(
          '%1: choose one of %2.',
          field.label,
          field.options.join(', ')
        )
      };
    }
    const original = (
      field.default !== null && typeof field.default !== 'string'
        ? Number(text)
        : text
    ) as unknown;
    return { value: original };
  }
  return { value: text };
}

/**
 * The fields the learner changed, as a partial job spec: what was left alone is not sent, so the
 * server's defaults (and its automatic choices) apply. Fields that cannot be read are reported
 * instead, each message starting with the field's label.
 */
export function changedSpec(
  fields: IFormField[],
  values: FormValues,
  initial: FormValues,
  trans: TranslationBundle
): { spec: { [name: string]: unknown }; errors: { [name: string]: string } } {
  const spec: { [name: string]: unknown } = {};
  const errors: { [name: string]: string } = {};
  for (const field of fields) {
    if (CUSTOM_FIELDS.includes(field.name) || !(field.name in values)) {
      continue;
    }
    const raw = values[field.name];
    const before = initial[field.name];
    const same =
      typeof raw === 'string' && typeof before === 'string'
        ? raw.trim() === before.trim()
        : raw === before;
    if (same) {
      continue;
    }
    const parsed = parseField(field, raw, trans);
    if ('error' in parsed) {
      errors[field.name] = parsed.error;
    } else {
      spec[field.name] = parsed.value;
    }
  }
  return { spec, errors };
}

/** The form's word for each spec field the server may name in an error. */
export function fieldLabels(
  fields: IFormField[],
  trans: TranslationBundle
): { [field: string]: string } {
  const labels: { [field: string]: string } = {
    dataset: trans.__('Images folder'),
    path: trans.__('Images folder'),
    labels: trans.__('Labels from'),
    'labels.pattern': trans.__('File-name pattern'),
    'labels.file': trans.__('CSV file'),
    'labels.column': trans.__('Label column'),
    'labels.fn_column': trans.__('File-name column')
  };
  for (const field of fields) {
    if (!(field.name in labels)) {
      labels[field.name] = field.label;
    }
  }
  return labels;
}

/**
 * The server's message about a field, prefixed with the field's label in the form ("Learning rate:
 * must be …"), so the learner knows which input to fix. The server's own quoting of the field's API
 * name at the start is dropped; a message about no known field is kept as it is.
 */
export function errorText(
  message: string,
  field: string | null | undefined,
  labels: { [field: string]: string }
): string {
  const label = field ? labels[field] : undefined;
  if (!label || !field) {
    return message;
  }
  let rest = message.trim();
  for (const quoted of [`'${field}'`, `"${field}"`, `\`${field}\``]) {
    if (rest.startsWith(quoted)) {
      rest = rest.slice(quoted.length).replace(/^\s*:?\s*/, '');
      break;
    }
  }
  if (rest.toLowerCase().startsWith(label.toLowerCase())) {
    return rest;
  }
  return `${label}: ${rest}`;
}

/** A piece of a sentence: plain text, or a word that opens its glossary entry. */
export type Part = string | { term: string; text: string };

/** The sentence as plain text (for tests and screen-reader labels). */
export function partsText(parts: Part[]): string {
  return parts.map(p => (typeof p === 'string' ? p : p.text)).join('');
}

export interface IRecipeChoice {
  arch: string;
  /** What will be used: the learner's tick, or the automatic choice. */
  pretrained: boolean;
  /** Whether this architecture's weights are cached; null when the server does not say. */
  cached: boolean | null;
  recipe: DLCoach.Recipe;
  epochs: number | null;
  freezeEpochs: number | null;
}

/** The recipe the trainer will use: "auto" fine-tunes a pretrained model, else trains from scratch. */
export function effectiveRecipe(
  recipe: DLCoach.Recipe,
  pretrained: boolean
): Exclude<DLCoach.Recipe, 'auto'> {
  if (recipe === 'auto') {
    return pretrained ? 'fine_tune' : 'fit_one_cycle';
  }
  return recipe;
}

/**
 * One plain sentence saying what pressing Train will do with these choices, e.g. "Fine-tunes a
 * pretrained model: 1 epoch with the body frozen, then 3 epochs unfrozen (fine_tune)."
 */
export function recipeSentence(
  choice: IRecipeChoice,
  trans: TranslationBundle
): Part[] {
  const recipe = effectiveRecipe(choice.recipe, choice.pretrained);
  const epochs =
    choice.epochs === null
      ? trans.__('the chosen epochs')
      : trans._n('%1 epoch', '%1 epochs', choice.epochs);
  const frozen =
    choice.freezeEpochs === null
      ? trans.__('the frozen epochs')
      : trans._n('%1 epoch', '%1 epochs', choice.freezeEpochs);
  const pretrainedModel = {
    term: 'pretrained-model',
    text: trans.__('pretrained model')
  };
  const parts: Part[] = [];
  if (choice.pretrained) {
    if (recipe === 'fine_tune') {
      parts.push(
        { term: 'fine-tune', text: trans.__('Fine-tunes') },
        trans.__(' a '),
        pretrainedModel,
        trans.__(
          ': %1 with the body frozen, then %2 unfrozen (fine_tune).',
          frozen,
          epochs
        )
      );
    } else {
      parts.push(
        trans.__('Trains a '),
        pretrainedModel,
        recipe === 'fit'
          ? trans.__(
              ' with every layer unfrozen: %1 at a constant learning rate (fit).',
              epochs
            )
          : trans.__(' with every layer unfrozen: %1 (fit_one_cycle).', epochs)
      );
    }
    if (choice.cached === false) {
      parts.push(
        trans.__(
          ' Its weights for %1 are not here yet: they are downloaded first, which needs the internet.',
          choice.arch
        )
      );
    }
    return parts;
  }
  parts.push(
    choice.cached === true
      ? trans.__('Without pretrained weights')
      : trans.__('No pretrained weights for %1 here', choice.arch)
  );
  if (recipe === 'fine_tune') {
    parts.push(
      trans.__(
        ': fine_tune would spend %1 training only the last layers on random features, then %2 unfrozen. Training from scratch (recipe fit_one_cycle) suits this better.',
        frozen,
        epochs
      )
    );
  } else if (recipe === 'fit') {
    parts.push(
      trans.__(
        ': the model learns from scratch, %1 at a constant learning rate (fit).',
        epochs
      )
    );
  } else {
    parts.push(
      trans.__(': the model learns from scratch, %1 (fit_one_cycle).', epochs)
    );
  }
  return parts;
}

/** Problems that stop training, for a server that does not send each problem's severity. */
const BLOCKING_KINDS = [
  'empty_dataset',
  'no_labels',
  'one_class',
  'regex_no_match',
  'csv_invalid'
];

/** Whether a problem of the folder's check makes training impossible. */
export function isBlocking(problem: {
  kind: string;
  severity?: string;
}): boolean {
  if (problem.severity) {
    return problem.severity === 'error';
  }
  return BLOCKING_KINDS.includes(problem.kind);
}
