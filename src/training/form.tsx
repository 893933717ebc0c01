import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import {
  InspectionSummary,
  ITermProps,
  PretrainedChoice,
  SchemaInput,
  TextField
} from './fields';
import { useFormSources } from './formSources';
import { useTrainingForm } from './formState';
import { LabelsForm } from './labelsForm';
import { RunsModel } from './runs';
import { SamplePicker } from './samplePicker';
import { CUSTOM_FIELDS, IFormField } from './schema';

interface IFormProps extends ITermProps {
  api: CoachAPI;
  runs: RunsModel;
  trans: TranslationBundle;
}

/**
 * Pick a folder (or make a built-in sample), say where its labels come from, choose the settings the
 * server's schema offers, and press Train. Only what the learner changed is sent, so the server's
 * defaults and automatic choices apply to the rest.
 */
function TrainingForm(
  props: IFormProps & { fields: IFormField[]; samples: DLCoach.ISamples | null }
): React.ReactElement {
  const { trans, fields, samples } = props;
  const form = useTrainingForm(props);
  const { values, message } = form;
  const shown = fields.filter(f => !CUSTOM_FIELDS.includes(f.name));
  const common = shown.filter(f => !f.advanced);
  const isNumber = (f: IFormField) =>
    f.kind === 'integer' || f.kind === 'number';
  const input = (field: IFormField) => (
    <SchemaInput
      key={field.name}
      {...props}
      field={field}
      value={values[field.name] ?? ''}
      invalid={message?.error === true && message.field === field.name}
      onChange={form.changeValue}
    />
  );

  return (
    <form
      className="jp-DLCoach-trainForm"
      onSubmit={form.train}
      aria-busy={form.busy}
      noValidate
    >
      <div className="jp-DLCoach-folderRow">
        <TextField
          label={trans.__('Images folder')}
          hint={trans.__(
            'A folder relative to the folder JupyterLab was started in'
          )}
          name="dataset"
          value={form.dataset}
          invalid={message?.error === true && message.field === 'dataset'}
          onChange={value => form.changeDataset(value)}
        />
        <button
          type="button"
          className="jp-mod-styled"
          disabled={form.busy || !form.dataset.trim()}
          aria-label={trans.__('Check folder')}
          title={trans.__('Count the images and labels, and look for problems')}
          onClick={() => void form.check()}
        >
          {trans.__('Check')}
        </button>
      </div>
      {samples && (
        <SamplePicker
          samples={samples}
          sample={form.sample}
          disabled={form.busy || !form.dataset.trim()}
          trans={trans}
          onChoose={form.chooseSample}
          onMake={() => void form.makeSample()}
        />
      )}
      <LabelsForm {...props} state={form.labels} onChange={form.changeLabels} />
      {form.previewing && (
        <p className="jp-DLCoach-muted" role="status">
          {trans.__('Looking for labels…')}
        </p>
      )}
      {form.inspection && (
        <InspectionSummary {...props} report={form.inspection} />
      )}
      {common.filter(f => !isNumber(f)).map(input)}
      <div className="jp-DLCoach-fieldGrid">
        {common.filter(isNumber).map(input)}
      </div>
      <PretrainedChoice
        {...props}
        field={fields.find(f => f.name === 'pretrained')}
        checked={form.usePretrained}
        undecided={form.undecided}
        sentence={form.sentence}
        onChange={form.changePretrained}
      />
      {shown.some(f => f.advanced) && (
        <details
          className="jp-DLCoach-more"
          open={form.moreOpen}
          onToggle={e =>
            form.setMoreOpen((e.target as HTMLDetailsElement).open)
          }
        >
          <summary>{trans.__('More settings')}</summary>
          <div className="jp-DLCoach-fieldGrid">
            {shown.filter(f => f.advanced).map(input)}
          </div>
        </details>
      )}
      {form.settingsNote && (
        <p className="jp-DLCoach-muted jp-DLCoach-settingsNote" role="status">
          {form.settingsNote}
        </p>
      )}
      <div className="jp-DLCoach-trainRow">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept jp-DLCoach-trainButton"
          disabled={form.busy || form.blocking !== null}
          aria-describedby={
            form.blocking ? 'jp-DLCoach-trainBlocked' : undefined
          }
        >
          {trans.__('Train')}
        </button>
        {form.blocking && (
          <span
            id="jp-DLCoach-trainBlocked"
            className="jp-DLCoach-trainBlocked"
          >
            {trans.__("Can't train yet: fix the folder's problem above.")}
          </span>
        )}
      </div>
      {form.estimate && !form.blocking && (
        <p className="jp-DLCoach-estimate" role="status">
          {form.estimate.text}
          {form.estimate.notes.map((note, i) => (
            <span key={i} className="jp-DLCoach-estimateNote">
              {note}
            </span>
          ))}
        </p>
      )}
      {message && (
        <p
          className={`jp-DLCoach-formMessage ${message.error ? 'jp-DLCoach-error' : 'jp-DLCoach-muted'}`}
          role={message.error ? 'alert' : 'status'}
        >
          {message.text}
        </p>
      )}
    </form>
  );
}

/** The form once the schema is loaded; until then, a line saying so (or why it failed). */
function LoadedForm(props: IFormProps): React.ReactElement {
  const { api, trans } = props;
  const { fields, loadError, reload, samples } = useFormSources(api, trans);
  if (fields) {
    // Keyed by the samples list: the folder is prefilled with the default form.sample once it is known.
    return (
      <TrainingForm
        key={samples ? 'samples' : 'none'}
        {...props}
        fields={fields}
        samples={samples}
      />
    );
  }
  return (
    <div className="jp-DLCoach-trainForm">
      {loadError ? (
        <>
          <p className="jp-DLCoach-error" role="alert">
            {loadError}
          </p>
          <button type="button" className="jp-mod-styled" onClick={reload}>
            {trans.__('Try again')}
          </button>
        </>
      ) : (
        <p className="jp-DLCoach-muted" role="status">
          {trans.__('Loading the training form…')}
        </p>
      )}
    </div>
  );
}

export class TrainingFormView extends ReactWidget {
  constructor(private _props: IFormProps) {
    super();
    this.addClass('jp-DLCoach-trainFormView');
  }

  protected render(): React.ReactElement {
    return <LoadedForm {...this._props} />;
  }
}
