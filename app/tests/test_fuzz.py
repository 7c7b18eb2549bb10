"""Hostile HTTP input: every operation of the OpenAPI document, fuzzed.

Schemathesis reads /api/v1/openapi.json from the app in-process and sends
each operation generated requests, valid and invalid ones: its coverage phase
(boundary and wrong-type values, missing bodies, odd content types and
methods) and then a bounded Hypothesis run.  Every response must not be a 5xx
and must match the document: status code, content type, body schema.

The storage holds the ``sample`` dataset and requests are aimed at it as well
as at made-up ids, so PUT, DELETE and the body checks behind a path id meet
existing objects, not only 404s.  ``derandomize`` makes a run reproducible:
the same cases every time, on every machine.
"""
from collections import Counter, defaultdict

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

import models
from api.v1.app import MAX_BODY_BYTES
from api.v1.app import app as api_app

# Per operation, on top of the coverage phase's own cases: about 30 s for
# the whole file on 2 cores, with either storage engine.
EXAMPLES_PER_OPERATION = 30

# The response matches the document.
RESPONSE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

CHECKS = RESPONSE_CHECKS + [
    # Invalid input is refused with a 4xx and valid input is not.
    negative_data_rejection,
    positive_data_acceptance,
    # Undocumented methods get a 405 that says what is allowed.
    unsupported_method,
    allow_header_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)

# Ids of the running test's sample objects, by path parameter name (the
# sample is made anew for every test, so the ids are looked up when drawn).
REAL_IDS = {}

# Body keys of /places_search that list ids, and the kind of each.
SEARCH_KEYS = {"states": "state_id", "cities": "city_id",
               "amenities": "amenity_id"}

# What the run did, for the closing figures.
CASES = Counter()
STATUSES = defaultdict(Counter)
FAILED = set()


def real_id(name):
    """An existing id for path parameter ``name`` (drawn as an index, so
    Hypothesis can replay it against a new sample)."""
    return st.integers(min_value=0, max_value=5).map(
        lambda index: REAL_IDS[name][index % len(REAL_IDS[name])])


@schema.hook
def before_generate_path_parameters(context, strategy):
    """Path ids: made up or existing, half and half.

    A made-up id only ever finds nothing.
    """
    names = [parameter.name
             for parameter in context.operation.path_parameters]
    if not names:
        return strategy
    return st.one_of(strategy, st.fixed_dictionaries(
        {name: real_id(name) for name in names}))


@st.composite
def aimed_body(draw, body):
    """``body`` as generated, or with its ids replaced by existing ones."""
    if not draw(st.booleans()):
        return body
    aimed = dict(body)
    if isinstance(aimed.get("user_id"), str):
        aimed["user_id"] = draw(real_id("user_id"))
    for key, name in SEARCH_KEYS.items():
        if isinstance(aimed.get(key), list):
            # Only the strings: an item of another type keeps a negative
            # case negative.
            aimed[key] = [draw(real_id(name)) if isinstance(item, str)
                          else item for item in aimed[key]]
    return aimed


@schema.hook
def flatmap_body(context, body):
    """Bodies, their ids sometimes replaced by existing ones.

    A place or review needs an existing owner before its other fields are
    even looked at; a search needs existing ids to find anything.
    """
    return aimed_body(body) if isinstance(body, dict) else st.just(body)


def aim_coverage_case(case):
    """Coverage cases are built when the tests are collected, before the
    sample exists, so their ids are made up.  Those that vary the body or the
    headers get existing ids, or the body would never be read past the 404."""
    data = case.meta.phase.data if case.meta else None
    if (getattr(data, "scenario", None) is None
            or data.parameter_location == "path"):
        return
    case.path_parameters = {name: REAL_IDS[name][0]
                            for name in case.path_parameters}
    if (isinstance(case.body, dict)
            and isinstance(case.body.get("user_id"), str)):
        case.body = {**case.body, "user_id": REAL_IDS["user_id"][0]}


