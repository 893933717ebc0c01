import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import { formFields, IFormField } from './schema';

/** How long typing pauses before the form asks the server (estimate, labels preview). */
export const DEBOUNCE_MS = 600;

/**
 * Run `effect` once `key` has stopped changing for a moment; abort it when the key changes again.
 * The key stands for everything the effect reads, so a new closure alone does not re-run it.
 */
export function useDebouncedEffect(
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
  }, [key]);
}

/** What the form is built from: the job schema's fields and the built-in samples. */
export function useFormSources(
  api: CoachAPI,
  trans: TranslationBundle
): {
  fields: IFormField[] | null;
  loadError: string | null;
  reload: () => void;
  samples: DLCoach.ISamples | null;
} {
  const [fields, setFields] = React.useState<IFormField[] | null>(null);
  const [loadError, setLoadError] = React.useState<string | null>(null);
  const [samples, setSamples] = React.useState<DLCoach.ISamples | null>(null);

  const reload = React.useCallback(() => {
    setLoadError(null);
    api.jobSchema().then(
      schema => setFields(formFields(schema)),
      reason =>
        setLoadError(
          trans.__(
            'The training form could not be loaded: %1',
            (reason as Error).message
          )
        )
    );
    api.samples().then(
      setSamples,
      // Without the list there is no sample to offer; the rest of the form still works.
      () => setSamples(null)
    );
  }, [api, trans]);

  React.useEffect(reload, [reload]);
  return { fields, loadError, reload, samples };
}

/**
 * Whether an architecture's pretrained weights are cached, asked again whenever the architecture
 * changes (the System section may have fetched some meanwhile); null when the server does not say.
 */
export function useWeightsCached(api: CoachAPI, arch: string): boolean | null {
  const [weights, setWeights] = React.useState<DLCoach.IWeightsEntry[] | null>(
    null
  );
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
  return weights ? (weights.find(w => w.arch === arch)?.cached ?? false) : null;
}
