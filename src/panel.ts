import { ITranslator } from '@jupyterlab/translation';
import { SidePanel } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { coachIcon } from './icons';
import { ICoachPanel } from './tokens';

/**
 * The "DL Coach" side panel: a SidePanel whose accordion holds one section per feature.
 */
export class CoachPanel extends SidePanel implements ICoachPanel {
  constructor(options: CoachPanel.IOptions) {
    super({ translator: options.translator });
    const trans = options.translator.load('jupyterlab_dlcoach');
    this.id = 'jp-DLCoach-panel';
    this.addClass('jp-DLCoach-panel');
    this.title.icon = coachIcon;
    this.title.caption = trans.__('DL Coach');
    this._activate = options.activate;
  }

  addSection(widget: Widget, rank: number): void {
    widget.addClass('jp-DLCoach-section');
    const index = this._ranks.findIndex(r => r > rank);
    const at = index === -1 ? this._ranks.length : index;
    this._ranks.splice(at, 0, rank);
    this.insertWidget(at, widget);
  }

  /**
   * Reveal the panel in the shell. This also overrides lumino's `Widget.activate()`, which the
   * shell calls while revealing it: that inner call must take the plain widget path, or the two
   * would call each other until the stack overflows (as on restoring a saved layout).
   */
  activate(): void {
    if (this._activating) {
      super.activate();
      return;
    }
    this._activating = true;
    try {
      this._activate();
    } finally {
      this._activating = false;
    }
  }

  private _activating = false;
  private _ranks: number[] = [];
  private _activate: () => void;
}

export namespace CoachPanel {
  export interface IOptions {
    translator: ITranslator;
    /** Reveal the panel in the shell. */
    activate: () => void;
  }
}
