import { URLExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { CoachAPI, requestAPI } from '../api';
import { DLCoach } from '../models';

/** The answer of `POST runs/{id}/predict` (docs/api.md). */
export interface IPrediction {
  label: string;
  probability: number;
  classes: { label: string; probability: number }[];
  /** Why the answer means little (a picture unlike the training ones), or null. */
  note: string | null;
  seconds?: number;
}

/** What to ask about: a picture from this computer, or a file under the server root. */
export type Picture = { blob: Blob; name: string } | { path: string };

export function askModel(
  api: CoachAPI,
  runId: string,
  picture: Picture
): Promise<IPrediction> {
  const init: RequestInit =
    'blob' in picture
      ? {
          method: 'POST',
          body: picture.blob,
          headers: {
            'Content-Type': picture.blob.type || 'application/octet-stream'
          }
        }
      : {
          method: 'POST',
          body: JSON.stringify({ path: picture.path }),
          headers: { 'Content-Type': 'application/json' }
        };
  return requestAPI<IPrediction>(
    `runs/${runId}/predict`,
    api.serverSettings,
    init
  );
}

/** Whether a run saved a model to ask (a finished server job). */
export function hasModel(run: DLCoach.IRun | null): boolean {
  const result = run?.result;
  return !!result && !!(result.models || result.model_path);
}

/** "97 %", with "< 1 %" and "> 99 %" where rounding would say 0 or 100. */
export function percent(p: number): string {
  if (p > 0 && p < 0.005) {
    return '< 1 %';
  }
  if (p < 1 && p > 0.995) {
    return '> 99 %';
  }
  return `${Math.round(p * 100)} %`;
}

export interface ITryPictureProps {
  api: CoachAPI;
  run: DLCoach.IRun;
  trans: TranslationBundle;
  /** Let the learner pick a file under the server root (JupyterLab's file dialog); its path or null. */
  pickServerFile: (() => Promise<string | null>) | null;
}

type State =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'answer'; answer: IPrediction }
  | { kind: 'error'; message: string };

/** The first image of a drop or a paste, if any. */
function imageOf(items: DataTransfer | null): File | null {
  for (const file of Array.from(items?.files ?? [])) {
    if (file.type.startsWith('image/') || file.type === '') {
      return file;
    }
  }
  return null;
}

/**
 * "Try it on your own picture": drop, paste, upload or pick a picture; the model's answer in words,
 * a bar per class, and a note when the picture is unlike the training ones.
 */
