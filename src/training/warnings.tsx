import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { TermLink } from '../glossary/termLink';
import { DLCoach } from '../models';
import { WarningActions } from './warningActions';

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
      {terms.map((term, i) => (
        // A separator in the text itself: copied or read aloud, the words must not run together.
        <React.Fragment key={term}>
          {i > 0 && ', '}
          {isTerm(term) ? (
            <TermLink term={term} commands={commands}>
              {term.replace(/-/g, ' ')}
            </TermLink>
          ) : (
            <span className="jp-DLCoach-plainTerm">{term}</span>
          )}
        </React.Fragment>
      ))}
    </p>
  );
}

/** What the Warnings list needs: glossary links, no run list. */
export type WarningsProps = ITermProps & {
  warnings: DLCoach.IWarningEvent[];
};

const SEVERITY_ICONS: { [s in DLCoach.Severity]: string } = {
  info: 'ℹ',
  warning: '⚠',
  error: '✖'
};

/** A warning's severity; warnings recorded before severities existed read as 'warning'. */
function severityOf(w: DLCoach.IWarningEvent): DLCoach.Severity {
  return w.severity && w.severity in SEVERITY_ICONS ? w.severity : 'warning';
}

function severityLabel(
  severity: DLCoach.Severity,
  trans: TranslationBundle
): string {
  switch (severity) {
    case 'info':
      return trans.__('Note');
    case 'warning':
      return trans.__('Warning');
    case 'error':
      return trans.__('Problem');
  }
}

/**
 * The coach's plain-words warnings with glossary links, shared by the side panel and the run view.
 * Each shows its severity: a note (calmer), a warning, or a problem (the run went wrong).
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
      {warnings.map(w => {
        const severity = severityOf(w);
        return (
          <li
            key={w.seq}
            className="jp-DLCoach-warning"
            data-kind={w.kind}
            data-severity={severity}
          >
            <span
              className="jp-DLCoach-warningIcon"
              role="img"
              aria-label={severityLabel(severity, trans)}
              title={severityLabel(severity, trans)}
            >
              {SEVERITY_ICONS[severity]}
            </span>
            <div>
              <p>
                {w.epoch !== null && (
                  <strong>{trans.__('Epoch %1: ', w.epoch + 1)}</strong>
                )}
                {w.message}
              </p>
              <p className="jp-DLCoach-advice">{w.advice}</p>
              <WarningActions warning={w} {...props} />
              <TermLinks {...props} terms={w.terms} />
            </div>
          </li>
        );
      })}
    </ul>
  );
}
