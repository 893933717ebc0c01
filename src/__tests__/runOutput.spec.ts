import { ServerConnection } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { CoachAPI } from '../api';
import { RUN_MIME, RunOutput } from '../runview/output';
import { RunsModel } from '../training/runs';

const trans = nullTranslator.load('jupyterlab_dlcoach');
const RUN = 'abcdef012345';

/** A push channel that never opens: the renderer's run view only has to exist here. */
class QuietSocket {
  constructor(readonly url: string) {}
  close(): void {
    // nothing was opened
  }
}

function setup(answers: { [path: string]: [number, unknown] }) {
  const asked: string[] = [];
  const fetch = async (input: RequestInfo) => {
    const url = typeof input === 'string' ? input : input.url;
    const path = url
      .replace(/^.*jupyterlab-dlcoach\//, '')
      .replace(/\?\d+$/, '');
    asked.push(path);
    const [status, body] = answers[path] ?? [404, { message: 'no route' }];
    return new Response(JSON.stringify(body), { status });
  };
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/',
    wsUrl: 'ws://localhost:8888/',
    fetch: fetch as any,
    WebSocket: QuietSocket as any
  });
  const runs = { runs: [], changed: new Signal({}) } as unknown as RunsModel;
  const output = new RunOutput({
    api: new CoachAPI(settings),
    runs,
    trans,
    commands: new CommandRegistry(),
    isTerm: () => false
  });
  Widget.attach(output, document.body);
  return { output, asked };
}

function model(bundle: object, extra: { [mime: string]: string } = {}) {
  return {
    data: {
      [RUN_MIME]: bundle,
      'text/plain': 'DL Coach · r · completed',
      ...extra
    },
    metadata: {},
    trusted: false,
    setData: () => undefined
  } as any;
}

describe('RunOutput, the run bundle in a notebook cell', () => {
  it('shows the run view of a run the server has, once per run', async () => {
    const { output, asked } = setup({
      [`runs/${RUN}`]: [200, { id: RUN, name: 'r', state: 'running' }]
    });
    await output.renderModel(model({ run_id: RUN, state: 'running' }));
    const view = output.view;
    expect(view).not.toBeNull();
    expect(view!.model.id).toBe(RUN);
    expect(output.node.querySelector('.jp-DLCoach-runView')).not.toBeNull();
    // An update of the same run (an epoch ended) keeps the view and asks nothing.
    await output.renderModel(model({ run_id: RUN, state: 'completed' }));
    expect(output.view).toBe(view);
    // (The view itself reads the run's thinned history once.)
    expect(asked.filter(a => !a.includes('/series?'))).toEqual([`runs/${RUN}`]);
    expect(
      asked.filter(a => a.includes('/series?')).length
    ).toBeLessThanOrEqual(1);
    expect(output.node.querySelector('.jp-DLCoach-runOutputNote p')).toBeNull();
    output.dispose();
  });

  it('says in words that a run was not recorded, with the kernel’s text and picture', async () => {
    const { output } = setup({});
    await output.renderModel(
      model(
        {
          run_id: RUN,
          state: 'completed',
          recorded: false,
          problem: 'the run store /proc/x.sqlite cannot be created'
        },
        { 'image/png': 'iVBORw0KGgo=' }
      )
    );
    expect(output.view).toBeNull();
    const note = output.node.querySelector('.jp-DLCoach-runOutputNote')!;
    expect(note.querySelector('p')!.textContent).toContain(
      'This run was not recorded by the coach (the run store /proc/x.sqlite cannot be created)'
    );
    expect(note.querySelector('pre')!.textContent).toBe(
      'DL Coach · r · completed'
    );
    expect(note.querySelector('img')!.getAttribute('src')).toBe(
      'data:image/png;base64,iVBORw0KGgo='
    );
    output.dispose();
  });

  it('names the store when the server has no such run, and never asks for a bad id', async () => {
    const { output, asked } = setup({});
    await output.renderModel(
      model({ run_id: RUN, state: 'completed', db: '/tmp/other.sqlite' })
    );
    expect(output.node.textContent).toContain(
      'The coach has no run abcdef012345 in its run store (the kernel wrote it to /tmp/other.sqlite)'
    );
    await output.renderModel(model({ run_id: '../../api/kernels' }));
    expect(output.node.textContent).toContain(
      'This output names no DL Coach run.'
    );
    expect(asked).toEqual([`runs/${RUN}`]);
    output.dispose();
  });
});