export function TryPicture(props: ITryPictureProps): React.ReactElement {
  const { api, run, trans } = props;
  const [state, setState] = React.useState<State>({ kind: 'idle' });
  const [preview, setPreview] = React.useState<string | null>(null);
  const [dragging, setDragging] = React.useState(false);
  const asked = React.useRef(0);
  const input = React.useRef<HTMLInputElement>(null);

  // An object URL holds the picture in memory until it is revoked.
  React.useEffect(
    () => () => {
      if (preview?.startsWith('blob:')) {
        URL.revokeObjectURL(preview);
      }
    },
    [preview]
  );

  const ask = async (picture: Picture) => {
    const mine = ++asked.current;
    setPreview(
      'blob' in picture
        ? URL.createObjectURL(picture.blob)
        : URLExt.join(
            api.serverSettings.baseUrl,
            'files',
            URLExt.encodeParts(picture.path)
          )
    );
    setState({ kind: 'busy' });
    try {
      const answer = await askModel(api, run.id, picture);
      if (mine === asked.current) {
        setState({ kind: 'answer', answer });
      }
    } catch (error) {
      if (mine === asked.current) {
        setState({ kind: 'error', message: (error as Error).message });
      }
    }
  };

  const fromFile = (file: File | null) => {
    if (file) {
      void ask({ blob: file, name: file.name });
    }
  };

  const fromServer = async () => {
    const path = await props.pickServerFile?.();
    if (path) {
      void ask({ path });
    }
  };

  return (
    <section
      className="jp-DLCoach-try"
      aria-label={trans.__('Try the model on your own picture')}
      onPaste={e => fromFile(imageOf(e.clipboardData))}
    >
      <h3 className="jp-DLCoach-tryTitle">
        {trans.__('Try it on your own picture')}
      </h3>
      <div className="jp-DLCoach-tryRow">
        <div
          className={`jp-DLCoach-dropZone${dragging ? ' jp-mod-dragging' : ''}`}
          tabIndex={0}
          role="group"
          aria-label={trans.__(
            'Drop a picture here, or paste one with Ctrl+V while this is focused'
          )}
          onDragOver={e => {
            e.preventDefault();
            e.stopPropagation();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={e => {
            e.preventDefault();
            e.stopPropagation();
            setDragging(false);
            fromFile(imageOf(e.dataTransfer));
          }}
        >
          {preview ? (
            <img
              className="jp-DLCoach-tryPreview"
              src={preview}
              alt={trans.__('The picture the model was asked about')}
            />
          ) : (
            <p className="jp-DLCoach-muted">
              {trans.__('Drop a picture here or paste one (Ctrl+V).')}
            </p>
          )}
          <div className="jp-DLCoach-tryButtons">
            <button
              type="button"
              className="jp-mod-styled jp-DLCoach-tryUpload"
              onClick={() => input.current?.click()}
            >
              {trans.__('Upload…')}
            </button>
            {props.pickServerFile && (
              <button
                type="button"
                className="jp-mod-styled jp-DLCoach-tryServer"
                onClick={() => void fromServer()}
              >
                {trans.__('From the server…')}
              </button>
            )}
          </div>
          <input
            ref={input}
            type="file"
            accept="image/*"
            hidden
            onChange={e => {
              fromFile(e.target.files?.[0] ?? null);
              // Picking the same file again must ask again.
              e.target.value = '';
            }}
          />
        </div>
        <Answer state={state} trans={trans} />
      </div>
    </section>
  );
}

function Answer(props: {
  state: State;
  trans: TranslationBundle;
}): React.ReactElement {
  const { state, trans } = props;
  if (state.kind === 'idle') {
    return (
      <div className="jp-DLCoach-tryAnswer" aria-live="polite">
        <p className="jp-DLCoach-muted">
          {trans.__(
            'The model answers with the class it thinks the picture shows, and how sure it is.'
          )}
        </p>
      </div>
    );
  }
  if (state.kind === 'busy') {
    return (
      <div className="jp-DLCoach-tryAnswer" aria-live="polite" aria-busy>
        <p className="jp-DLCoach-muted">
          {trans.__(
            'Asking the model… The first answer takes a few seconds while the model loads.'
          )}
        </p>
      </div>
    );
  }
  if (state.kind === 'error') {
    return (
      <div className="jp-DLCoach-tryAnswer" role="alert">
        <p className="jp-DLCoach-error">{state.message}</p>
      </div>
    );
  }
  const { answer } = state;
  return (
    <div className="jp-DLCoach-tryAnswer" aria-live="polite">
      <p className="jp-DLCoach-tryVerdict">
        {trans.__('%1, %2 sure', answer.label, percent(answer.probability))}
      </p>
      <ul
        className="jp-DLCoach-tryBars"
        aria-label={trans.__('Probability of each class')}
      >
        {answer.classes.map(c => (
          <li key={c.label} className="jp-DLCoach-tryBar">
            <span className="jp-DLCoach-tryLabel">{c.label}</span>
            <span className="jp-DLCoach-tryTrack" aria-hidden>
              <span
                className="jp-DLCoach-tryFill"
                style={{ width: `${(c.probability * 100).toFixed(1)}%` }}
              />
            </span>
            <span className="jp-DLCoach-tryPercent">
              {percent(c.probability)}
            </span>
          </li>
        ))}
      </ul>
      {answer.note && (
        <p className="jp-DLCoach-tryNote" role="note">
          {answer.note}
        </p>
      )}
    </div>
  );
}
