import { TranslationBundle } from '@jupyterlab/translation';
import { VDomRenderer } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { IGlossary } from '../tokens';
import { GlossaryModel } from './model';
import { runNumbersText } from './runNumbers';
import { mlVsDl } from './terms';
import { TermLink } from './termLink';

/** One glossary entry; scrolls into view and takes focus when it is opened. */
function TermCard(props: {
  term: IGlossary.ITerm;
  terms: ReadonlyArray<IGlossary.ITerm>;
  highlighted: boolean;
  highlightSerial: number;
  commands: CommandRegistry;
  trans: TranslationBundle;
  runNumbers: IGlossary.IRunNumbers | null;
}): React.ReactElement {
  const { term, trans } = props;
  const inRun = props.runNumbers
    ? runNumbersText(term.id, props.runNumbers, trans)
    : null;
  const ref = React.useRef<HTMLElement>(null);
  React.useEffect(() => {
    if (props.highlighted && ref.current) {
      ref.current.scrollIntoView({ block: 'nearest' });
      ref.current.focus({ preventScroll: true });
    }
  }, [props.highlighted, props.highlightSerial]);
  const headingId = `jp-DLCoach-term-${term.id}-heading`;
  return (
    <article
      ref={ref}
      id={`jp-DLCoach-term-${term.id}`}
      className={
        props.highlighted
          ? 'jp-DLCoach-term jp-mod-highlighted'
          : 'jp-DLCoach-term'
      }
      data-term={term.id}
      tabIndex={-1}
      aria-labelledby={headingId}
    >
      <h3 id={headingId} className="jp-DLCoach-termLabel">
        {term.label}
      </h3>
      <p className="jp-DLCoach-termDefinition">{term.definition}</p>
      <p className="jp-DLCoach-termRelation">{term.relation}</p>
      {inRun && <p className="jp-DLCoach-termInRun">{inRun}</p>}
      {term.related.length > 0 && (
        <p className="jp-DLCoach-termRelated">
          <span className="jp-DLCoach-muted">{trans.__('See also:')} </span>
          {term.related.map((id, i) => {
            const other = props.terms.find(t => t.id === id);
            return other ? (
              <React.Fragment key={id}>
                {i > 0 && ', '}
                <TermLink commands={props.commands} term={id}>
                  {other.label}
                </TermLink>
              </React.Fragment>
            ) : null;
          })}
        </p>
      )}
    </article>
  );
}

/**
 * The Glossary section: a search box, the lesson's terms and the "machine learning vs deep
 * learning" card.
 */
export class GlossaryView extends VDomRenderer<GlossaryModel> {
  constructor(
    model: GlossaryModel,
    trans: TranslationBundle,
    commands: CommandRegistry
  ) {
    super(model);
    this._trans = trans;
    this._commands = commands;
    this.addClass('jp-DLCoach-glossary');
  }

  protected render(): React.ReactElement {
    const trans = this._trans;
    const model = this.model;
    const results = model.results;
    const card = mlVsDl(trans);
    return (
      <div className="jp-DLCoach-glossaryBody">
        <label className="jp-DLCoach-glossarySearch">
          <span className="jp-DLCoach-srOnly">
            {trans.__('Search the glossary')}
          </span>
          <input
            type="search"
            className="jp-DLCoach-input"
            placeholder={trans.__('Search terms, e.g. loss')}
            value={model.query}
            onChange={event => {
              model.query = event.currentTarget.value;
            }}
          />
        </label>
        <p className="jp-DLCoach-muted jp-DLCoach-glossaryCount" role="status">
          {model.query
            ? trans._n('%1 term matches', '%1 terms match', results.length)
            : trans.__('%1 terms from the lesson', results.length)}
        </p>
        {results.map(term => (
          <TermCard
            key={term.id}
            term={term}
            terms={model.terms}
            highlighted={model.highlighted === term.id}
            highlightSerial={model.highlightSerial}
            commands={this._commands}
            trans={trans}
            runNumbers={model.runNumbers}
          />
        ))}
        {!model.query && (
          <aside className="jp-DLCoach-card jp-DLCoach-mlVsDl">
            <h3>{card.title}</h3>
            {card.paragraphs.map((text, i) => (
              <p key={i}>{text}</p>
            ))}
          </aside>
        )}
      </div>
    );
  }

  private _trans: TranslationBundle;
  private _commands: CommandRegistry;
}
