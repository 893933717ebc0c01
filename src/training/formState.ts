import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { CoachAPI, CoachRequestError } from '../api';
import { DLCoach } from '../models';
import { useDebouncedEffect, useWeightsCached } from './formSources';
import { errorText, fieldLabels, isBlocking, recipeSentence } from './formText';
import {
  FOLDER_LABELS,
  ILabelsState,
  labelsMissing,
  labelsSpec
} from './labelsForm';
import { RunsModel } from './runs';
import { applySuggestions } from './samplePicker';
import { formFromSpec } from './trainAgain';
import {
  changedSpec,
  FieldValue,
  FormValues,
  IFormField,
  initialValues
} from './schema';

export interface IMessage {
  error: boolean;
  text: string;
  /** The field the message is about, marked invalid in the form. */
  field?: string | null;
}

/** Fields whose change changes how long training takes. */
const ESTIMATE_FIELDS = [
  'arch',
  'epochs',
  'freeze_epochs',
  'image_size',
  'batch_size',
  'recipe'
];

/**
 * The training form's state and what it does: the learner's inputs, the folder's check, the labels
 * preview, the time estimate and the messages. The view (form.tsx) only lays it out.
 */
export function useTrainingForm(props: {
  api: CoachAPI;
  runs: RunsModel;
  trans: TranslationBundle;
  fields: IFormField[];
  samples: DLCoach.ISamples | null;
}) {
  const { api, runs, trans, fields, samples } = props;
  const initial = React.useMemo(() => initialValues(fields), [fields]);
  const [values, setValues] = React.useState<FormValues>(initial);
  const [dataset, setDataset] = React.useState(samples?.default ?? '');
  const [labels, setLabels] = React.useState<ILabelsState>(FOLDER_LABELS);
  // null: automatic (pretrained when the weights are cached), as the server decides it.
  const [pretrained, setPretrained] = React.useState<boolean | null>(null);
  const [sample, setSample] = React.useState(samples?.default ?? '');
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

  // "Train again" (a run view's advice, or the dlcoach:train-again command): the run's settings.
  React.useEffect(() => {
    const fill = (_: RunsModel, asked: RunsModel.IFormFill) => {
      const request = runs.takeFormFill() ?? asked;
      const content = formFromSpec(
        fields,
        initial,
        request.spec,
        request.epochs
      );
      setValues(content.values);
      setDataset(content.dataset);
      setLabels(content.labels);
      setPretrained(content.pretrained);
      setInspection(null);
      setSuggested([]);
      setSettingsNote(null);
      setMoreOpen(true);
      setMessage({
        error: false,
        text:
          request.epochs !== null
            ? trans.__(
                "The form holds the run's data and settings, with %1 epochs: press Train to start.",
                request.epochs
              )
            : trans.__(
                "The form holds the run's data and settings: press Train to start."
              )
      });
    };
    runs.formFillRequested.connect(fill);
    const pending = runs.takeFormFill();
    if (pending) {
      fill(runs, pending);
    }
    return () => {
      runs.formFillRequested.disconnect(fill);
    };
  }, [runs, fields, initial, trans]);

  const arch = String(values.arch ?? '');
  const cached = useWeightsCached(api, arch);
  const usePretrained = pretrained ?? cached === true;
  // Neither the learner nor the weights list says: the server decides when the job starts.
  const undecided = pretrained === null && cached === null;
  const labelsByField = React.useMemo(
    () => fieldLabels(fields, trans),
    [fields, trans]
  );

  const failed = (reason: unknown): IMessage => {
    const field = reason instanceof CoachRequestError ? reason.field : null;
    const text = errorText((reason as Error).message, field, labelsByField);
    return { error: true, text, field };
  };

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
    // Ticking back to what automatic would choose hands the choice back to the server; while
    // nobody knows what that is, the learner's tick stands.
    setPretrained(cached !== null && checked === cached ? null : checked);
  };

  const chooseSample = (name: string) => {
    // The folder follows the chosen sample until the learner types a folder of their own.
    const names = samples?.samples.map(s => s.name) ?? [];
    if (dataset === '' || names.includes(dataset)) {
      changeDataset(name);
    }
    setSample(name);
  };

  const act = async (what: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ error: false, text: await what() });
    } catch (reason) {
      setMessage(failed(reason));
    } finally {
      setBusy(false);
    }
  };

  const makeSample = () =>
    act(async () => {
      setSettingsNote(null);
      const chosen = samples?.samples.find(s => s.name === sample);
      const report = await api.writeSample(sample, dataset.trim());
      const suggestion = applySuggestions(
        fields,
        values,
        initial,
        suggested,
        chosen?.settings ?? {},
        trans
      );
      setValues(suggestion.values);
      setSuggested(suggestion.keys);
      if (suggestion.pretrained !== undefined) {
        setPretrained(suggestion.pretrained);
      }
      setMoreOpen(open => open || suggestion.advanced);
      setSettingsNote(suggestion.note || null);
      setLabels(FOLDER_LABELS);
      setInspection(report);
      setWritten(n => n + 1);
      return trans.__(
        'Sample images written to %1: %2.',
        report.path,
        chosen?.title ?? sample
      );
    });

  const check = () =>
    act(async () => {
      const spec = labelsSpec(labels) ?? undefined;
      const report = await api.inspect(dataset.trim(), spec);
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
    // An aborted preview gives way to the next one, which says "looking" again.
    signal.addEventListener('abort', () => setPreviewing(false));
    api
      .inspect(dataset.trim(), spec, { signal })
      .then(
        report => !signal.aborted && setInspection(report),
        reason => !signal.aborted && setMessage(failed(reason))
      )
      .finally(() => setPreviewing(false));
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
    const { spec, errors } = changedSpec(fields, values, initial, trans);
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
    ...ESTIMATE_FIELDS.map(name => values[name])
  ].join('\n');
  useDebouncedEffect(signal => {
    const built = buildSpec();
    if (!('spec' in built)) {
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

  const blocking = inspection?.problems.find(isBlocking) ?? null;
  const whole = (name: string): number | null => {
    const n = Number(values[name]);
    return values[name] !== '' && Number.isInteger(n) ? n : null;
  };
  const sentence = recipeSentence(
    {
      arch,
      pretrained: undecided ? null : usePretrained,
      cached,
      recipe: (values.recipe as DLCoach.Recipe | undefined) ?? 'auto',
      epochs: whole('epochs'),
      freezeEpochs: whole('freeze_epochs')
    },
    trans
  );

  return {
    values,
    dataset,
    labels,
    sample,
    settingsNote,
    moreOpen,
    setMoreOpen,
    inspection,
    previewing,
    estimate,
    busy,
    message,
    usePretrained,
    undecided,
    sentence,
    blocking,
    changeDataset,
    changeLabels,
    changeValue,
    changePretrained,
    chooseSample,
    makeSample,
    check,
    train
  };
}
