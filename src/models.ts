/**
 * The JSON shapes of the coach's HTTP API, mirrored key for key from the Python side
 * (`jupyterlab_dlcoach/core/runs.py` for runs and events, `core/models.py` for the job spec,
 * `server/system.py`) and docs/api.md. `src/__tests__/contract.spec.ts` holds the run and event
 * interfaces and the states to the Python models.
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
    /** The torch hub checkpoints folder, where pretrained weights are looked for. */
    hub_dir: string;
    weights: IWeightsEntry[];
    /** The run store the server uses, and what was wrong with it at start (null when nothing). */
    store?: IStoreStatus;
  }

  /** A damaged store found at start: moved aside and replaced (`jupyterlab_dlcoach/store_health.py`). */
  export interface IStoreProblem {
    message: string;
    advice: string;
    moved_to: string | null;
  }

  export interface IStoreStatus {
    path: string;
    problem: IStoreProblem | null;
  }

  /** One architecture's pretrained weights in the torch hub cache (`jupyterlab_dlcoach/weights.py`). */
  export interface IWeightsEntry {
    arch: string;
    cached: boolean;
    /** The cached file's size in MiB, or null when it is not cached. */
    size_mb: number | null;
    /** About how much a download is, in MiB. */
    download_mb: number;
    /** The file's name (in `GET weights` only). */
    file?: string;
  }

  export type WeightsDownloadState = 'running' | 'done' | 'failed';

  /** A download of pretrained weights (`GET weights`, `POST weights`). */
  export interface IWeightsDownload {
    id: string;
    arch: string;
    state: WeightsDownloadState;
    bytes_done: number;
    bytes_total: number | null;
    error: { message: string; advice: string } | null;
    started: number;
    ended: number | null;
    url: string;
    file: string;
  }

  /** `GET weights`: the cache and the downloads of this server, newest first. */
  export interface IWeightsState {
    hub_dir: string;
    weights: IWeightsEntry[];
    downloads: IWeightsDownload[];
  }

  /** `POST weights`: the same, and the download asked for (new, on its way, or already done). */
  export interface IWeightsStarted extends IWeightsState {
    download: IWeightsDownload;
  }

  /** `POST jobs/estimate`: how long a job would take, before it is submitted. */
  export interface IEstimate {
    /** null when there is nothing to measure from (a first run on a GPU) or training cannot start. */
    seconds: number | null;
    /** e.g. "about 40 s on this CPU". */
    text: string;
    /** e.g. "from 3 earlier runs on this machine". */
    basis: string;
    notes: string[];
  }

  export interface IErrorBody {
    message: string;
    /** The spec field the message is about, e.g. "lr" or "labels.pattern". */
    field?: string;
  }

  /** One property of `GET jobs/schema` (a JSON Schema, draft 2020-12). */
  export interface IFieldSchema {
    type?: string | string[];
    default?: unknown;
    minimum?: number;
    maximum?: number;
    exclusiveMinimum?: number;
    exclusiveMaximum?: number;
    maxLength?: number;
    enum?: unknown[];
    title?: string;
    description?: string;
    'x-advanced'?: boolean;
  }

  /** `GET jobs/schema`: the job spec's fields, defaults, limits and choices. */
  export interface IJobSchema {
    type: 'object';
    required?: string[];
    properties: { [name: string]: IFieldSchema };
  }

  /** One built-in sample of `GET samples`. */
  export interface ISample {
    name: string;
    title: string;
    description: string;
    classes: string[];
    images: number;
    /** Job spec fields suggested for this sample, e.g. `{"epochs": 24, "recipe": "fit"}`. */
    settings: { [field: string]: unknown };
  }

  export interface ISamples {
    default: string;
    samples: ISample[];
  }

  export type Recipe = 'auto' | 'fine_tune' | 'fit_one_cycle' | 'fit';

  /** `labels` of a job spec: where each image's label comes from. */
  export type Labels =
    | { from: 'folder' }
    | { from: 'filename'; pattern: string }
    | { from: 'csv'; file: string; column: string; fn_column?: string };

  /** What `POST jobs` takes (jupyterlab_dlcoach/models.py `JobSpec`); omitted fields take defaults. */
  export interface IJobSpec {
    dataset: string;
    labels?: Labels;
    arch?: string;
    /** null: pretrained when this architecture's weights are cached (the server decides). */
    pretrained?: boolean | null;
    recipe?: Recipe;
    epochs?: number;
    freeze_epochs?: number;
    /** null: automatic, chosen for the recipe. */
    lr?: number | null;
    /** null: automatic, so that an epoch has enough batches to draw a curve. */
    batch_size?: number | null;
    /** null: automatic, the data set's typical image side. */
    image_size?: number | null;
    valid_pct?: number;
    seed?: number;
    device?: string;
    precision?: 'auto' | 'fp32' | 'fp16' | 'bf16';
    num_workers?: number | null;
    name?: string;
  }

  /** Every state of a run, in `core/runs.py`'s order. */
  export const RUN_STATES = [
    'queued',
    'running',
    'completed',
    'failed',
    'cancelled',
    'interrupted'
  ] as const;

  export type RunState = (typeof RUN_STATES)[number];

  /** The states in which a run is not over yet (`core/runs.py` ACTIVE_STATES). */
  export const ACTIVE_STATES: readonly RunState[] = ['queued', 'running'];

  /** What a completed run reached; a server job adds its model file, batch size and settings. */
  /** The best epoch a finished job recorded (`result.best`); epoch counted from 0. */
  export interface IRecordedBest {
    epoch: number;
    error_rate: number | null;
    valid_loss: number | null;
  }

  export interface IRunResult {
    error_rate: number | null;
    valid_loss: number | null;
    train_loss: number | null;
    epochs: number;
    seconds: number;
    model_path?: string;
    batch_size?: number;
    settings?: ITrainSettings;
    /** The exported models, root-relative: the last epoch's, and the best epoch's. */
    models?: { last: string; best?: string } | null;
    /** The best epoch (counted from 0) and its numbers. */
    best?: IRecordedBest | null;
    /** Why the models are not in the server root, when they could not be saved there. */
    export_note?: string;
    /** Which of them the run uses for predictions and the notebook ("Use the best epoch"). */
    model?: 'last' | 'best';
    /** A job's mistakes on the validation set, with its final model. */
    interpretation?: IInterpretation;
  }

  /** `result.interpretation` of a server job: what the final model got wrong on the validation set. */
  export interface IInterpretation {
    classes: string[];
    /** Rows: the actual class; columns: the predicted one. */
    confusion: number[][];
    top_losses: ITopLoss[];
    n_valid?: number;
  }

  export interface ITopLoss {
    /** Relative to the server root. */
    path: string | null;
    actual: string;
    predicted: string;
    probability: number;
    loss: number;
  }

  export interface IProgress {
    phase: Phase;
    epoch: number;
    epochs: number;
    batch: number;
    batches: number;
    eta_s: number | null;
  }

  export interface IRunError {
    kind: string;
    message: string;
    advice: string;
  }

  /** A server job (`kind: "job"`) or a notebook run (`kind: "notebook"`). */
  export interface IRun {
    id: string;
    kind: 'job' | 'notebook';
    name: string;
    spec: IJobSpec | null;
    state: RunState;
    created: number;
    started: number | null;
    ended: number | null;
    device: string | null;
    progress: IProgress | null;
    error: IRunError | null;
    result: IRunResult | null;
    pid: number | null;
    pid_started: number | null;
    exit_code: number | null;
    signal: string | null;
    cancel_requested: boolean;
    /** The server that runs this job, when several share one store; null for notebook runs. */
    owner: string | null;
    position: number | null;
  }

  export type Phase = 'frozen' | 'unfrozen' | 'fit';

  interface IEventBase {
    seq: number;
    run_id: string;
    time: number;
  }

  export interface IBatchEvent extends IEventBase {
    type: 'batch';
    phase: Phase;
    epoch: number;
    iter: number;
    loss: number;
    smooth_loss: number;
    lr: number;
  }

  export interface IEpochEvent extends IEventBase {
    type: 'epoch';
    phase: Phase;
    epoch: number;
    /** Absent when no training batch ran in the epoch (nothing was measured). */
    train_loss?: number | null;
    valid_loss: number | null;
    metrics: { [name: string]: number | null };
    seconds: number;
  }

  /** How much a warning matters: a note, something to act on, or a run that went wrong. */
  export type Severity = 'info' | 'warning' | 'error';

  export interface IWarningEvent extends IEventBase {
    type: 'warning';
    kind: string;
    /** null for a warning about the whole run, e.g. `cuda_oom_retry`. */
    epoch: number | null;
    /** Absent in warnings recorded before severities existed: read as 'warning'. */
    severity?: Severity;
    message: string;
    advice: string;
    terms: string[];
    /** The epoch count the advice names, in the units of the form's Epochs field. */
    suggested_epochs?: number;
  }

  /** What the trainer actually used, once automatic choices were made (also in `result.settings`). */
  export interface ITrainSettings {
    recipe: Exclude<Recipe, 'auto'>;
    lr: number;
    batch_size: number;
    image_size: number;
    /** null: not known (a notebook run: fastai's learner does not say). */
    pretrained: boolean | null;
    epochs: number;
    freeze_epochs: number;
    n_train: number;
    n_valid: number;
    n_classes: number;
    /** The recipe in a sentence, e.g. "Fine-tunes a pretrained resnet18: …". */
    description: string;
    /** Why the batch size is smaller than the one asked for, when it is. */
    batch_size_note?: string;
  }

  export interface ISettingsEvent extends IEventBase, ITrainSettings {
    type: 'settings';
  }

  export interface IStateEvent extends IEventBase {
    type: 'state';
    state: RunState;
    error?: IRunError | null;
  }

  export type IEvent =
    IBatchEvent | IEpochEvent | IWarningEvent | ISettingsEvent | IStateEvent;

  /**
   * `GET runs/ID/series`: a run's history for a chart. Batch losses thinned on the server (the lowest
   * and highest of each bucket), as parallel arrays; every other event whole; and the seq to follow on
   * from over the push channel.
   */
  export interface IRunHistory {
    run_id: string;
    last_seq: number;
    points: number;
    from: number | null;
    to: number | null;
    batches: {
      /** Batches the run has (after its last out-of-memory retry), kept or not. */
      total: number;
      /** Every epoch with batches, in order: its phase and how many batches it has had. */
      epochs: { epoch: number; phase: Phase; count: number }[];
      seq: number[];
      epoch: number[];
      /** The batch's index in its epoch (0-based). */
      index: number[];
      smooth_loss: (number | null)[];
    };
    events: IEvent[];
  }

  export interface IInspection {
    path: string;
    layout: 'folders' | 'filename' | 'csv' | 'unknown';
    classes: { name: string; count: number }[];
    images: number;
    problems: {
      kind: string;
      message: string;
      advice: string;
      /** "error" blocks training; "warning" does not (e.g. a few unreadable images). */
      severity?: string;
    }[];
  }

  /** Messages of the push channel (`GET stream`, a websocket). */
  export type StreamMessage =
    | { type: 'runs'; runs: IRun[] }
    | { type: 'run'; run: IRun }
    | { type: 'events'; run_id: string; events: IEvent[] }
    | { type: 'deleted'; run_id: string };
}
