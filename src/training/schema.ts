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
  const low =
    min === null
      ? null
      : field.minExclusive
        ? trans.__('above %1', min)
        : max === null
          ? trans.__('of at least %1', min)
          : trans.__('from %1', min);
  const high =
    max === null
      ? null
      : field.maxExclusive
        ? trans.__('below %1', max)
        : min !== null && !field.minExclusive
          ? trans.__('to %1', max)
          : trans.__('at most %1', max);
  const bounds = [low, high]
    .filter(Boolean)
    .join(
      low && high && (field.minExclusive || field.maxExclusive)
        ? trans.__(' and ')
        : ' '
    );
  const kind = whole ? trans.__('a whole number') : trans.__('a number');
  return bounds ? `${kind} ${bounds}` : kind;
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
