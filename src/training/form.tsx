import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import { RunsModel } from './runs';
import { TermLink } from '../glossary/termLink';

/** Architectures offered in the form; the server accepts a few more (models.ARCHS). */
const ARCHS = ['resnet18', 'resnet34', 'resnet50'];

interface IFormProps {
  api: CoachAPI;
  runs: RunsModel;
  trans: TranslationBundle;
  commands: CommandRegistry;
}

/**
 * Pick a data set (or make the built-in sample), choose the architecture, epochs and learning rate,
 * and press Train. Defaults train the sample in well under a minute on a CPU.
 */
function TrainingForm(props: IFormProps): React.ReactElement {
  const { api, runs, trans, commands } = props;
  const [dataset, setDataset] = React.useState('shapes');
  const [arch, setArch] = React.useState('resnet18');
  const [epochs, setEpochs] = React.useState('3');
  const [lr, setLr] = React.useState('');
  const [imageSize, setImageSize] = React.useState('64');
  const [pretrained, setPretrained] = React.useState(false);
  const [busy, setBusy] = React.useState(false);
  const [message, setMessage] = React.useState<{
    error: boolean;
    text: string;
  } | null>(null);
  const [inspection, setInspection] =
    React.useState<DLCoach.IInspection | null>(null);

  const act = async (what: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ error: false, text: await what() });
    } catch (reason) {
      setMessage({ error: true, text: (reason as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const makeSample = () =>
    act(async () => {
      const report = await api.writeSample('shapes', dataset);
      setInspection(report);
      return trans.__('Sample data written to %1.', report.path);
    });

  const inspect = () =>
    act(async () => {
      const report = await api.inspect(dataset);
      setInspection(report);
      return trans.__('Checked %1.', report.path);
    });

  const train = (event: React.FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const spec: DLCoach.IJobSpec = {
        dataset,
        arch,
        pretrained,
        epochs: asNumber(epochs),
        image_size: asNumber(imageSize),
        lr: lr.trim() === '' ? null : asNumber(lr)
      };
      const job = await runs.submit(spec);
      return trans.__('Submitted "%1": follow it in the list below.', job.name);
    });
  };

  return (
    <form className="jp-DLCoach-trainForm" onSubmit={train} aria-busy={busy}>
      <Field
        label={trans.__('Images folder')}
        name="dataset"
        value={dataset}
        onChange={setDataset}
        input={{
          title: trans.__(
            'A folder relative to the folder JupyterLab was started in'
          )
        }}
      />
      <div className="jp-DLCoach-buttonRow">
        <button
          type="button"
          className="jp-mod-styled jp-DLCoach-sampleButton"
          disabled={busy}
          onClick={() => void makeSample()}
        >
          {trans.__('Make sample images')}
        </button>
        <button
          type="button"
          className="jp-mod-styled"
          disabled={busy}
          onClick={() => void inspect()}
        >
          {trans.__('Check folder')}
        </button>
      </div>
      {inspection && (
        <InspectionSummary
          report={inspection}
          trans={trans}
          commands={commands}
        />
      )}
      <label className="jp-DLCoach-field">
        <span>
          <TermLink term="architecture" commands={commands}>
            {trans.__('Architecture')}
          </TermLink>
        </span>
        <select
          className="jp-mod-styled"
          name="arch"
          value={arch}
          onChange={e => setArch(e.target.value)}
        >
          {ARCHS.map(a => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <div className="jp-DLCoach-fieldRow">
        <Field
          label={
            <TermLink term="epoch" commands={commands}>
              {trans.__('Epochs')}
            </TermLink>
          }
          name="epochs"
          value={epochs}
          onChange={setEpochs}
          input={{ type: 'number', min: 1, max: 100 }}
        />
        <Field
          label={trans.__('Image size (px)')}
          name="image_size"
          value={imageSize}
          onChange={setImageSize}
          input={{ type: 'number', min: 16, max: 1024 }}
        />
        <Field
          label={trans.__('Learning rate')}
          name="lr"
          value={lr}
          onChange={setLr}
          input={{ placeholder: trans.__('automatic') }}
        />
      </div>
      <label className="jp-DLCoach-check">
        <input
          type="checkbox"
          name="pretrained"
          checked={pretrained}
          onChange={e => setPretrained(e.target.checked)}
        />
        <span>
          {trans.__('Start from a ')}
          <TermLink term="pretrained-model" commands={commands}>
            {trans.__('pretrained model')}
          </TermLink>
          {trans.__(' (its weights must have been downloaded once)')}
        </span>
      </label>
      <button
        type="submit"
        className="jp-mod-styled jp-mod-accept jp-DLCoach-trainButton"
        disabled={busy}
      >
        {trans.__('Train')}
      </button>
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

/**
 * A field's number, or its text when it is not one, so that the server's answer names the field and
 * the fix instead of a typo silently becoming a default.
 */
function asNumber(text: string): number {
  const value = Number(text.trim());
  return (text.trim() === '' || Number.isNaN(value) ? text : value) as number;
}

/** A labelled text or number input of the form. */
function Field(props: {
  label: React.ReactNode;
  name: string;
  value: string;
  onChange: (value: string) => void;
  input?: React.InputHTMLAttributes<HTMLInputElement>;
}): React.ReactElement {
  return (
    <label className="jp-DLCoach-field">
      <span>{props.label}</span>
      <input
        className="jp-mod-styled"
        name={props.name}
        value={props.value}
        onChange={e => props.onChange(e.target.value)}
        {...props.input}
      />
    </label>
  );
}

function InspectionSummary(props: {
  report: DLCoach.IInspection;
  trans: TranslationBundle;
  commands: CommandRegistry;
}): React.ReactElement {
  const { report, trans, commands } = props;
  return (
    <div className="jp-DLCoach-inspection">
      <p>
        {trans.__(
          '%1 images with %2 different ',
          report.images,
          report.classes.length
        )}
        <TermLink term="label" commands={commands}>
          {trans.__('labels')}
        </TermLink>
        {': '}
        {report.classes.map(c => `${c.name} (${c.count})`).join(', ')}
      </p>
      {report.problems.map((p, i) => (
        <p key={i} className="jp-DLCoach-problem" role="alert">
          {p.message} {p.advice}
        </p>
      ))}
    </div>
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
