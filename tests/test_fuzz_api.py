"""Hypothesis walks every route's parameters and the job spec with junk, against the real server.

Whatever comes in: a 2xx, or a 4xx JSON answer with a message (a 400 naming the field); never a 5xx,
never slower than a few seconds. Hypothesis generates the requests (a fixed seed, few examples so the
whole walk takes seconds); they are then sent one by one to the server of the test.
"""

import json
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from jupyterlab_dlcoach.core.models import job_schema

pytestmark = pytest.mark.timeout(300)

SLOW_S = 5.0
FIELDS = list(job_schema()["properties"])

NASTY_TEXT = [
    "",
    " ",
    "x" * 100_000,
    "a/" * 1000,
    "/".join(["y" * 200] * 19),
    "\x00",
    "../../etc",
    "/etc/passwd",
    ".hidden",
    "cpu\n",
    "cuda:99999999999999999999",
    "(" * 3000,
    "a{4294967296}(b)",
    "^(a+)+$",
    "C:\\Windows",
    "\ud800",
    "<script>alert(1)</script>",
    "%00",
    "resnet18\n",
]
HUGE_INTS = [10**400, -(10**400), 2**63, 2**64, 2**32, -1, 0]


def deep(n=5000):
    return "[" * n + "]" * n


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(HUGE_INTS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(NASTY_TEXT),
)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
)
labels = junk | st.fixed_dictionaries(
    {"from": st.sampled_from(["folder", "filename", "csv"]) | scalars},
    optional={"pattern": junk, "file": junk, "column": junk, "fn_column": junk},
)


def specs(datasets):
    return st.fixed_dictionaries(
        {}, optional={**{f: junk for f in FIELDS}, "labels": labels, "dataset": datasets}
    )


NASTY = st.sampled_from(NASTY_TEXT) | junk


def bodies(datasets=NASTY):
    return st.one_of(
        specs(datasets).map(lambda s: json.dumps(s, default=str)),
        st.sampled_from([deep(), "{" * 100, "not json", "[]", "null", '"text"', "1e999", '{"a": NaN}']),
    )


# The one real data set: junk labels and settings on it go through the whole inspection and estimate.
# (POST jobs never gets it, so the walk starts no trainer.)
REAL = st.just("shapes")
raw_bodies = bodies()
# Query strings and URL paths must be encodable as UTF-8 by the client: no lone surrogates there.
plain_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
query = plain_text | st.sampled_from([t for t in NASTY_TEXT if len(t) < 5000 and t not in ("\x00", "\ud800")])
run_id = st.text(alphabet="0123456789abcdef", min_size=12, max_size=12)


def small_json(strategy):
    """JSON text short enough for a URL: tornado drops a request whose head passes 64 KB, before any
    handler sees it (no answer at all, the same for every route, so not the coach's to test)."""
    return strategy.map(lambda v: json.dumps(v, default=str)).filter(lambda t: len(t) < 20_000)


def requests():
    """(method, path parts, params, raw body) for every route of the API."""
    return st.one_of(
        st.tuples(st.just("POST"), st.just(("jobs",)), st.none(), raw_bodies),
        st.tuples(st.just("POST"), st.just(("jobs", "estimate")), st.none(), bodies(REAL | junk)),
        st.tuples(
            st.just("GET"),
            st.just(("datasets",)),
            st.fixed_dictionaries({}, optional={"path": REAL | query, "labels": small_json(labels) | query}),
            st.none(),
        ),
        st.tuples(
            st.just("POST"),
            st.just(("samples",)),
            st.none(),
            st.fixed_dictionaries(
                {},
                optional={"name": junk, "path": junk, "per_class": junk, "image_size": junk, "seed": junk},
            ).map(lambda b: json.dumps(b, default=str))
            | raw_bodies,
        ),
        st.tuples(
            st.just("POST"),
            st.just(("weights",)),
            st.none(),
            st.fixed_dictionaries({}, optional={"arch": junk, "other": junk}).map(json.dumps) | raw_bodies,
        ),
        st.tuples(
            st.sampled_from(["GET", "DELETE"]),
            st.tuples(st.sampled_from(["jobs", "runs"]), run_id),
            st.none(),
            st.none(),
        ),
        st.tuples(st.just("POST"), run_id.map(lambda i: ("jobs", i, "cancel")), st.none(), raw_bodies),
        st.tuples(
            st.just("GET"),
            run_id.map(lambda i: ("runs", i, "events")),
            st.fixed_dictionaries({}, optional={"after": query, "limit": query}),
            st.none(),
        ),
        st.tuples(
            st.just("GET"),
            run_id.map(lambda i: ("runs", i, "series")),
            st.fixed_dictionaries({}, optional={"points": query, "from": query, "to": query}),
            st.none(),
        ),
        st.tuples(
            st.sampled_from(["GET"]),
            st.sampled_from(
                [("system",), ("samples",), ("jobs",), ("jobs", "schema"), ("runs",), ("weights",)]
            ),
            st.dictionaries(plain_text, query, max_size=2),
            st.none(),
        ),
        st.tuples(st.sampled_from(["GET", "POST"]), query.map(lambda q: (q or "x",)), st.none(), st.none()),
    )


def generated(strategy, n):
    """`n` examples of `strategy`, as Hypothesis generates them (edge cases first), reproducibly."""
    found = []

    @seed(20261127)
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @given(strategy)
    def collect(example):
        found.append(example)

    collect()
    return found


async def test_junk_never_gives_a_5xx_or_a_hang(coach):
    await coach.sample(per_class=2)
    failures, slowest, sent, codes = [], 0.0, 0, Counter()
    for method, parts, params, body in generated(requests(), 400):
        if method in ("POST", "PUT") and body is None:
            body = "{}"
        t0 = time.monotonic()
        what = f"{method} {'/'.join(p[:40] for p in parts)} {str(params)[:80]} {str(body)[:120]}"
        try:
            response = await coach.fetch(
                "jupyterlab-dlcoach",
                *parts,
                method=method,
                params=params,
                body=body,
                raise_error=False,
                allow_nonstandard_methods=True,
            )
        except Exception as e:
            raise AssertionError(f"no answer to {what}: {e!r} (params {len(str(params))} chars)") from e
        took = time.monotonic() - t0
        slowest = max(slowest, took)
        sent += 1
        codes[response.code] += 1
        code, text = response.code, response.body.decode(errors="replace") if response.body else ""
        if code >= 500 or took > SLOW_S:
            failures.append(f"{code} in {took:.1f}s: {what}: {text[:300]}")
            continue
        if 400 <= code < 500 and code != 405:
            answer = json.loads(text)
            assert answer["message"], what
            assert len(text) < 2000, what
            if code == 400:
                assert answer.get("field"), f"{what}: {answer}"
    assert not failures, "\n".join(failures[:10])
    assert sent >= 300
    print(f"fuzz: {sent} requests, slowest {slowest:.2f}s, answers {dict(sorted(codes.items()))}")
