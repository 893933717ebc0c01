import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { DLCoach } from '../models';
import { ITermProps, Term, TextField } from './fields';

/** Where the images' labels come from, as the form holds it while the learner types. */
export interface ILabelsState {
  from: 'folder' | 'filename' | 'csv';
  pattern: string;
  file: string;
  column: string;
  fnColumn: string;
}

export const FOLDER_LABELS: ILabelsState = {
  from: 'folder',
  pattern: '',
  file: '',
  column: '',
  fnColumn: ''
};

/**
 * The spec's `labels`, or null while what the learner typed is not enough to ask for it yet
 * (folder names need nothing and are the server's default, so they are not sent either).
 */
export function labelsSpec(state: ILabelsState): DLCoach.Labels | null {
  if (state.from === 'filename') {
    return state.pattern ? { from: 'filename', pattern: state.pattern } : null;
  }
  if (state.from === 'csv') {
    if (!state.file.trim() || !state.column.trim()) {
      return null;
    }
    const labels: DLCoach.Labels = {
      from: 'csv',
      file: state.file.trim(),
      column: state.column.trim()
    };
    if (state.fnColumn.trim()) {
      labels.fn_column = state.fnColumn.trim();
    }
    return labels;
  }
  return null;
}

/** What is still missing before labels other than folder names can be used, in the form's words. */
export function labelsMissing(
  state: ILabelsState,
  trans: TranslationBundle
): string | null {
  if (state.from === 'filename' && !state.pattern) {
    return trans.__(
      'File-name pattern: type a pattern whose group (…) is the label.'
    );
  }
  if (state.from === 'csv' && !state.file.trim()) {
    return trans.__('CSV file: type the CSV file that holds the labels.');
  }
  if (state.from === 'csv' && !state.column.trim()) {
    return trans.__('Label column: type the name of the column with labels.');
  }
  return null;
}

/**
 * "Labels from": folder names (one folder per class), file names (a pattern, Oxford-IIIT Pets
 * style) or a CSV file. The folder's check below the sub-form previews the classes found.
 */
export function LabelsForm(
  props: ITermProps & {
    state: ILabelsState;
    onChange: (state: ILabelsState) => void;
    trans: TranslationBundle;
  }
): React.ReactElement {
  const { state, onChange, trans } = props;
  const set = (change: Partial<ILabelsState>) =>
    onChange({ ...state, ...change });
  return (
    <fieldset className="jp-DLCoach-labelsForm">
      <label
        className="jp-DLCoach-field jp-DLCoach-field-wide"
        title={trans.__(
          'Folder names: one sub-folder per class. File names: a pattern picks the label out of each name. A CSV file: a table of file names and labels.'
        )}
      >
        <span>
          <Term term="label" {...props}>
            {trans.__('Labels from')}
          </Term>
        </span>
        <select
          className="jp-mod-styled"
          name="labels_from"
          value={state.from}
          onChange={e => set({ from: e.target.value as ILabelsState['from'] })}
        >
          <option value="folder">{trans.__('folder names')}</option>
          <option value="filename">{trans.__('file names')}</option>
          <option value="csv">{trans.__('a CSV file')}</option>
        </select>
      </label>
      {state.from === 'filename' && (
        <TextField
          wide
          code
          label={trans.__('File-name pattern')}
          hint={trans.__(
            'A regular expression with one group (…) around the label; e.g. for great_pyrenees_173.jpg the pattern ^(.+)_\\d+\\.jpg$ gives great_pyrenees.'
          )}
          name="labels_pattern"
          value={state.pattern}
          placeholder="^(.+)_\d+\.jpg$"
          onChange={pattern => set({ pattern })}
        />
      )}
      {state.from === 'csv' && (
        <div className="jp-DLCoach-fieldRow">
          <TextField
            label={trans.__('CSV file')}
            hint={trans.__('The CSV file, relative to the images folder.')}
            name="labels_file"
            value={state.file}
            placeholder="labels.csv"
            onChange={file => set({ file })}
          />
          <TextField
            label={trans.__('Label column')}
            hint={trans.__('The column that holds each image’s label.')}
            name="labels_column"
            value={state.column}
            placeholder="label"
            onChange={column => set({ column })}
          />
          <TextField
            label={trans.__('File-name column')}
            hint={trans.__(
              'The column that holds each image’s file name; empty: the first other column.'
            )}
            name="labels_fn_column"
            value={state.fnColumn}
            placeholder={trans.__('optional')}
            onChange={fnColumn => set({ fnColumn })}
          />
        </div>
      )}
    </fieldset>
  );
}
