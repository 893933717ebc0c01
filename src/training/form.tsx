import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CoachAPI, CoachRequestError } from '../api';
import { DLCoach } from '../models';
import {
  fieldHelp,
  InspectionSummary,
  ITermProps,
  SchemaInput,
  Sentence,
  Term
} from './fields';
import {
  FOLDER_LABELS,
  ILabelsState,
  LabelsForm,
  labelsMissing,
  labelsSpec
} from './labelsForm';
import { RunsModel } from './runs';
import {
  changedSpec,
  CUSTOM_FIELDS,
  displayValue,
  errorText,
  fieldLabels,
  FieldValue,
  FormValues,
  formFields,
  IFormField,
  initialValues,
  isBlocking,
  recipeSentence
} from './schema';

interface IFormProps extends ITermProps {
  api: CoachAPI;
  runs: RunsModel;
  trans: TranslationBundle;
}

/** How long typing pauses before the form asks the server (estimate, labels preview). */
const DEBOUNCE_MS = 600;

interface IMessage {
  error: boolean;
  text: string;
  /** The field the message is about, marked invalid in the form. */
  field?: string | null;
}

/** Run `effect` once its inputs have stopped changing for a moment; abort it when they change. */
function useDebouncedEffect(
  effect: (signal: AbortSignal) => void,
  key: string
): void {
  React.useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => effect(controller.signal), DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // The key stands for everything the effect reads, so a new closure alone does not re-run it.
  }, [key]);
}

/**
 * Pick a folder (or make a built-in sample), say where its labels come from, choose the settings the
 * server's schema offers, and press Train. Only what the learner changed is sent, so the server's
 * defaults and automatic choices apply to the rest.
 */