@pytest.fixture
def real_ids(sample):
    """The sample's ids by path parameter name, for the drawing hooks."""
    REAL_IDS.clear()
    REAL_IDS.update({
        "state_id": [sample.california.id, sample.arizona.id,
                     sample.nevada.id],
        "city_id": [sample.san_francisco.id, sample.los_angeles.id,
                    sample.phoenix.id],
        "user_id": [sample.alice.id, sample.bob.id],
        "amenity_id": [sample.wifi.id, sample.pool.id, sample.kitchen.id],
        "place_id": [sample.loft.id, sample.villa.id, sample.cabin.id],
        "review_id": [sample.review_loft.id, sample.review_cabin.id],
    })
    yield REAL_IDS
    REAL_IDS.clear()


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
          derandomize=True,
          # The storage fixtures are per test, not per example, on purpose:
          # objects created by one example are there for the next.
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
def test_operation(case, real_ids):
    """Each operation's generated requests get documented answers."""
    aim_coverage_case(case)
    label = case.operation.label
    response = case.call()
    CASES[label] += 1
    STATUSES[label][response.status_code] += 1
    try:
        case.validate_response(response, checks=CHECKS)
    except schemathesis.errors.FailureGroup:
        FAILED.add(label)
        raise


# Bodies the generator never makes, since it follows the document: JSON
# nested past the parser's recursion limit, and a body over the size limit.
HOSTILE_BODIES = {
    "nested-array": b"[" * 100_000,
    "nested-object": b'{"a":' * 100_000,
    "over-limit": b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}',
}

BODY_OPERATIONS = [result.ok() for result in schema.get_all_operations()
                   if result.ok().body]


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(),
                         ids=HOSTILE_BODIES.keys())
@pytest.mark.parametrize("operation", BODY_OPERATIONS,
                         ids=lambda op: op.label)
def test_hostile_body(api, real_ids, operation, body):
    """Aimed at existing objects, so the body is what gets judged."""
    ids = {parameter.name: real_ids[parameter.name][0]
           for parameter in operation.path_parameters}
    response = api.open("/api/v1" + operation.path.format(**ids),
                        method=operation.method, data=body,
                        content_type="application/json")
    assert response.status_code in (400, 413)
    operation.Case(path_parameters=ids).validate_response(
        response, checks=RESPONSE_CHECKS)


class Figures:
    """Prints the run's figures in pytest's closing summary."""

    def __init__(self, lines):
        """Figures to print: one line each."""
        self.lines = lines

    def pytest_terminal_summary(self, terminalreporter):
        """Print the figures under their own header."""
        terminalreporter.write_sep(
            "-", "API fuzz, {} storage".format(models.storage_t))
        for line in self.lines:
            terminalreporter.write_line(line)


def selected_operations(session):
    """Labels of the operations whose ``test_operation`` this session runs."""
    return {item.operation_label for item in session.items
            if isinstance(item, pytest.Function)
            and item.module.__name__ == __name__
            and item.originalname == test_operation.__name__}


def test_fuzz_reached_existing_objects(request):
    """Every fuzzed operation answered a 2xx at least once: the aiming at the
    sample works, so the checks saw real objects and not only errors.

    It fails when an operation selected for fuzzing recorded no request.
    """
    selected = selected_operations(request.session)
    if not selected:
        # The one case where there is nothing to judge: -k, -m or node ids
        # left every test_operation out, on purpose.  A document without
        # operations does not end up here: schemathesis fails the collection
        # of a test that matches none.  Anything else that fuzzes nothing
        # (test_operation skipped, run after this test or in another
        # process) has selected operations and fails below.
        pytest.skip("test_operation was deselected in this session:"
                    " no fuzzing to sum up")
    statuses = Counter()
    for counts in STATUSES.values():
        statuses.update(counts)
    lines = [
        "{} operations, {} requests checked, {} operations failing{}".format(
            len(CASES), sum(CASES.values()), len(FAILED),
            ": " + ", ".join(sorted(FAILED)) if FAILED else ""),
        "statuses: " + ", ".join("{} x{}".format(code, n)
                                 for code, n in sorted(statuses.items())),
    ]
    request.config.pluginmanager.register(Figures(lines), "api-fuzz-figures")
    assert sorted(selected - set(CASES)) == [], "selected, never fuzzed"
    never_ok = sorted(label for label in selected
                      if not any(code < 300 for code in STATUSES[label]))
    assert never_ok == []
