import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { DLCoach } from './models';

/** The server extension's URL namespace. */
export const API_NAMESPACE = 'jupyterlab-dlcoach';

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
    const message = (data as DLCoach.IErrorBody)?.message ?? String(data);
    throw new ServerConnection.ResponseError(response, message);
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

  /** How long a job would take; the spec is checked as `POST jobs` checks it. */
  estimate(spec: DLCoach.IJobSpec): Promise<DLCoach.IEstimate> {
    return requestAPI<DLCoach.IEstimate>('jobs/estimate', this.serverSettings, {
      method: 'POST',
      body: JSON.stringify(spec)
    });
  }

  inspect(path: string): Promise<DLCoach.IInspection> {
    const query = URLExt.objectToQueryString({ path });
    return requestAPI<DLCoach.IInspection>(
      `datasets${query}`,
      this.serverSettings
    );
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

  async events(id: string, after: number): Promise<DLCoach.IEvent[]> {
    const reply = await requestAPI<{ events: DLCoach.IEvent[] }>(
      `runs/${id}/events?after=${after}`,
      this.serverSettings
    );
    return reply.events;
  }

  /** The URL of the push channel (a websocket) for all runs. */
  streamUrl(): string {
    return URLExt.join(this.serverSettings.wsUrl, API_NAMESPACE, 'stream');
  }
}