function TrainingForm(props: IFormProps): React.ReactElement {
  const { api, runs, trans } = props;
  const [fields, setFields] = React.useState<IFormField[] | null>(null);
  const [loadError, setLoadError] = React.useState<string | null>(null);
  const [initial, setInitial] = React.useState<FormValues>({});
  const [values, setValues] = React.useState<FormValues>({});
  const [dataset, setDataset] = React.useState('');
  const [labels, setLabels] = React.useState<ILabelsState>(FOLDER_LABELS);
  // null: automatic (pretrained when the weights are cached), as the server decides it.
  const [pretrained, setPretrained] = React.useState<boolean | null>(null);
  const [weights, setWeights] = React.useState<DLCoach.IWeights[] | null>(null);
  const [samples, setSamples] = React.useState<DLCoach.ISamples | null>(null);
  const [sample, setSample] = React.useState('');
  const [suggested, setSuggested] = React.useState<string[]>([]);
  const [settingsNote, setSettingsNote] = React.useState<string | null>(null);
  const [moreOpen, setMoreOpen] = React.useState(false);
  const [inspection, setInspection] =
    React.useState<DLCoach.IInspection | null>(null);
  const [previewing, setPreviewing] = React.useState(false);
  const [estimate, setEstimate] = React.useState<DLCoach.IEstimate | null>(
    null
  );
  // Bumped when the folder's content changes (a sample written), so the estimate is asked again.
  const [written, setWritten] = React.useState(0);
  const [busy, setBusy] = React.useState(false);
  const [message, setMessage] = React.useState<IMessage | null>(null);

  const loadSchema = React.useCallback(() => {
    setLoadError(null);
    api.jobSchema().then(
      schema => {
        const list = formFields(schema);
        const start = initialValues(list);
        setFields(list);
        setInitial(start);
        setValues(start);
      },
      reason =>
        setLoadError(
          trans.__(
            'The training form could not be loaded: %1',
            (reason as Error).message
          )
        )
    );
  }, [api, trans]);

  React.useEffect(() => {
    loadSchema();
    api.samples().then(
      list => {
        setSamples(list);
        setSample(list.default);
        setDataset(current => (current === '' ? list.default : current));
      },
      // Without the list there is no sample to offer; the rest of the form still works.
      () => setSamples(null)
    );
  }, [api, loadSchema]);

  const arch = String(values.arch ?? '');
  React.useEffect(() => {
    let current = true;
    api.system().then(
      info => current && setWeights(info.weights ?? null),
      () => current && setWeights(null)
    );
    return () => {
      current = false;
    };
  }, [api, arch]);

  const labelsByField = React.useMemo(
    () => fieldLabels(fields ?? [], trans),
    [fields, trans]
  );

  const cached: boolean | null = weights
    ? (weights.find(w => w.arch === arch)?.cached ?? false)
    : null;
  const usePretrained = pretrained ?? cached === true;

  const changeDataset = (value: string) => {
    setDataset(value);
    setInspection(null);
    setMessage(null);
    setSettingsNote(null);
  };

  const changeLabels = (value: ILabelsState) => {
    setLabels(value);
    setInspection(null);
    setMessage(null);
  };

  const changeValue = (name: string, value: FieldValue) => {
    setValues(current => ({ ...current, [name]: value }));
    if (message?.field === name) {
      setMessage(null);
    }
  };

  const changePretrained = (checked: boolean) => {
    // Ticking back to what automatic would choose hands the choice back to the server.
    setPretrained(checked === (cached === true) ? null : checked);
  };

  const chooseSample = (name: string) => {
    // The folder follows the chosen sample until the learner types a folder of their own.
    const names = samples?.samples.map(s => s.name) ?? [];
    if (dataset === '' || names.includes(dataset)) {
      changeDataset(name);
    }
    setSample(name);
  };

  /** Put a sample's suggested settings into the form; undo the previous sample's first. */
  const applySuggested = (settings: { [field: string]: unknown }): string => {
    if (!fields) {
      return '';
    }
    const next = { ...values };
    for (const name of suggested) {
      next[name] = initial[name];
    }
    const said: string[] = [];
    let advanced = false;
    for (const [name, value] of Object.entries(settings)) {
      const field = fields.find(f => f.name === name);
      if (!field) {
        continue;
      }
      if (name === 'pretrained') {
        setPretrained(typeof value === 'boolean' ? value : null);
      } else if (CUSTOM_FIELDS.includes(name)) {
        continue;
      } else {
        next[name] = displayValue(field, value);
      }
      advanced = advanced || field.advanced;
      said.push(
        trans.__(
          '%1 %2',
          field.label,
          value === null ? trans.__('automatic') : String(value)
        )
      );
    }
    setValues(next);
    setSuggested(Object.keys(settings));
    if (advanced) {
      setMoreOpen(true);
    }
    return said.length > 0
      ? trans.__(
          'The settings suggested for this sample are now in the form: %1.',
          said.join(', ')
        )
      : '';
  };

  const act = async (what: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ error: false, text: await what() });
    } catch (reason) {
      const field = reason instanceof CoachRequestError ? reason.field : null;
      setMessage({
        error: true,
        text: errorText((reason as Error).message, field, labelsByField),
        field
      });
    } finally {
      setBusy(false);
    }
  };

  const makeSample = () =>
    act(async () => {
      setSettingsNote(null);
      const chosen = samples?.samples.find(s => s.name === sample);
      const report = await api.writeSample(sample, dataset.trim());
      changeLabels(FOLDER_LABELS);
      setInspection(report);
      setWritten(n => n + 1);
      setSettingsNote(applySuggested(chosen?.settings ?? {}) || null);
      return trans.__(
        'Sample images written to %1: %2.',
        report.path,
        chosen?.title ?? sample
      );
    });

  const check = () =>
    act(async () => {
      const report = await api.inspect(
        dataset.trim(),
        labelsSpec(labels) ?? undefined
      );
      setInspection(report);
      return trans.__('Checked %1.', report.path);
    });

  // Labels from file names or a CSV: preview the classes they give while the learner types.
  const labelsKey = JSON.stringify(labelsSpec(labels));
  useDebouncedEffect(signal => {
    const spec = labelsSpec(labels);
    if (!spec || !dataset.trim()) {
      return;
    }
    setPreviewing(true);
    api.inspect(dataset.trim(), spec, { signal }).then(
      report => {
        if (!signal.aborted) {
          setInspection(report);
          setPreviewing(false);
        }
      },
      reason => {
        if (!signal.aborted) {
          setPreviewing(false);
          const field =
            reason instanceof CoachRequestError ? reason.field : null;
          setMessage({
            error: true,
            text: errorText((reason as Error).message, field, labelsByField),
            field
          });
        }
      }
    );
  }, `${dataset}\n${labelsKey}`);

  /** The spec to send, or the first reason it cannot be sent, in the form's words. */
  const buildSpec = (): { spec: DLCoach.IJobSpec } | IMessage => {
    if (!dataset.trim()) {
      return {
        error: true,
        field: 'dataset',
        text: trans.__(
          'Images folder: type a folder, or make the sample images first.'
        )
      };
    }
    const missing = labelsMissing(labels, trans);
    if (missing) {
      return { error: true, field: 'labels', text: missing };
    }
    const { spec, errors } = changedSpec(fields ?? [], values, initial, trans);
    const [invalid] = Object.keys(errors);
    if (invalid) {
      return { error: true, field: invalid, text: errors[invalid] };
    }
    const full: DLCoach.IJobSpec = { dataset: dataset.trim(), ...spec };
    const labelSpec = labelsSpec(labels);
    if (labelSpec) {
      full.labels = labelSpec;
    }
    if (pretrained !== null) {
      full.pretrained = pretrained;
    }
    return { spec: full };
  };

  // The time estimate follows what changes it; it is hidden when the server cannot give one.
  const estimateKey = [
    dataset,
    labelsKey,
    written,
    usePretrained,
    ...['arch', 'epochs', 'freeze_epochs', 'image_size', 'batch_size'].map(
      name => values[name]
    ),
    values.recipe
  ].join('\n');
  useDebouncedEffect(signal => {
    const built = buildSpec();
    if (!('spec' in built) || !fields) {
      setEstimate(null);
      return;
    }
    api.estimate(built.spec, { signal }).then(
      answer => !signal.aborted && setEstimate(answer),
      () => !signal.aborted && setEstimate(null)
    );
  }, estimateKey);

  const train = (event: React.FormEvent) => {
    event.preventDefault();
    const built = buildSpec();
    if (!('spec' in built)) {
      setMessage(built);
      return;
    }
    void act(async () => {
      const job = await runs.submit(built.spec);
      return trans.__('Submitted "%1": follow it in the list below.', job.name);
    });
  };

  if (!fields) {
    return (
      <div className="jp-DLCoach-trainForm">
        {loadError ? (
          <>
            <p className="jp-DLCoach-error" role="alert">
              {loadError}
            </p>
            <button
              type="button"
              className="jp-mod-styled"
              onClick={loadSchema}
            >
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

  const blocking = inspection?.problems.find(isBlocking) ?? null;
  const chosenSample = samples?.samples.find(s => s.name === sample);
  const shown = fields.filter(f => !CUSTOM_FIELDS.includes(f.name));
  const input = (field: IFormField) => (
    <SchemaInput
      key={field.name}
      {...props}
      field={field}
      value={values[field.name] ?? ''}
      invalid={message?.error === true && message.field === field.name}
      onChange={changeValue}
    />
  );
  const common = shown.filter(f => !f.advanced);
  const numbers = (f: IFormField) =>
    f.kind === 'integer' || f.kind === 'number';
  const pretrainedField = fields.find(f => f.name === 'pretrained');
  const recipe = (values.recipe as DLCoach.Recipe | undefined) ?? 'auto';
  const whole = (name: string): number | null => {
    const n = Number(values[name]);
    return values[name] !== '' && Number.isInteger(n) ? n : null;
  };

  return (
    <form
      className="jp-DLCoach-trainForm"
      onSubmit={train}
      aria-busy={busy}
      noValidate
    >
      <label
        className="jp-DLCoach-field jp-DLCoach-field-wide"
        title={trans.__(
          'A folder relative to the folder JupyterLab was started in'
        )}
      >
        <span>{trans.__('Images folder')}</span>
        <input
          className="jp-mod-styled"
          name="dataset"
          value={dataset}
          aria-invalid={message?.error === true && message.field === 'dataset'}
          onChange={e => changeDataset(e.target.value)}
        />
      </label>
      <div className="jp-DLCoach-buttonRow">
        <button
          type="button"
          className="jp-mod-styled"
          disabled={busy || !dataset.trim()}
          onClick={() => void check()}
        >
          {trans.__('Check folder')}
        </button>
      </div>
      {samples && samples.samples.length > 0 && (
        <div className="jp-DLCoach-samples">
          <div className="jp-DLCoach-buttonRow jp-DLCoach-sampleRow">
            <label className="jp-DLCoach-field jp-DLCoach-field-wide">
              <span>{trans.__('Built-in sample')}</span>
              <select
                className="jp-mod-styled"
                name="sample"
                value={sample}
                onChange={e => chooseSample(e.target.value)}
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
              disabled={busy || !dataset.trim()}
              title={trans.__('Write the chosen sample into the images folder')}
              onClick={() => void makeSample()}
            >
              {trans.__('Make sample images')}
            </button>
          </div>
          {chosenSample && (
            <p className="jp-DLCoach-muted jp-DLCoach-sampleText">
              {chosenSample.description}
            </p>
          )}
        </div>
      )}
      <LabelsForm {...props} state={labels} onChange={changeLabels} />
      {previewing && (
        <p className="jp-DLCoach-muted" role="status">
          {trans.__('Looking for labels…')}
        </p>
      )}
      {inspection && <InspectionSummary {...props} report={inspection} />}
      {common.filter(f => !numbers(f)).map(input)}
      <div className="jp-DLCoach-fieldGrid">
        {common.filter(numbers).map(input)}
      </div>
      <div className="jp-DLCoach-pretrained">
        <label
          className="jp-DLCoach-check"
          title={pretrainedField ? fieldHelp(pretrainedField, trans) : ''}
        >
          <input
            type="checkbox"
            name="pretrained"
            checked={usePretrained}
            onChange={e => changePretrained(e.target.checked)}
          />
          <span>
            {trans.__('Start from a ')}
            <Term term="pretrained-model" {...props}>
              {trans.__('pretrained model')}
            </Term>
          </span>
        </label>
        <Sentence
          {...props}
          className="jp-DLCoach-recipe"
          parts={recipeSentence(
            {
              arch,
              pretrained: usePretrained,
              cached,
              recipe,
              epochs: whole('epochs'),
              freezeEpochs: whole('freeze_epochs')
            },
            trans
          )}
        />
      </div>
      {shown.some(f => f.advanced) && (
        <details
          className="jp-DLCoach-more"
          open={moreOpen}
          onToggle={e => setMoreOpen((e.target as HTMLDetailsElement).open)}
        >
          <summary>{trans.__('More settings')}</summary>
          <div className="jp-DLCoach-fieldGrid">
            {shown.filter(f => f.advanced).map(input)}
          </div>
        </details>
      )}
      {settingsNote && (
        <p className="jp-DLCoach-muted" role="status">
          {settingsNote}
        </p>
      )}
      <div className="jp-DLCoach-trainRow">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept jp-DLCoach-trainButton"
          disabled={busy || blocking !== null}
          aria-describedby={blocking ? 'jp-DLCoach-trainBlocked' : undefined}
        >
          {trans.__('Train')}
        </button>
        {blocking && (
          <span
            id="jp-DLCoach-trainBlocked"
            className="jp-DLCoach-trainBlocked"
          >
            {trans.__("Can't train yet: fix the folder's problem above.")}
          </span>
        )}
      </div>
      {estimate && !blocking && (
        <p className="jp-DLCoach-estimate" role="status">
          {estimate.text}
          {estimate.notes.map((note, i) => (
            <span key={i} className="jp-DLCoach-estimateNote">
              {note}
            </span>
          ))}
        </p>
      )}
      {message && (
        <p
          className={message.error ? 'jp-DLCoach-error' : 'jp-DLCoach-muted'}
          role={message.error ? 'alert' : 'status'}
        >
          {message.text}
        </p>
      )}
    </form>
  );
}

export class TrainingFormView extends ReactWidget {
  constructor(private _props: IFormProps) {
    super();
    this.addClass('jp-DLCoach-trainFormView');
  }

  protected render(): React.ReactElement {
    return <TrainingForm {...this._props} />;
  }
}
