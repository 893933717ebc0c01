import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { CommandIDs } from '../tokens';

/**
 * A word in the panel's text that opens its glossary entry. Any section can render it.
 */
export function TermLink(props: {
  commands: CommandRegistry;
  /** Term id, label or alias. */
  term: string;
  children?: React.ReactNode;
}): React.ReactElement {
  return (
    <button
      type="button"
      className="jp-DLCoach-termLink"
      data-term={props.term}
      onClick={() =>
        void props.commands.execute(CommandIDs.openGlossaryTerm, {
          term: props.term
        })
      }
    >
      {props.children ?? props.term}
    </button>
  );
}
