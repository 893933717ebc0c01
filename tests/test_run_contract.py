"""The run and event models of core/runs.py, written down for the TypeScript side to be checked against.

`src/__tests__/fixtures/run-contract.json` is what `contract()` says; `src/__tests__/contract.spec.ts`
(jest) compares it with the interfaces in `src/models.ts`. When a model changes, this test fails until
the file is written again: `DLCOACH_WRITE_CONTRACT=1 pytest tests/test_run_contract.py`, then jest
says which TypeScript interface must follow.
"""

import json
import os
from pathlib import Path

from jupyterlab_dlcoach.core.runs import ACTIVE_STATES, RunState, contract

FIXTURE = Path(__file__).resolve().parent.parent / "src" / "__tests__" / "fixtures" / "run-contract.json"


def test_the_typescript_fixture_says_what_the_models_say():
    if os.environ.get("DLCOACH_WRITE_CONTRACT"):
        FIXTURE.write_text(json.dumps(contract(), indent=2) + "\n")
    hint = "models changed: DLCOACH_WRITE_CONTRACT=1 pytest tests/test_run_contract.py, then prettier it"
    assert json.loads(FIXTURE.read_text()) == contract(), hint


def test_states_are_their_words_on_the_wire():
    assert json.dumps({"state": RunState.QUEUED}) == '{"state": "queued"}'
    assert [s.active for s in RunState] == [s in ACTIVE_STATES for s in RunState]
    assert f"{RunState.FAILED}" == "failed"


async def test_the_api_sends_every_field_of_the_run_model(jp_fetch, jp_root_dir):
    """A real job, as GET jobs answers it, has exactly the keys the Run model names."""
    (jp_root_dir / "d").mkdir()
    reply = await jp_fetch("jupyterlab-dlcoach", "jobs", method="POST", body=json.dumps({"dataset": "d"}))
    job = json.loads(reply.body)
    assert set(job) == set(contract()["models"]["Run"])
    await jp_fetch("jupyterlab-dlcoach", "jobs", job["id"], "cancel", method="POST", body="{}")
