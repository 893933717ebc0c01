import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { DLCoach } from '../models';
import { CommandIDs } from '../tokens';

/**
 * The overfitting warning's advice in one click: use the best epoch's model (once the run exported
 * it), or fill the form to train again with the suggested number of epochs (in the form's units).
 */
export function WarningActions(props: {
  warning: DLCoach.IWarningEvent;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): React.ReactElement | null {
  const { warning, commands, trans } = props;
  const [error, setError] = React.useState<string | null>(null);
  if (warning.kind !== 'overfitting') {
    return null;
  }
  const useArgs = { id: warning.run_id, use: 'best' };
  const epochs = warning.suggested_epochs;
  const againArgs = { id: warning.run_id, epochs: epochs ?? null };
  const canUse =
    commands.hasCommand(CommandIDs.useModel) &&
    commands.isEnabled(CommandIDs.useModel, useArgs);
  const canTrain =
    epochs !== undefined &&
    commands.hasCommand(CommandIDs.trainAgain) &&
    commands.isEnabled(CommandIDs.trainAgain, againArgs);
  if (!canUse && !canTrain) {
    return null;
  }
  const run = (command: string, args: { [key: string]: unknown }) => {
    setError(null);
    commands
      .execute(command, args as never)
      .catch(reason => setError((reason as Error).message));
  };
  return (
    <div className="jp-DLCoach-warningActions">
      {canUse && (
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-DLCoach-useBest"
          onClick={() => run(CommandIDs.useModel, useArgs)}
        >
          {trans.__('Use the best epoch')}
        </button>
      )}
      {canTrain && (
        <button
          type="button"
          className="jp-mod-styled jp-DLCoach-trainAgain"
          onClick={() => run(CommandIDs.trainAgain, againArgs)}
        >
          {trans.__('Train again with %1 epochs', epochs!)}
        </button>
      )}
      {error && (
        <p className="jp-DLCoach-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
