import { ITranslator } from '@jupyterlab/translation';
import { SidePanel } from '@jupyterlab/ui-components';
import { AccordionPanel, Widget } from '@lumino/widgets';

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
    this._reveal = options.reveal;
  }

  addSection(widget: Widget, rank: number, weight = 1): void {
    widget.addClass('jp-DLCoach-section');
    const index = this._ranks.findIndex(r => r > rank);
    const at = index === -1 ? this._ranks.length : index;
    this._ranks.splice(at, 0, rank);
    this._weights.splice(at, 0, weight);
    this.insertWidget(at, widget);
    // Default heights by weight, not equal shares: equal shares at 900 px gave each section ~170 px,
    // with the mode coach's shortcut list and most of the form out of sight. The learner's own resizing
    // is kept by the layout restorer as usual.
    if (this.content instanceof AccordionPanel) {
      this.content.setRelativeSizes(this._weights);
    }
  }

  reveal(): void {
    this._reveal();
  }

  revealSection(widget: Widget): void {
    this.reveal();
    const accordion = this.content;
    const index = accordion.widgets.indexOf(widget);
    if (!(accordion instanceof AccordionPanel) || index < 0) {
      return;
    }
    if (!accordion.titles[index].classList.contains('lm-mod-expanded')) {
      accordion.expand(index);
    }
    // After the expansion is laid out: only visible sections share the height.
    requestAnimationFrame(() => {
      const sizes = accordion.relativeSizes();
      if (sizes[index] >= 0.5) {
        return;
      }
      const visible = accordion.widgets.map(w => w.isVisible);
      const others = sizes.reduce(
        (sum, size, i) => (i !== index && visible[i] ? sum + size : sum),
        0
      );
      accordion.setRelativeSizes(
        sizes.map((size, i) =>
          i === index
            ? 0.6
            : visible[i] && others > 0
              ? (size / others) * 0.4
              : 0
        )
      );
    });
  }

  private _ranks: number[] = [];
  private _weights: number[] = [];
  private _reveal: () => void;
}

export namespace CoachPanel {
  export interface IOptions {
    translator: ITranslator;
    /** Reveal the panel in the shell (named apart from lumino's Widget.activate, which the shell calls). */
    reveal: () => void;
  }
}
