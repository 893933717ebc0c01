/**
 * The JSON shapes of the coach's HTTP API, mirrored key for key from the Python side
 * (`jupyterlab_dlcoach/system.py`, `jupyterlab_dlcoach/models.py`) and docs/api.md.
 */
export namespace DLCoach {
  export interface IGpu {
    index: number;
    name: string;
    memory_total_mb: number;
    memory_used_mb: number;
  }

  export interface ISystemInfo {
    device: 'cuda' | 'cpu';
    gpus: IGpu[];
    cpu_count: number;
    versions: { [name: string]: string | null };
  }

  export interface IErrorBody {
    message: string;
    field?: string;
  }
}
