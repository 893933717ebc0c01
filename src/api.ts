import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { DLCoach } from './models';

/** The server extension's URL namespace. */
export const API_NAMESPACE = 'jupyterlab-dlcoach';

/**
 * A refused request: the server's `message`, and the spec `field` it is about when it names one, so
 * the form can say which of its fields to fix in its own words.
 */
export class CoachRequestError extends ServerConnection.ResponseError {
  constructor(response: Response, message: string, field: string | null) {
    super(response, message);
    this.field = field;
  }

  readonly field: string | null;
}

/**
 * Call the coach's REST API. Errors carry the server's `message`, which names the field and the fix.
 */
export async function requestAPI<T>(
  endPoint: string,
  serverSettings: ServerConnection.ISettings,
  init: RequestInit = {}
): Promise<T> {
  const url = URLExt.join(serverSettings.baseUrl, API_NAMESPACE, endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, serverSettings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  let data: any = text;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      // Not JSON (e.g. a proxy's HTML error page): keep the text as the message.
    }
  }
  if (!response.ok) {
    const body = (
      typeof data === 'object' ? data : null
    ) as Partial<DLCoach.IErrorBody> | null;
    const message = body?.message ?? String(data);
    throw new CoachRequestError(response, message, body?.field ?? null);
  }
  return data as T;
}

/** Typed client for the coach's routes. */
export class CoachAPI {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  system(): Promise<DLCoach.ISystemInfo> {
    return requestAPI<DLCoach.ISystemInfo>('system', this.serverSettings);
  }

  /** The torch hub cache and this server's weights downloads. */
  weights(): Promise<DLCoach.IWeightsState> {
    return requestAPI<DLCoach.IWeightsState>('weights', this.serverSettings);
  }

  /** Start downloading an architecture's pretrained weights (or find it cached or on its way). */
  getWeights(arch: string): Promise<DLCoach.IWeightsStarted> {
    return requestAPI<DLCoach.IWeightsStarted>('weights', this.serverSettings, {
      method: 'POST',
      body: JSON.stringify({ arch })
    });
  }

  /** Inspect a folder; `labels` says where the labels come from (folder names when omitted). */
  inspect(
    path: string,
    labels?: DLCoach.Labels,
    init: RequestInit = {}
  ): Promise<DLCoach.IInspection> {
    const query = URLExt.objectToQueryString(
      labels && labels.from !== 'folder'
        ? { path, labels: JSON.stringify(labels) }
        : { path }
    );
    return requestAPI<DLCoach.IInspection>(
      `datasets${query}`,
      this.serverSettings,
      init
    );
  }

  /** The job spec's JSON Schema: the form's fields, defaults, limits and choices. */
  jobSchema(): Promise<DLCoach.IJobSchema> {
    return requestAPI<DLCoach.IJobSchema>('jobs/schema', this.serverSettings);
  }

  samples(): Promise<DLCoach.ISamples> {
    return requestAPI<DLCoach.ISamples>('samples', this.serverSettings);
  }

  /** How long a spec would take here, before anything is queued. */
  estimate(
    spec: DLCoach.IJobSpec,
    init: RequestInit = {}
  ): Promise<DLCoach.IEstimate> {
    return requestAPI<DLCoach.IEstimate>('jobs/estimate', this.serverSettings, {
      ...init,
      method: 'POST',
      body: JSON.stringify(spec)
    });
  }

  writeSample(name: string, path: string): Promise<DLCoach.IInspection> {
    return requestAPI<DLCoach.IInspection>('samples', this.serverSettings, {
      method: 'POST',
      body: JSON.stringify({ name, path })
    });
  }

  submit(spec: DLCoach.IJobSpec): Promise<DLCoach.IRun> {
    return requestAPI<DLCoach.IRun>('jobs', this.serverSettings, {
      method: 'POST',
      body: JSON.stringify(spec)
    });
  }

  cancel(id: string): Promise<DLCoach.IRun> {
    return requestAPI<DLCoach.IRun>(`jobs/${id}/cancel`, this.serverSettings, {
      method: 'POST'
    });
  }

  async deleteRun(id: string): Promise<void> {
    await requestAPI<void>(`runs/${id}`, this.serverSettings, {
      method: 'DELETE'
    });
  }

  /** Which exported model a finished job uses: the best epoch's or the last epoch's. */
  useModel(id: string, use: 'best' | 'last'): Promise<DLCoach.IRun> {
    return requestAPI<DLCoach.IRun>(`runs/${id}/model`, this.serverSettings, {
      method: 'POST',
      body: JSON.stringify({ use })
    });
  }

  /** A finished job as a notebook (nbformat JSON) with the fastai code of the run. */
  runNotebook(
    id: string
  ): Promise<{ name: string; notebook: { [key: string]: unknown } }> {
    return requestAPI(`runs/${id}/notebook`, this.serverSettings);
  }

  async events(id: string, after: number): Promise<DLCoach.IEvent[]> {
    const reply = await requestAPI<{ events: DLCoach.IEvent[] }>(
      `runs/${id}/events?after=${after}`,
      this.serverSettings
    );
    return reply.events;
  }

  /**
   * A run's history for a chart: batch losses thinned to at most `points` (min and max per bucket),
   * the run's other events, and the seq to follow on from; `range` (in epochs) asks for that part only.
   */
  series(
    id: string,
    points: number,
    range?: { from: number; to: number }
  ): Promise<DLCoach.IRunHistory> {
    const query = URLExt.objectToQueryString(
      range ? { points, from: range.from, to: range.to } : { points }
    );
    return requestAPI<DLCoach.IRunHistory>(
      `runs/${id}/series${query}`,
      this.serverSettings
    );
  }

  /**
   * The URL of the push channel (a websocket): all runs, or one run's events after a seq (resumable).
   */
  streamUrl(run?: { id: string; after: number }): string {
    const url = URLExt.join(this.serverSettings.wsUrl, API_NAMESPACE, 'stream');
    return run
      ? url + URLExt.objectToQueryString({ run: run.id, after: run.after })
      : url;
  }
}
