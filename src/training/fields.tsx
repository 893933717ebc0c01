import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { TermLink } from '../glossary/termLink';
import { DLCoach } from '../models';
import { isBlocking, Part } from './formText';
import { FieldValue, IFormField } from './schema';

/** What the form's pieces need to link words to the glossary. */
export interface ITermProps {
  commands: CommandRegistry;
  /** Whether the glossary explains this word. */
  isTerm: (term: string) => boolean;
}

/** The glossary entry that explains a field's label, where there is one. */
const FIELD_TERMS: { [field: string]: string } = {
  arch: 'architecture',
  epochs: 'epoch',
  freeze_epochs: 'fine-tune',
  lr: 'learning-rate',
  batch_size: 'batch',
  valid_pct: 'validation-set',
  pretrained: 'pretrained-model'
};

/** A word that opens its glossary entry when the glossary has one, plain text otherwise. */
export function Term(
  props: ITermProps & { term: string; children: React.ReactNode }
): React.ReactElement {
  return props.isTerm(props.term) ? (
    <TermLink term={props.term} commands={props.commands}>
      {props.children}
    </TermLink>
  ) : (
    <>{props.children}</>
  );
}

/** A sentence whose glossary words are links; its text pieces carry their own spaces. */
export function Sentence(
  props: ITermProps & { parts: Part[]; className?: string; id?: string }
): React.ReactElement {
  return (
    <p className={props.className} id={props.id}>
      {props.parts.map((part, i) =>
        typeof part === 'string' ? (
          <React.Fragment key={i}>{part}</React.Fragment>
        ) : (
          <Term key={i} term={part.term} {...props}>
            {part.text}
          </Term>
        )
      )}
    </p>
  );
}

/** The one-line help of a field, with its limits, for its tooltip. */
export function fieldHelp(field: IFormField, trans: TranslationBundle): string {
  const limits =
    field.min !== null && field.max !== null
      ? trans.__('%1 to %2', field.min, field.max)
      : '';
  const automatic =
    field.nullable && field.kind !== 'boolean'
      ? trans.__('empty: automatic')
      : '';
  const extra = [limits, automatic].filter(Boolean).join('; ');
  return extra ? `${field.help} (${extra})` : field.help;
}

