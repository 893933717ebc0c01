import { URLExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { CoachAPI, requestAPI } from '../api';
import { DLCoach } from '../models';
import { IPartProps } from './parts';

export type IInterpretation = DLCoach.IInterpretation;
export type ITopLoss = DLCoach.ITopLoss;

/** What `POST datasets/relabel` answers; `undo` is the body that puts the image back. */
export interface IRelabelRecord {
  moved_to: string;
  to: string | null;
  undo: { dataset: string; path: string; back_to: string };
}

function allCounts(confusion: number[][]): number[] {
  return ([] as number[]).concat(...confusion);
}

export function interpretationOf(result: unknown): IInterpretation | null {
  const found = (result as { interpretation?: IInterpretation } | null)
    ?.interpretation;
  return found && Array.isArray(found.classes) && Array.isArray(found.confusion)
    ? found
    : null;
}

/** An image under the server root, through Jupyter's own authenticated, root-confined files route. */
export function fileUrl(api: CoachAPI, path: string): string {
  return URLExt.join(
    api.serverSettings.baseUrl,
    'files',
    URLExt.encodeParts(path)
  );
}

/** The confusion matrix as a table: actual classes down, predicted across, right answers marked. */
export function ConfusionMatrix(props: {
  interp: IInterpretation;
  trans: TranslationBundle;
}): React.ReactElement {
  const { interp, trans } = props;
  const max = Math.max(1, ...allCounts(interp.confusion));
  return (
    <table className="jp-DLCoach-confusion">
      <caption>
        {trans.__(
          'Rows: the actual class. Columns: what the model predicted. The outlined diagonal counts the right answers; every other number is a mistake.'
        )}
      </caption>
      <thead>
        <tr>
          <th scope="col" className="jp-DLCoach-confusionCorner">
            {trans.__('predicted →')}
            <br />
            {trans.__('actual ↓')}
          </th>
          {interp.classes.map(c => (
            <th scope="col" key={c}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {interp.confusion.map((row, i) => (
          <tr key={interp.classes[i]}>
            <th scope="row">{interp.classes[i]}</th>
            {row.map((count, j) => {
              const right = i === j;
              const share =
                count === 0 ? 0 : 12 + Math.round((63 * count) / max);
              const colour = right
                ? 'var(--jp-brand-color1)'
                : 'var(--jp-error-color1)';
              return (
                <td
                  key={j}
                  className={
                    right
                      ? 'jp-DLCoach-confusionRight'
                      : count > 0
                        ? 'jp-DLCoach-confusionWrong'
                        : 'jp-DLCoach-confusionZero'
                  }
                  style={{
                    background: `color-mix(in srgb, ${colour} ${share}%, transparent)`
                  }}
                  title={trans.__(
                    '%1 images of class %2 predicted as %3',
                    count,
                    interp.classes[i],
                    interp.classes[j]
                  )}
                >
                  {count}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type CardState =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'moved'; record: IRelabelRecord }
  | { kind: 'error'; message: string };

/** One of the worst mistakes: the picture, what it is filed as and what the model said, and the fix. */
function LossCard(props: {
  item: ITopLoss;
  classes: string[];
  dataset: string | null;
  api: CoachAPI;
  trans: TranslationBundle;
  state: CardState;
  setState: (s: CardState) => void;
}): React.ReactElement {
  const { item, classes, dataset, api, trans, state, setState } = props;
  const [to, setTo] = React.useState(
    item.predicted !== item.actual ? item.predicted : ''
  );
  const moved = state.kind === 'moved' ? state.record : null;
  const shownPath = moved ? moved.moved_to : item.path;
  const send = async (endPoint: string, body: unknown) => {
    setState({ kind: 'busy' });
    try {
      return await requestAPI<IRelabelRecord>(endPoint, api.serverSettings, {
        method: 'POST',
        body: JSON.stringify(body)
      });
    } catch (error) {
      setState({ kind: 'error', message: (error as Error).message });
      return null;
    }
  };
  const relabel = async (target: string | null) => {
    const record = await send('datasets/relabel', {
      dataset,
      path: item.path,
      to: target
    });
    if (record) {
      setState({ kind: 'moved', record });
    }
  };
  const undo = async () => {
    if (moved && (await send('datasets/relabel/undo', moved.undo))) {
      setState({ kind: 'idle' });
    }
  };
  const sure = Math.round(item.probability * 100);
  return (
    <li
      className={
        'jp-DLCoach-lossCard' + (moved ? ' jp-DLCoach-lossCard-moved' : '')
      }
    >
      {shownPath && (
        <img
          className="jp-DLCoach-lossThumb"
          src={fileUrl(api, shownPath)}
          alt={trans.__(
            'Filed as %1, predicted %2',
            item.actual,
            item.predicted
          )}
        />
      )}
      <p className="jp-DLCoach-lossText">
        {trans.__('actual: %1 · predicted: %2', item.actual, item.predicted)}
        <br />
        {trans.__('%1 % sure · loss %2', sure, item.loss.toFixed(1))}
      </p>
      {moved ? (
        <p className="jp-DLCoach-lossDone" role="status">
          {moved.to === null
            ? trans.__(
                'Set aside in %1/.',
                `${(dataset ?? '').split('/').pop()}-removed`
              )
            : trans.__('Moved to %1.', moved.to)}{' '}
          <button
            className="jp-mod-styled jp-DLCoach-undo"
            onClick={() => void undo()}
          >
            {trans.__('Undo')}
          </button>
        </p>
      ) : (
        dataset &&
        item.path && (
          <div className="jp-DLCoach-lossActions">
            <select
              className="jp-mod-styled"
              aria-label={trans.__('Class to move this image to')}
              value={to}
              onChange={e => setTo(e.target.value)}
              disabled={state.kind === 'busy'}
            >
              <option value="">{trans.__('Right class…')}</option>
              {classes
                .filter(c => c !== item.actual)
                .map(c => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
            </select>
            <button
              className="jp-mod-styled jp-mod-accept"
              disabled={!to || state.kind === 'busy'}
              onClick={() => void relabel(to)}
            >
              {trans.__('Move')}
            </button>
            <button
              className="jp-mod-styled"
              disabled={state.kind === 'busy'}
              title={trans.__(
                'Take the image out of the data set (into a folder beside it), so it no longer trains'
              )}
              onClick={() => void relabel(null)}
            >
              {trans.__('Remove')}
            </button>
          </div>
        )
      )}
      {state.kind === 'error' && (
        <p className="jp-DLCoach-error" role="alert">
          {state.message}
        </p>
      )}
    </li>
  );
}

/** Why labels cannot be fixed here, for data sets whose labels do not come from folders. */
function labelSourceNote(
  from: string | undefined,
  trans: TranslationBundle
): string | null {
  if (!from || from === 'folder') {
    return null;
  }
  return from === 'csv'
    ? trans.__(
        'This data set takes its labels from a CSV file: correct a wrong label in that file. Moving images between class folders works for data sets with one folder per class.'
      )
    : trans.__(
        'This data set takes its labels from the file names: rename a wrongly labelled image to correct it. Moving images between class folders works for data sets with one folder per class.'
      );
}

/**
 * The model's mistakes on the validation set, once a server job has ended: the confusion matrix and
 * the images with the highest loss, each of which can be moved to its right class or set aside.
 */
export function Mistakes(
  props: IPartProps & { api: CoachAPI }
): React.ReactElement | null {
  const { model, trans, api } = props;
  const [open, setOpen] = React.useState(false);
  const [cards, setCards] = React.useState<{ [path: string]: CardState }>({});
  const run = model.run;
  const interp = interpretationOf(run?.result);
  if (!run || !interp) {
    return null;
  }
  const wrong = interp.confusion.reduce(
    (sum, row, i) => sum + row.reduce((s, n, j) => s + (i === j ? 0 : n), 0),
    0
  );
  const total = allCounts(interp.confusion).reduce((s, n) => s + n, 0);
  const from = run.spec?.labels?.from;
  const note = labelSourceNote(from, trans);
  const dataset = note === null ? (run.spec?.dataset ?? null) : null;
  const anyMoved = Object.values(cards).some(c => c.kind === 'moved');
  return (
    <details
      className="jp-DLCoach-mistakes"
      open={open}
      onToggle={e => setOpen((e.target as HTMLDetailsElement).open)}
    >
      <summary>
        {trans.__(
          "The model's mistakes: %1 of %2 validation images wrong",
          wrong,
          total
        )}
      </summary>
      <div className="jp-DLCoach-mistakesBody">
        <section>
          <h3>{trans.__('Confusion matrix')}</h3>
          <ConfusionMatrix interp={interp} trans={trans} />
        </section>
        <section>
          <h3>{trans.__('The images it got most wrong')}</h3>
          <p className="jp-DLCoach-muted">
            {trans.__(
              'Highest loss first: a confident wrong answer costs most. Often the label is what is wrong, not the model: move such an image to its right class, or remove it.'
            )}
          </p>
          {note && <p className="jp-DLCoach-mistakesNote">{note}</p>}
          {anyMoved && (
            <p className="jp-DLCoach-mistakesNote" role="status">
              {trans.__(
                'Train again on %1 to learn from the corrected labels.',
                run.spec?.dataset ?? ''
              )}
            </p>
          )}
          <ul className="jp-DLCoach-lossGrid">
            {interp.top_losses.map((item, i) => {
              const key = item.path ?? String(i);
              return (
                <LossCard
                  key={key}
                  item={item}
                  classes={interp.classes}
                  dataset={dataset}
                  api={api}
                  trans={trans}
                  state={cards[key] ?? { kind: 'idle' }}
                  setState={s => setCards(old => ({ ...old, [key]: s }))}
                />
              );
            })}
          </ul>
        </section>
      </div>
    </details>
  );
}
