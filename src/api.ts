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
}
