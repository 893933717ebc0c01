import { Token } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';

/**
 * The coach's side panel. Feature plugins add their section to it through this token.
 */
export interface ICoachPanel {
  /**
   * Add a section; lower ranks come first. The widget's title is the section header. `weight` (default
   * 1) is its share of the panel's height by default, relative to the other sections' weights.
   */
  addSection(widget: Widget, rank: number, weight?: number): void;

  /** Show the panel in the left area. */
  reveal(): void;

  /**
   * Show the panel with this section expanded and given most of the panel's height.
   */
  revealSection(widget: Widget): void;
}

export const ICoachPanel = new Token<ICoachPanel>(
  'jupyterlab-dlcoach:ICoachPanel',
  'The DL Coach side panel, to which features add their sections.'
);

/** Command ids, one namespace for the whole extension. */
export namespace CommandIDs {
  export const openPanel = 'dlcoach:open-panel';
  export const refreshSystem = 'dlcoach:refresh-system';
  export const openGlossaryTerm = 'dlcoach:open-glossary-term';
  export const toggleAllShortcuts = 'dlcoach:toggle-all-shortcuts';
  export const resetShortcutProgress = 'dlcoach:reset-shortcut-progress';
  export const openRun = 'dlcoach:open-run';
  export const useModel = 'dlcoach:use-model';
  export const trainAgain = 'dlcoach:train-again';
  export const openAsNotebook = 'dlcoach:open-as-notebook';
}

/**
 * The lesson's vocabulary. The training section links its words to it.
 */
export interface IGlossary {
  /** All terms, in lesson order. */
  readonly terms: ReadonlyArray<IGlossary.ITerm>;

  /**
   * Show the panel with the glossary section expanded and the term highlighted.
   *
   * @param term - a term id ('validation-set'), label or alias, in any case.
   * @returns whether the term exists.
   */
  open(term: string): Promise<boolean>;

  /**
   * The numbers of the run on screen, which the epoch, loss, metric, validation set, training set
   * and overfitting cards then quote; null when no run is shown.
   */
  setRunNumbers(numbers: IGlossary.IRunNumbers | null): void;
}

export namespace IGlossary {
  /** One run's own numbers, as the glossary quotes them (null: not known yet). */
  export interface IRunNumbers {
    runName: string;
    epochs: number | null;
    frozenEpochs: number;
    nTrain: number | null;
    nValid: number | null;
    /** The last epoch's error rate, 0..1. */
    errorRate: number | null;
    validLoss: number | null;
    /** The epoch (1-based) where the coach saw overfitting begin. */
    overfitEpoch: number | null;
  }

  export interface ITerm {
    /** Stable id, e.g. 'validation-set'. */
    id: string;
    /** The term as shown, translated. */
    label: string;
    /** Other names the learner may meet (translated), e.g. 'weights' for parameters. */
    aliases: string[];
    /** A plain definition, translated. */
    definition: string;
    /** How it relates to the other terms, translated. */
    relation: string;
    /** Ids of related terms. */
    related: string[];
  }
}

export const IGlossary = new Token<IGlossary>(
  'jupyterlab-dlcoach:IGlossary',
  'The deep-learning glossary of the DL Coach panel: its terms, and a way to show one.'
);
