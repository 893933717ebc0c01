"""The shapes of a run and of its events, as the store keeps them and the API sends them.

The one written-down description of the JSON the panel reads: `src/models.ts` mirrors it key for key,
and `tests/test_run_contract.py` with `src/__tests__/contract.spec.ts` hold the two to each other.
TypedDicts, not classes: the store, the trainer and the kernel pass plain dicts (they cross SQLite and
processes as JSON), and these only name their keys and types.
"""

# No `from __future__ import annotations`: TypedDict reads NotRequired[...] only from real annotations.
from enum import StrEnum
from typing import Any, Literal, NotRequired, TypedDict, get_type_hints


class RunState(StrEnum):
    """A run's state. String-valued: the store, the JSON and the TypeScript side use the plain words."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def active(self) -> bool:
        return self in ACTIVE_STATES


# The one set of states in which a run is not over yet (it may be cancelled, not deleted).
ACTIVE_STATES: tuple[RunState, ...] = (RunState.QUEUED, RunState.RUNNING)

Phase = Literal["frozen", "unfrozen", "fit"]
RunKind = Literal["job", "notebook"]
Severity = Literal["info", "warning", "error"]


class RunError(TypedDict):
    """Why a run failed, in the learner's words: what happened and what to do."""

    kind: str
    message: str
    advice: str


class Progress(TypedDict):
    phase: Phase
    epoch: int
    epochs: int
    batch: int
    batches: int
    eta_s: float | None


class Result(TypedDict):
    """What a completed run reached (the last epoch's numbers); a job adds its model and settings."""

    error_rate: float | None
    valid_loss: float | None
    train_loss: float | None
    epochs: int
    seconds: float
    model_path: NotRequired[str]
    batch_size: NotRequired[int]
    settings: NotRequired[dict]
    # The exported models under the server root ({"last": path, "best": path}) and the one the run uses.
    models: NotRequired[dict | None]  # None: the root could not hold them (see export_note)
    model: NotRequired[str]
    best: NotRequired[dict | None]  # {"epoch" (from 0), "error_rate", "valid_loss"} of the best epoch
    export_note: NotRequired[str]
    # A job's mistakes on the validation set: classes, confusion, top losses (trainer/interpretation.py).
    interpretation: NotRequired[dict]


class Run(TypedDict):
    """One row of the run store: a server job (`kind` "job") or a notebook run ("notebook")."""

    id: str
    kind: RunKind
    name: str
    spec: dict | None
    state: RunState
    created: float
    started: float | None
    ended: float | None
    device: str | None
    progress: Progress | None
    error: RunError | None
    result: Result | None
    pid: int | None
    pid_started: float | None
    exit_code: int | None
    signal: str | None
    cancel_requested: bool
    owner: str | None


class RunJson(Run):
    """A run as the API answers it: the stored fields and a queued job's place in the queue."""

    position: int | None


class _EventBase(TypedDict):
    seq: int
    run_id: str
    time: float


class BatchEvent(_EventBase):
    type: Literal["batch"]
    phase: Phase
    epoch: int
    iter: int
    loss: float
    smooth_loss: float
    lr: float


class EpochEvent(_EventBase):
    type: Literal["epoch"]
    phase: Phase
    epoch: int
    # Absent when no training batch ran in the epoch (nothing was measured).
    train_loss: NotRequired[float | None]
    valid_loss: float | None
    metrics: dict[str, float | None]
    seconds: float


class CoachWarning(TypedDict):
    """A coaching note about the run: what the curves show and what to change."""

    kind: str
    epoch: int | None
    severity: NotRequired[Severity]
    message: str
    advice: str
    terms: list[str]
    suggested_epochs: NotRequired[int]


class WarningEvent(_EventBase, CoachWarning):
    type: Literal["warning"]


class Settings(TypedDict):
    """What the trainer really used once the automatic choices were made."""

    recipe: str
    pretrained: bool | None  # None: a notebook run (fastai's learner does not say)
    epochs: int
    freeze_epochs: int
    lr: float
    batch_size: int
    image_size: int
    n_train: int
    n_valid: int
    n_classes: int
    description: str
    batch_size_note: NotRequired[str]


class SettingsEvent(_EventBase, Settings):
    type: Literal["settings"]


class StateEvent(_EventBase):
    type: Literal["state"]
    state: RunState
    error: NotRequired[RunError | None]


Event = BatchEvent | EpochEvent | WarningEvent | SettingsEvent | StateEvent
EVENT_TYPES: dict[str, type] = {
    "batch": BatchEvent,
    "epoch": EpochEvent,
    "warning": WarningEvent,
    "settings": SettingsEvent,
    "state": StateEvent,
}


def _keys(shape: type) -> dict[str, bool]:
    """Each key of a TypedDict and whether it is always there."""
    hints = get_type_hints(shape)
    return {k: k in shape.__required_keys__ for k in hints}


def contract() -> dict[str, Any]:
    """The shapes as data: every key of each model (and whether it is required), and the states.

    What the TypeScript side is checked against (see the module's docstring).
    """
    shapes = {
        "Run": RunJson,
        "Progress": Progress,
        "RunError": RunError,
        "Result": Result,
        "Settings": Settings,
        **{f"{t.capitalize()}Event": cls for t, cls in EVENT_TYPES.items()},
    }
    return {
        "states": [s.value for s in RunState],
        "active_states": [s.value for s in ACTIVE_STATES],
        "event_types": list(EVENT_TYPES),
        "models": {name: _keys(shape) for name, shape in shapes.items()},
    }
