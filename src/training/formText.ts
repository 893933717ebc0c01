import { TranslationBundle } from '@jupyterlab/translation';

import { DLCoach } from '../models';
import { IFormField } from './schema';

/**
 * What the form says: labels in its messages, the server's errors in its words, and the sentence
 * that tells what pressing Train will do.
 */

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
 * must be …"), so the learner knows which input to fix. The field's API name, which the server adds
 * for API users ("Learning rate ('lr') must be …"), is dropped or replaced by the label; a message
 * about no known field is kept as it is.
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
  for (const quote of ["'", '"', '`']) {
    const quoted = `${quote}${field}${quote}`;
    rest = rest.split(` (${quoted})`).join('');
    if (rest.startsWith(quoted)) {
      rest = rest.slice(quoted.length).replace(/^\s*:?\s*/, '');
    }
    rest = rest.split(quoted).join(`"${label}"`);
  }
  if (rest.toLowerCase().startsWith(label.toLowerCase())) {
    rest = rest.slice(label.length).replace(/^\s*:?\s*/, '');
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
  /**
   * What will be used: the learner's tick, or the automatic choice; null when it is automatic and
   * the server does not say whether the weights are cached (it decides when the job starts).
   */
  pretrained: boolean | null;
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
  if (choice.pretrained === null) {
    return undecidedSentence(choice, trans);
  }
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

/** Both outcomes, when only the server knows whether the weights are here. */
function undecidedSentence(
  choice: IRecipeChoice,
  trans: TranslationBundle
): Part[] {
  const epochs =
    choice.epochs === null
      ? trans.__('the chosen epochs')
      : trans._n('%1 epoch', '%1 epochs', choice.epochs);
  if (choice.recipe !== 'auto') {
    const frozen =
      choice.freezeEpochs === null
        ? trans.__('the frozen epochs')
        : trans._n('%1 epoch', '%1 epochs', choice.freezeEpochs);
    const how =
      choice.recipe === 'fit'
        ? trans.__('%1 at a constant learning rate (fit).', epochs)
        : choice.recipe === 'fine_tune'
          ? trans.__(
              '%1 with the body frozen, then %2 unfrozen (fine_tune).',
              frozen,
              epochs
            )
          : trans.__('%1 (fit_one_cycle).', epochs);
    return [
      trans.__('Starts from a '),
      { term: 'pretrained-model', text: trans.__('pretrained model') },
      trans.__(
        ' if its weights for %1 are on this machine, else from scratch: %2',
        choice.arch,
        how
      )
    ];
  }
  return [
    { term: 'fine-tune', text: trans.__('Fine-tunes') },
    trans.__(' a '),
    { term: 'pretrained-model', text: trans.__('pretrained model') },
    trans.__(
      ' (fine_tune) if its weights for %1 are on this machine; otherwise the model learns from scratch, %2 (fit_one_cycle).',
      choice.arch,
      epochs
    )
  ];
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
