import { VDomModel } from '@jupyterlab/ui-components';

import { IGlossary } from '../tokens';
import { findTerm, searchTerms } from './terms';

/**
 * The glossary section's state: the terms, the search text, and the term last opened.
 */
export class GlossaryModel extends VDomModel {
  constructor(readonly terms: ReadonlyArray<IGlossary.ITerm>) {
    super();
  }

  get query(): string {
    return this._query;
  }
  set query(value: string) {
    this._query = value;
    this.stateChanged.emit();
  }

  /** The terms matching the search, best first. */
  get results(): IGlossary.ITerm[] {
    return searchTerms(this.terms, this._query);
  }

  /** The id of the term last opened, or null. */
  get highlighted(): string | null {
    return this._highlighted;
  }

  /** Changes each time a term is opened, so that the view scrolls to it again. */
  get highlightSerial(): number {
    return this._serial;
  }

  /**
   * Clears the search and highlights a term given by id, label or alias.
   *
   * @returns the term, or null when there is no such term.
   */
  highlight(key: string): IGlossary.ITerm | null {
    const term = findTerm(this.terms, key);
    if (term) {
      this._query = '';
      this._highlighted = term.id;
      this._serial++;
      this.stateChanged.emit();
    }
    return term;
  }

  /** The numbers of the run on screen, quoted on the cards they concern; null when none. */
  get runNumbers(): IGlossary.IRunNumbers | null {
    return this._runNumbers;
  }
  set runNumbers(value: IGlossary.IRunNumbers | null) {
    if (JSON.stringify(value) === JSON.stringify(this._runNumbers)) {
      return;
    }
    this._runNumbers = value;
    this.stateChanged.emit();
  }

  private _runNumbers: IGlossary.IRunNumbers | null = null;
  private _query = '';
  private _highlighted: string | null = null;
  private _serial = 0;
}
