import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { MessageLoop } from '@lumino/messaging';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { glossaryTerms, findTerm } from '../glossary/terms';
import { DLCoach } from '../models';
import { RunsModel } from '../training/runs';
import { WarningsView } from '../training/runList';

const trans = nullTranslator.load('jupyterlab_dlcoach');
const terms = glossaryTerms(trans);

function warning(
  seq: number,
  kind: string,
  severity: DLCoach.Severity | undefined,
  words: string[]
): DLCoach.IWarningEvent {
  return {
    seq,
    type: 'warning',
    kind,
    epoch: seq,
    severity,
    message: `message ${seq}`,
    advice: `advice ${seq}`,
    terms: words
  } as DLCoach.IWarningEvent;
}

/** The warnings view as the panel shows it, rendered into the page. */
async function render(warnings: DLCoach.IWarningEvent[]): Promise<HTMLElement> {
  const runs = { warnings, changed: new Signal({}) } as unknown as RunsModel;
  const view = new WarningsView({
    runs,
    trans,
    commands: new CommandRegistry(),
    isTerm: word => findTerm(terms, word) !== null
  });
  Widget.attach(view, document.body);
  MessageLoop.sendMessage(view, Widget.Msg.UpdateRequest);
  // React renders on its own schedule: wait for the list to appear.
  for (let i = 0; i < 100 && !view.node.querySelector('li'); i++) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  return view.node;
}

describe('the warnings list', () => {
  it('shows each warning with its severity, calmer for notes', async () => {
    const host = await render([
      warning(1, 'valid_below_train', 'info', ['loss']),
      warning(2, 'overfitting', 'warning', ['overfitting']),
      warning(3, 'diverging', 'error', ['learning rate']),
      warning(4, 'cuda_oom_retry', undefined, ['epoch'])
    ]);
    const items = Array.from(host.querySelectorAll('li'));
    expect(items.map(li => li.dataset.severity)).toEqual([
      'info',
      'warning',
      'error',
      'warning'
    ]);
    expect(
      items.map(li =>
        li.querySelector('.jp-DLCoach-warningIcon')!.getAttribute('aria-label')
      )
    ).toEqual(['Note', 'Warning', 'Problem', 'Warning']);
    expect(items[2].textContent).toContain('Epoch 4: message 3');
  });

  it('never runs a linked word into the next one', async () => {
    const host = await render([
      warning(1, 'underfitting', 'warning', [
        'underfitting',
        'learning rate',
        'no-such-word',
        'error rate'
      ])
    ]);
    const words = host.querySelector('.jp-DLCoach-terms')!;
    expect(words.textContent).toBe(
      'Words used: underfitting, learning rate, no-such-word, error rate'
    );
    expect(
      Array.from(words.querySelectorAll('.jp-DLCoach-termLink')).map(
        b => (b as HTMLElement).dataset.term
      )
    ).toEqual(['underfitting', 'learning rate', 'error rate']);
  });
});
