import { ServerConnection } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { CoachAPI } from '../api';
import { DLCoach } from '../models';
import { hasModel, percent, TryPicture } from '../runview/predict';

const trans = nullTranslator.load('jupyterlab_dlcoach');

function run(result: { [key: string]: unknown } | null): DLCoach.IRun {
  return { id: 'abcdefabcdef', state: 'completed', result } as DLCoach.IRun;
}

describe('the answer in words', () => {
  it('rounds to whole percents, never to a false 0 % or 100 %', () => {
    expect(percent(0.974)).toBe('97 %');
    expect(percent(0.001)).toBe('< 1 %');
    expect(percent(0.999)).toBe('> 99 %');
    expect(percent(1)).toBe('100 %');
    expect(percent(0)).toBe('0 %');
  });

  it('offers the try-it box only to runs that saved a model', () => {
    expect(hasModel(run({ model_path: '/x/model.pkl' }))).toBe(true);
    expect(
      hasModel(run({ models: { last: 'dlcoach-models/a/model.pkl' } }))
    ).toBe(true);
    expect(hasModel(run({ error_rate: 0.1 }))).toBe(false);
    expect(hasModel(run(null))).toBe(false);
  });
});

describe('TryPicture', () => {
  it('sends an uploaded picture as it is and shows the answer with a bar per class', async () => {
    const sent: Request[] = [];
    const fetch = async (request: Request) => {
      sent.push(request);
      const body = {
        label: 'triangle',
        probability: 0.97,
        classes: [
          { label: 'triangle', probability: 0.97 },
          { label: 'circle', probability: 0.02 },
          { label: 'square', probability: 0.01 }
        ],
        note: 'Unlike the training pictures.'
      };
      return new Response(JSON.stringify(body), { status: 200 });
    };
    const serverSettings = ServerConnection.makeSettings({
      baseUrl: 'http://localhost/',
      fetch: fetch as typeof window.fetch
    });
    const api = new CoachAPI(serverSettings);
    (URL as any).createObjectURL = () => 'blob:picture';
    (URL as any).revokeObjectURL = () => undefined;
    const widget = ReactWidget.create(
      React.createElement(TryPicture, {
        api,
        run: run({ model_path: '/x/model.pkl' }),
        trans,
        pickServerFile: null
      })
    );
    Widget.attach(widget, document.body);
    widget.update();
    for (let i = 0; i < 100 && !widget.node.querySelector('input'); i++) {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    const input = widget.node.querySelector(
      'input[type=file]'
    ) as HTMLInputElement;
    const file = new File([new Uint8Array([137, 80, 78, 71])], 'tri.png', {
      type: 'image/png'
    });
    Object.defineProperty(input, 'files', { value: [file] });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    for (
      let i = 0;
      i < 100 && !widget.node.querySelector('.jp-DLCoach-tryVerdict');
      i++
    ) {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toContain(
      'jupyterlab-dlcoach/runs/abcdefabcdef/predict'
    );
    expect(sent[0].headers.get('Content-Type')).toBe('image/png');
    expect(
      widget.node.querySelector('.jp-DLCoach-tryVerdict')?.textContent
    ).toBe('triangle, 97 % sure');
    expect(widget.node.querySelectorAll('.jp-DLCoach-tryBar')).toHaveLength(3);
    expect(widget.node.querySelector('.jp-DLCoach-tryNote')?.textContent).toBe(
      'Unlike the training pictures.'
    );
    widget.dispose();
  });
});