/** One schema field as an input: a select for choices, a checkbox for a flag, else a text box. */
export function SchemaInput(
  props: ITermProps & {
    field: IFormField;
    value: FieldValue;
    invalid: boolean;
    trans: TranslationBundle;
    onChange: (name: string, value: FieldValue) => void;
  }
): React.ReactElement {
  const { field, value, invalid, trans, onChange } = props;
  const help = fieldHelp(field, trans);
  const term = FIELD_TERMS[field.name];
  const label = term ? (
    <Term term={term} {...props}>
      {field.label}
    </Term>
  ) : (
    field.label
  );
  if (field.kind === 'boolean') {
    return (
      <label className="jp-DLCoach-check" title={help}>
        <input
          type="checkbox"
          name={field.name}
          checked={value === true}
          onChange={e => onChange(field.name, e.target.checked)}
        />
        <span>{label}</span>
      </label>
    );
  }
  if (field.kind === 'choice') {
    return (
      <label className="jp-DLCoach-field jp-DLCoach-field-wide" title={help}>
        <span>{label}</span>
        <select
          className="jp-mod-styled"
          name={field.name}
          value={String(value)}
          aria-invalid={invalid}
          onChange={e => onChange(field.name, e.target.value)}
        >
          {field.nullable && <option value="">{trans.__('automatic')}</option>}
          {field.options.map(option => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      </label>
    );
  }
  const numeric = field.kind === 'integer' || field.kind === 'number';
  return (
    <label
      className={`jp-DLCoach-field${numeric ? '' : ' jp-DLCoach-field-wide'}`}
      title={help}
    >
      <span>{label}</span>
      <input
        className="jp-mod-styled"
        name={field.name}
        value={String(value)}
        // Text, not type="number": a typo reaches the form's own message instead of vanishing.
        inputMode={
          field.kind === 'integer'
            ? 'numeric'
            : field.kind === 'number'
              ? 'decimal'
              : undefined
        }
        maxLength={field.maxLength ?? undefined}
        placeholder={
          field.nullable || (field.kind === 'text' && field.default === '')
            ? trans.__('automatic')
            : undefined
        }
        aria-invalid={invalid}
        onChange={e => onChange(field.name, e.target.value)}
      />
    </label>
  );
}

/** What the folder's check found: images, labels, and any problems (blocking ones first). */
export function InspectionSummary(
  props: ITermProps & {
    report: DLCoach.IInspection;
    trans: TranslationBundle;
  }
): React.ReactElement {
  const { report, trans } = props;
  const shown = 12;
  const classes = report.classes
    .slice(0, shown)
    .map(c => `${c.name} (${c.count})`)
    .join(', ');
  const more = report.classes.length - shown;
  const problems = [...report.problems].sort(
    (a, b) => Number(isBlocking(b)) - Number(isBlocking(a))
  );
  return (
    <div className="jp-DLCoach-inspection" aria-live="polite">
      <p>
        {trans._n(
          '%2 image with ',
          '%2 images with ',
          report.images,
          report.images.toLocaleString()
        )}
        {trans._n('%1 different ', '%1 different ', report.classes.length)}
        <Term term="label" {...props}>
          {trans.__('labels')}
        </Term>
        {report.classes.length > 0 ? ': ' : '.'}
        {classes}
        {more > 0 ? trans.__(' and %1 more', more) : ''}
      </p>
      {problems.map((p, i) => (
        <p
          key={i}
          className={
            isBlocking(p) ? 'jp-DLCoach-problem' : 'jp-DLCoach-problemWarning'
          }
          data-kind={p.kind}
          role={isBlocking(p) ? 'alert' : undefined}
        >
          {p.message} {p.advice}
        </p>
      ))}
    </div>
  );
}

/** The pretrained checkbox and one plain sentence saying what pressing Train will do. */
export function PretrainedChoice(
  props: ITermProps & {
    field: IFormField | undefined;
    checked: boolean;
    /** Automatic, and nobody here knows yet which way it goes. */
    undecided: boolean;
    sentence: Part[];
    trans: TranslationBundle;
    onChange: (checked: boolean) => void;
  }
): React.ReactElement {
  const { field, checked, sentence, trans } = props;
  return (
    <div className="jp-DLCoach-pretrained">
      <label
        className="jp-DLCoach-check"
        title={field ? fieldHelp(field, trans) : undefined}
      >
        <input
          type="checkbox"
          name="pretrained"
          checked={checked}
          ref={box => {
            if (box) {
              box.indeterminate = props.undecided;
            }
          }}
          aria-describedby="jp-DLCoach-recipe"
          onChange={e => props.onChange(e.target.checked)}
        />
        <span>
          <Term term="pretrained-model" {...props}>
            {field?.label ?? trans.__('Start from a pretrained model')}
          </Term>
        </span>
      </label>
      <Sentence
        {...props}
        id="jp-DLCoach-recipe"
        className="jp-DLCoach-recipe"
        parts={sentence}
      />
    </div>
  );
}

/** A labelled text input with its hint as the label's tooltip. */
export function TextField(props: {
  label: string;
  hint: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  wide?: boolean;
  code?: boolean;
  invalid?: boolean;
}): React.ReactElement {
  return (
    <label
      className={
        'jp-DLCoach-field' + (props.wide ? ' jp-DLCoach-field-wide' : '')
      }
      title={props.hint}
    >
      <span>{props.label}</span>
      <input
        className={'jp-mod-styled' + (props.code ? ' jp-DLCoach-code' : '')}
        name={props.name}
        value={props.value}
        placeholder={props.placeholder}
        spellCheck={props.code ? false : undefined}
        aria-invalid={props.invalid}
        onChange={e => props.onChange(e.target.value)}
      />
    </label>
  );
}
