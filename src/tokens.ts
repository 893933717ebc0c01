import { Token } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';

/**
 * The coach's side panel. Feature plugins add their section to it through this token.
 */
export interface ICoachPanel {
  /**
   * Add a section; lower ranks come first. The widget's title is the section header.
   */
  addSection(widget: Widget, rank: number): void;

  /** Show the panel in the left area. */
  activate(): void;
}

export const ICoachPanel = new Token<ICoachPanel>(
  'jupyterlab-dlcoach:ICoachPanel',
  'The DL Coach side panel, to which features add their sections.'
);

/** Command ids, one namespace for the whole extension. */
export namespace CommandIDs {
  export const openPanel = 'dlcoach:open-panel';
  export const refreshSystem = 'dlcoach:refresh-system';
}
