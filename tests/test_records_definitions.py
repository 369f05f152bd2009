"""records.yaml: the shipped definitions load; the loader refuses what cannot run."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccua.errors import CcuaError, ValidationFailed
from ccua.records import KINDS, load_definitions
from ccua.records._definitions import FUNCTIONS, definitions_path, functions, identifiers
from ccua.records._schema import table_columns


def test_shipped_definitions_load_and_name_real_measures(tccua):
    defs = load_definitions(tccua)
    measures = {m.code for m in tccua.measures}
    assert set(defs.codes) <= measures
    assert len(defs.codes) == len(set(defs.codes)) >= 60
    assert set(defs.tables()) <= set(KINDS) | {v.name for v in defs.views}


def test_shipped_definitions_use_only_canonical_columns(tccua):
    defs = load_definitions(tccua)
    for m in defs.measures:
        if m.table in KINDS:
            cols = set(table_columns(KINDS[m.table]))
            for fragment in (m.expression, m.where, m.scope):
                assert set(identifiers(fragment)) <= cols, (m.measure, fragment)


def test_identifiers_skip_keywords_functions_literals_and_placeholders():
    sql = (
        "answered_ms IS NOT NULL AND COALESCE(ring_ms, 0) <= {service_level_ms} "
        "AND channel IN ('chat', 'video') AND NOT transferred"
    )
    assert identifiers(sql) == ["answered_ms", "ring_ms", "channel", "transferred"]
    assert functions("SUM(CASE WHEN x THEN 1 END) + epoch_ms(y)") == ["SUM", "epoch_ms"]


def write(tmp_path: Path, measures: str, views: str = "") -> Path:
    path = tmp_path / "records.yaml"
    path.write_text(
        "version: 1\nparameters:\n  service_level_seconds: {default: 20}\n"
        "  standard_workday_hours: {default: 8}\n"
        f"views:\n{views or '  {}'}\nmeasures:\n{measures}",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("measures", "message"),
    [
        (
            "  - {measure: nope, table: voice, count: true}\n",
            "no measure 'nope' in t-ccua's measures.yaml",
        ),
        (
            "  - {measure: abandoned_calls, table: voice, count: answred_ms IS NULL}\n",
            "abandoned_calls: no column 'answred_ms' in voice",
        ),
        (
            "  - {measure: abandoned_calls, table: calls, count: true}\n",
            "table 'calls' is neither a canonical table",
        ),
        (
            "  - {measure: voice_talk_time_total, table: voice, sum: epoch_ms(ended_at),"
            " unit: ms}\n",
            "function epoch_ms() is outside the SQL subset both engines run",
        ),
        (
            "  - {measure: voice_talk_time_total, table: voice, sum: talk_ms}\n",
            "voice_talk_time_total is in seconds: compute it in ms (unit: ms)",
        ),
        (
            "  - {measure: offered_calls, table: voice, count: true}\n"
            "  - {measure: offered_calls, table: voice, count: true}\n",
            "offered_calls is defined twice",
        ),
        (
            "  - {measure: offered_calls, table: voice, count: true, sum: talk_ms}\n",
            "give exactly one of count:, sum: or parameter:",
        ),
        (
            "  - {measure: offered_calls, table: voice, count: 'arrived_ms < {threshold_ms}'}\n",
            "unknown placeholder {threshold_ms}",
        ),
        (
            "  - {measure: offered_calls, table: voice, count: true, unit: minutes}\n",
            "`unit` must be count or ms",
        ),
        (
            "  - {measure: standard_agent_workday_hours, table: agent_states, parameter: hours}\n",
            "no parameter 'hours'",
        ),
        (
            "  - {measure: proactive_marketing_revenue, table: voice, count: true}\n",
            "is in currency; records give counts and durations only",
        ),
    ],
)
def test_loader_refuses(tmp_path, tccua, measures, message):
    with pytest.raises(ValidationFailed) as exc:
        load_definitions(tccua, write(tmp_path, measures))
    assert message in str(exc.value)
    assert str(tmp_path / "records.yaml") in str(exc.value)


def test_loader_reports_every_problem_at_once(tmp_path, tccua):
    path = write(
        tmp_path,
        "  - {measure: nope, table: voice, count: true}\n"
        "  - {measure: abandoned_calls, table: voice, count: x = 1}\n",
    )
    with pytest.raises(ValidationFailed) as exc:
        load_definitions(tccua, path)
    assert len(exc.value.problems) == 2


def test_views_must_bind(tmp_path, tccua):
    views = "  broken:\n    sql: SELECT month, no_such_column FROM voice\n"
    path = write(tmp_path, "  - {measure: offered_calls, table: broken, count: true}\n", views)
    with pytest.raises(ValidationFailed, match="view broken does not bind"):
        load_definitions(tccua, path)
    views = "  voice:\n    sql: SELECT month FROM qa\n"
    with pytest.raises(ValidationFailed, match="has the name of a canonical table"):
        load_definitions(tccua, write(tmp_path, "", views))


def test_a_framework_without_definitions(tmp_path, mini):
    with pytest.raises(CcuaError, match="has no records.yaml"):
        load_definitions(mini, tmp_path / "records.yaml")
    assert definitions_path(mini).name == "records.yaml"


def test_the_portable_subset_is_small():
    assert {"SUM", "COUNT", "MIN", "MAX", "COALESCE", "CAST", "ABS", "NULLIF"} == FUNCTIONS


def test_docs_describe_every_canonical_column():
    text = (Path(__file__).resolve().parents[1] / "docs" / "records.md").read_text("utf-8")
    for kind in KINDS.values():
        section = text.split(f"### `{kind.name}`", 1)[1].split("###", 1)[0]
        for column in kind.names:
            assert f"| `{column}` |" in section, (kind.name, column)


def test_problems_of_parameters_views_and_measures_come_together_with_lines(tmp_path, tccua):
    path = tmp_path / "records.yaml"
    path.write_text(
        "version: 1\n"
        "parameters:\n"
        "  service_level_seconds: {default: 20, colour: red}\n"
        "  standard_workday_hours: {default: eight}\n"
        "views:\n"
        "  broken: {sql: 'SELECT month, no_such_column FROM voice'}\n"
        "measures:\n"
        "  - {measure: nope, table: voice, count: true}\n"
        "  - {measure: offered_calls, table: voice, count: true, colour: red}\n"
        "  - 5\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as exc:
        load_definitions(tccua, path)
    f = str(path)
    got = [(p.row, p.field) for p in exc.value.problems]
    assert got == [
        (3, "parameters.service_level_seconds.colour"),
        (4, "parameters.standard_workday_hours.default"),
        (6, "views.broken"),
        (8, "measures.0"),
        (9, "measures.1.colour"),
        (10, "measures.2"),
    ]
    text = str(exc.value)
    assert f"{f}:4: parameters.standard_workday_hours.default: a parameter needs a numeric" in text
    assert f"{f}:6: views.broken: view broken does not bind" in text
    assert "unknown key; expected one of count, measure, note, parameter, scope, sum" in text
