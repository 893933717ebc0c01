import * as React from 'react';

import { CommandIDs } from '../tokens';
import { IPartProps } from './parts';
import { runModels } from './runModels';

/**
 * A finished job's model: which epoch's model the run uses (predictions and the notebook follow
 * it), where the file is, a button to switch to the best epoch (or back), and "Open as notebook".
 */
export function RunModelsPart(props: IPartProps): React.ReactElement | null {
  const { model, trans, commands } = props;
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const run = model.run;
  const models = runModels(run);
  if (!run || !models) {
    return null;
  }
  const act = async (command: string, args: { [key: string]: string }) => {
    setBusy(true);
    setError(null);
    try {
      await commands.execute(command, { id: run.id, ...args });
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const best = models.best;
  const separate = best !== null && models.bestPath !== models.last;
  const epochs = model.series.epochs.length;
  const usingBest = models.use === 'best' && separate;
  const path = usingBest ? models.bestPath : models.last;
  let which: string;
  if (usingBest) {
    which = trans.__('the best epoch’s (epoch %1)', best!.epoch + 1);
  } else if (best !== null && !separate) {
    which = trans.__('the last epoch’s, which is also the best');
  } else {
    which = epochs
      ? trans.__('the last epoch’s (epoch %1)', epochs)
      : trans.__('the last epoch’s');
  }
  return (
    <div className="jp-DLCoach-runModels" data-use={models.use}>
      <p>
        {trans.__('Model used for predictions and the notebook: %1, ', which)}
        <code className="jp-DLCoach-modelPath">{path}</code>
      </p>
      <div className="jp-DLCoach-runModelsActions">
        {separate && (
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-DLCoach-useBest"
            disabled={busy}
            onClick={() =>
              void act(CommandIDs.useModel, {
                use: usingBest ? 'last' : 'best'
              })
            }
          >
            {usingBest
              ? trans.__('Use the last epoch')
              : trans.__('Use the best epoch (%1)', best!.epoch + 1)}
          </button>
        )}
        <button
          type="button"
          className="jp-mod-styled jp-DLCoach-openNotebook"
          disabled={busy}
          onClick={() => void act(CommandIDs.openAsNotebook, {})}
        >
          {trans.__('Open as notebook')}
        </button>
      </div>
      {error && (
        <p className="jp-DLCoach-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
