import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { TermLink } from '../glossary/termLink';
import { DLCoach } from '../models';

interface ITermProps {
  trans: TranslationBundle;
  commands: CommandRegistry;
  /** Whether the glossary explains this word (the server's warnings may name others). */
  isTerm: (term: string) => boolean;
}

/** "Words used: …" with a glossary link for each word the glossary explains, plain text otherwise. */
function TermLinks(
  props: ITermProps & { terms: string[] }
): React.ReactElement | null {
  const { terms, trans, commands, isTerm } = props;
  if (terms.length === 0) {
    return null;
  }
  return (
    <p className="jp-DLCoach-terms">
      {trans.__('Words used: ')}
      {terms.map(term =>
        isTerm(term) ? (
          <TermLink key={term} term={term} commands={commands}>
            {term.replace(/-/g, ' ')}
          </TermLink>
        ) : (
          <span key={term} className="jp-DLCoach-plainTerm">
            {term}
          </span>
        )
      )}
    </p>
  );
}

/** What the Warnings list needs: glossary links, no run list. */
export type WarningsProps = ITermProps & {
  warnings: DLCoach.IWarningEvent[];
};

/**
 * The coach's plain-words warnings with glossary links, shared by the side panel and the run view.
 * A warning's `severity` ("info", "warning", "error"), when the server sends one, styles it.
 */
export function Warnings(props: WarningsProps): React.ReactElement | null {
  const { warnings, trans } = props;
  if (warnings.length === 0) {
    return null;
  }
  return (
    <ul
      className="jp-DLCoach-warnings"
      aria-label={trans.__('What the curves say')}
    >
      {warnings.map(w => (
        <li
          key={w.seq}
          className="jp-DLCoach-warning"
          data-kind={w.kind}
          data-severity={severityOf(w)}
        >
          <span className="jp-DLCoach-warningIcon" aria-hidden="true">
            ⚠
          </span>
          <div>
            <p>
              {w.epoch !== null && (
                <strong>{trans.__('Epoch %1: ', w.epoch + 1)}</strong>
              )}
              {w.message}
            </p>
            <p className="jp-DLCoach-advice">{w.advice}</p>
            <TermLinks {...props} terms={w.terms} />
          </div>
        </li>
      ))}
    </ul>
  );
}

/** A warning's severity, where the server gives one (a later server adds the field). */
function severityOf(w: DLCoach.IWarningEvent): string | undefined {
  const severity = (w as { severity?: unknown }).severity;
  return typeof severity === 'string' ? severity : undefined;
}
