"""Measures and indicators from records, against values computed by hand.

The fixture (tests/data/records/*.csv) is a handful of records per kind over January and
February 2026, small enough to count on paper. Every expected number below is derived in the
comment beside it from the rows of the fixture, not from the code under test. A test checks
that every measure ``records.yaml`` defines has an expected value here, so a new definition
cannot go untested.
"""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import pytest

from ccua.kpi import indicators_from_inputs
from ccua.records import (
    definitions_for,
    ingest,
    monthly_inputs,
)
from tests.cli import run

DATA = Path(__file__).parent / "data" / "records"
MONTHS = ["2026-01", "2026-02", "2026-03"]

# voice.csv. January: V1-V5 (V5 arrives 23:59:50 on the 31st and is answered in February: a
# call belongs to the month it arrives in). Waits (answer - arrival): V1 10 s, V2 25 s,
# V4 20 s, V5 15 s; V3 abandoned. February: V6 (wait 40 s), V7 abandoned, V8 (wait 5 s).
VOICE_JAN = {
    "offered_calls": 5,
    "voice_agent_offered": 5,
    "abandoned_calls": 1,  # V3
    "calls_answered": 4,
    "voice_agent_answered": 4,
    "voice_agent_answered_total": 4,
    "voice_agent_answered_per_day": 4,
    "answered_contacts": 4,
    "calls_answered_within_target_time": 3,  # 10, 20, 15 s; not 25 s
    "voice_agent_answered_within_20s": 3,
    "voice_talk_time_total": 280 + 240 + 180 + 120,  # 820 s
    "handle_time_total": (280 + 20 + 30) + (240 + 0 + 60) + (180 + 0 + 40) + (120 + 0 + 20),
    "handled_volume": 4,
    "queue_time_total": (10 - 3) + (25 - 5) + (20 - 4) + (15 - 2),  # wait minus ring: 56 s
    "ring_time_before_answer_total": 3 + 5 + 4 + 2,
}
VOICE_FEB = {
    "offered_calls": 3,
    "voice_agent_offered": 3,
    "abandoned_calls": 1,  # V7
    "calls_answered": 2,
    "voice_agent_answered": 2,
    "voice_agent_answered_total": 2,
    "voice_agent_answered_per_day": 2,
    "answered_contacts": 2,
    "calls_answered_within_target_time": 1,
    "voice_agent_answered_within_20s": 1,  # V8 only
    "voice_talk_time_total": 600 + 100,
    "handle_time_total": (600 + 0 + 45) + (100 + 20 + 15),
    "handled_volume": 2,
    "queue_time_total": (40 - 6) + (5 - 1),
    "ring_time_before_answer_total": 6 + 1,
}
# Customers per day (DO2.2): Jan 5th C1 twice and C2 once; Jan 6th C2; Jan 31st C3: four
# customer-days, three with a single call. Feb 2nd C1 and C4 once each; V8 has no customer.
FCR_JAN = {"customers_per_day": 4, "single_call_customers_per_day": 3}
FCR_FEB = {"customers_per_day": 2, "single_call_customers_per_day": 2}
# digital.csv, January: text is chat and messaging (D1 15 s, D2 30 s, D3 never answered;
# the e-mail D4 is not text service level); video D5 12 s, D6 25 s. February: chat D7 5 s.
DIGITAL_JAN = {
    "text_agent_offered": 3,
    "text_agent_replied": 2,
    "text_agent_replied_within_20s": 1,
    "video_agent_offered": 2,
    "video_agent_answered": 2,
    "video_agent_answered_within_20s": 1,
}
DIGITAL_FEB = {
    "text_agent_offered": 1,
    "text_agent_replied": 1,
    "text_agent_replied_within_20s": 1,
}  # no video in February: absent
# bot.csv, January: B1 voice transferred, B2 voice kept, B3 text kept (error), B4 text
# transferred, B5 video kept. Questions 1+2+3+2+1, recognised 1+1+3+1+1, unresolved 0+1+0+2+0.
BOT_JAN = {
    "inbound_sessions": 5,
    "multimodal_volume": 5,
    "sessions_transferred_to_agent": 2,
    "voice_inbound": 2,
    "voice_transferred_to_agent": 1,
    "text_inbound": 2,
    "text_transferred_to_agent": 1,
    "multimedia_self_answered_sessions": 3,
    "multimedia_service_sessions": 3,  # B3 B4 B5
    "multimedia_self_handled_sessions": 2,  # B3 B5
    "bot_customer_questions": 9,
    "customer_questions": 9,
    "bot_recognised_questions": 7,
    "unrecognised_questions": 2,
    "bot_questions_rated_unresolved": 3,
    "multimodal_system_errors": 1,
    "multimodal_system_sessions": 5,
    "multimedia_system_errors": 1,
    "multimedia_system_sessions": 3,
}
# February: B6 text, kept; 2 questions, 2 recognised; blank unresolved and error count as 0
# and false. No voice session: the voice measures are absent, not zero.
BOT_FEB = {
    "inbound_sessions": 1,
    "multimodal_volume": 1,
    "sessions_transferred_to_agent": 0,
    "text_inbound": 1,
    "text_transferred_to_agent": 0,
    "multimedia_self_answered_sessions": 1,
    "multimedia_service_sessions": 1,
    "multimedia_self_handled_sessions": 1,
    "bot_customer_questions": 2,
    "customer_questions": 2,
    "bot_recognised_questions": 2,
    "unrecognised_questions": 0,
    "bot_questions_rated_unresolved": 0,
    "multimodal_system_errors": 0,
    "multimodal_system_sessions": 1,
    "multimedia_system_errors": 0,
    "multimedia_system_sessions": 1,
}
# agent_states.csv, January: A1 on the 5th 08:00-10:00 (ready 1800 s, ringing 10, talking
# 300, hold 20, wrap 60, not ready 1410, break 1800, logged in 1800: 7200 s); A2 on the 5th
# ready 08:00-12:00 (14400 s, a text agent); A1 on the 6th talking 7200 s.
AGENT_JAN = {
    "agent_ready_time": 1800 + 14400,
    "agent_ring_time": 10,
    "agent_talk_time": 300 + 20 + 7200,  # talking and hold
    "agent_after_call_work_time": 60,
    "agent_on_duty_time": 7200 + 14400 + 7200,
    "agent_work_hours_per_day": F(7200 + 7200, 3600),  # voice agents only: 4 h
    "standard_agent_workday_hours": 8,  # the default setting
}
AGENT_FEB = {
    "agent_ready_time": 3600,
    "agent_ring_time": 0,
    "agent_talk_time": 0,
    "agent_after_call_work_time": 0,
    "agent_on_duty_time": 3600,
    "agent_work_hours_per_day": 1,
    "standard_agent_workday_hours": 8,
}
# schedule.csv: January A1 5th (8.5 h), A2 5th (8 h), A1 6th (8 h): all logged in; A3 6th
# (8 h) never did. February: A1 2nd present, A2 3rd absent (8 h each). March has a shift but
# no agent states at all: attendance cannot be judged, so March gets nothing.
SHIFTS_JAN = {
    "staff_scheduled": 4,
    "staff_present": 3,
    "scheduled_hours": F(65, 2),
    "absence_hours": 8,
}
SHIFTS_FEB = {"staff_scheduled": 2, "staff_present": 1, "scheduled_hours": 16, "absence_hours": 8}
# qa.csv, January: Q2 business error, Q3 customer and compliance errors, Q1 and Q4 clean.
QA_JAN = {
    "monitored_transactions": 4,
    "monitored_without_business_critical_error": 3,
    "monitored_without_customer_critical_error": 3,
    "monitored_without_compliance_critical_error": 3,
}
QA_FEB = {
    "monitored_transactions": 1,
    "monitored_without_business_critical_error": 1,
    "monitored_without_customer_critical_error": 1,
    "monitored_without_compliance_critical_error": 1,
}
# survey.csv, January only. Post-service ratings S1 5, S2 2, S3 4 (S4 gave none): 3, one
# dissatisfied (1 or 2). Questionnaires S5 5, S6 1, S7 4, S8 3: top two boxes 2, bottom 1.
# Resolution answered by S1 yes, S2 no, S4 yes, S6 no.
SURVEY_JAN = {
    "post_service_ratings": 3,
    "post_service_dissatisfied_ratings": 1,
    "completed_questionnaires": 4,
    "top_two_box_questionnaires": 2,
    "bottom_box_questionnaires": 1,
    "ratable_customer_questions": 4,
    "customer_rated_unresolved": 2,
}

EXPECTED = {
    "2026-01": {
        **VOICE_JAN,
        **FCR_JAN,
        **DIGITAL_JAN,
        **BOT_JAN,
        **AGENT_JAN,
        **SHIFTS_JAN,
        **QA_JAN,
        **SURVEY_JAN,
    },
    "2026-02": {
        **VOICE_FEB,
        **FCR_FEB,
        **DIGITAL_FEB,
        **BOT_FEB,
        **AGENT_FEB,
        **SHIFTS_FEB,
        **QA_FEB,
    },
}


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fixture") / "records"
    results = ingest(folder, [DATA])
    assert [r.error for r in results] == [None] * 7
    return folder


@pytest.fixture(scope="module")
def inputs(records, tccua):
    return monthly_inputs(records, tccua, MONTHS)


def test_every_defined_measure_has_a_hand_computed_value(tccua):
    defined = set(definitions_for(tccua).codes)
    covered = set(EXPECTED["2026-01"]) | set(EXPECTED["2026-02"])
    assert defined == covered


@pytest.mark.parametrize("month", ["2026-01", "2026-02"])
def test_monthly_measures_equal_the_hand_computed_ones(inputs, month):
    got = inputs.values[month]
    want = {k: F(v) for k, v in EXPECTED[month].items()}
    assert {k: got.get(k) for k in want} == want
    assert set(got) == set(want), "a measure appeared that has no rows in scope"
    assert all(isinstance(v, F) for v in got.values())


def test_months_without_rows_in_scope_get_nothing(inputs):
    # March has a scheduled shift but no agent states, and nothing else.
    assert "2026-03" not in inputs.values
    assert inputs.months() == ["2026-01", "2026-02"]


def test_origin_is_records_and_settings_are_marked_as_defaults(inputs):
    assert set(inputs.origin.values()) == {"records"}
    assert inputs.defaults == {
        ("2026-01", "standard_agent_workday_hours"),
        ("2026-02", "standard_agent_workday_hours"),
    }


def test_only_the_requested_months_are_read(records, tccua):
    feb = monthly_inputs(records, tccua, ["2026-02"])
    assert feb.months() == ["2026-02"]
    assert feb.values["2026-02"] == {k: F(v) for k, v in EXPECTED["2026-02"].items()}


def test_service_level_threshold_is_configurable(records, tccua):
    # At 30 s every January answer counts (10, 25, 20, 15 s); February still only V8 (5 s,
    # not 40 s); D2's 30 s reply joins D1 in text; both video answers (12, 25 s).
    got = monthly_inputs(records, tccua, MONTHS, service_level_seconds=30)
    assert got.get("2026-01", "voice_agent_answered_within_20s") == 4
    assert got.get("2026-01", "calls_answered_within_target_time") == 4
    assert got.get("2026-02", "voice_agent_answered_within_20s") == 1
    assert got.get("2026-01", "text_agent_replied_within_20s") == 2
    assert got.get("2026-01", "video_agent_answered_within_20s") == 2


def test_standard_workday_can_be_set(records, tccua):
    got = monthly_inputs(records, tccua, MONTHS, standard_workday_hours=7.5)
    assert got.get("2026-01", "standard_agent_workday_hours") == F(15, 2)


# Indicators over the whole fixture, by hand (percent unless noted).
INDICATORS_JAN = {
    "DO6.9": F(1, 5) * 100,
    "DO6.10": F(4, 5) * 100,
    "DO6.13": F(3, 5) * 100,
    "DO6.8": F(3, 4) * 100,
    "CB1.3": F(56 + 14, 4),
    "DO6.5": F(990, 4),
    "DO6.6": F(820, 4),
    "DO2.2": F(3, 4) * 100,
    "DO5.1": F(3, 4) * 100,
    "DO6.11": F(2, 3) * 100,
    "DO6.14": F(1, 3) * 100,
    "DO6.12": F(2, 2) * 100,
    "DO6.15": F(1, 2) * 100,
    "MI2.9": F(1, 2) * 100,
    "MI2.10": F(1, 2) * 100,
    "MI1.2": F(3, 5) * 100,
    "MI2.8": F(3, 5) * 100,
    "MI2.6": F(7, 9) * 100,
    "MI2.7": F(6, 9) * 100,
    "CB2.1": F(7, 9) * 100,
    "CB5.1": F(7, 9) * 100,
    "MI1.4": F(1, 5) * 100,
    "MI2.5": F(1, 3) * 100,
    "MI2.3": F(2, 3) * 100,
    "MI2.1": 3,
    "MI1.1": 5,
    "DO6.1": F(16200 + 10 + 7520 + 60, 28800) * 100,
    "DO6.7": F(4) / (F(4) / 8),  # 4 answered / (4 h / 8 h): 8 calls
    "DO6.3": F(3, 4) * 100,
    "DO6.4": F(8) / F(65, 2) * 100,
    "DO5.4": F(3, 4) * 100,
    "DO5.5": F(3, 4) * 100,
    "DO5.6": F(3, 4) * 100,
    "DO2.3": (1 - F(1, 3)) * 100,
    "DO2.4": F(2, 4) * 100,
    "DO2.5": F(1, 4) * 100,
    "DO2.1": (1 - F(2, 4)) * 100,
}


def test_indicators_from_the_fixture(inputs, tccua):
    values, problems = indicators_from_inputs(tccua, inputs)
    jan = {v.code: v.value for v in values if v.month == "2026-01"}
    assert jan == {k: F(v) for k, v in INDICATORS_JAN.items()}
    assert problems == []
    feb = {v.code: v.value for v in values if v.month == "2026-02"}
    assert feb["DO6.7"] == F(2) / (F(1) / 8)  # 2 answered in 1 h of work: 16
    assert feb["DO6.1"] == 100 and feb["DO6.3"] == 50 and feb["DO6.4"] == 50
    assert "DO6.12" not in feb and "MI2.9" not in feb and "DO2.3" not in feb


# Voice records alone (`ccua records indicators voice.csv --json`).
VOICE_INDICATORS = {
    ("2026-01", "DO6.9"): 20.0,
    ("2026-01", "DO6.10"): 80.0,
    ("2026-01", "DO6.13"): 60.0,
    ("2026-01", "DO6.8"): 75.0,
    ("2026-01", "CB1.3"): 17.5,
    ("2026-01", "DO6.5"): 247.5,
    ("2026-01", "DO6.6"): 205.0,
    ("2026-01", "DO2.2"): 75.0,
    ("2026-01", "DO5.1"): 75.0,
    ("2026-02", "DO6.9"): 33.333333,
    ("2026-02", "DO6.10"): 66.666667,
    ("2026-02", "DO6.13"): 33.333333,
    ("2026-02", "DO6.8"): 50.0,
    ("2026-02", "CB1.3"): 22.5,
    ("2026-02", "DO6.5"): 390.0,
    ("2026-02", "DO6.6"): 350.0,
    ("2026-02", "DO2.2"): 100.0,
    ("2026-02", "DO5.1"): 100.0,
}


def test_records_indicators_json_for_canonical_voice_records(capsys):
    code, out, err = run(capsys, "records", "indicators", str(DATA / "voice.csv"), "--json")
    assert code == 0, err
    data = json.loads(out)
    got = {(i["month"], i["code"]): i["value"] for i in data["indicators"]}
    assert got == VOICE_INDICATORS
    assert all(set(i) == {"month", "code", "value"} for i in data["indicators"])


def test_records_indicators_threshold_option(capsys):
    code, out, _ = run(
        capsys,
        "records",
        "indicators",
        str(DATA / "voice.csv"),
        "--json",
        "--service-level-seconds",
        "30",
    )
    assert code == 0
    got = {(i["month"], i["code"]): i["value"] for i in json.loads(out)["indicators"]}
    assert got[("2026-01", "DO6.13")] == 80.0  # 4 of 5 within 30 s
    assert got[("2026-01", "DO6.8")] == 100.0


def test_records_indicators_reads_an_ingested_folder_and_a_chinese_export(capsys, records):
    code, out, _ = run(capsys, "records", "indicators", str(records), "--json")
    assert code == 0
    got = {(i["month"], i["code"]): i["value"] for i in json.loads(out)["indicators"]}
    assert got[("2026-01", "DO6.7")] == 8.0
    export = DATA / "export"
    code, out, err = run(
        capsys,
        "records",
        "indicators",
        str(export / "voice_calls_2026H1.csv"),
        "--mapping",
        str(export / "voice.mapping.yaml"),
        "--json",
    )
    assert code == 0, err
    got = {(i["month"], i["code"]): i["value"] for i in json.loads(out)["indicators"]}
    assert got == VOICE_INDICATORS  # the same calls, as the centre sent them


def test_records_indicators_on_a_folder_of_mixed_exports(capsys):
    code, out, err = run(capsys, "records", "indicators", str(DATA), "--json")
    assert code == 0, err
    got = {(i["month"], i["code"]): i["value"] for i in json.loads(out)["indicators"]}
    assert got[("2026-01", "DO6.1")] == pytest.approx(float(INDICATORS_JAN["DO6.1"]), abs=1e-6)


def test_records_indicators_names_what_a_voice_file_lacks(capsys, tmp_path):
    src = tmp_path / "calls.csv"
    src.write_text("call_id,arrived_at\nV1,2026-01-05 09:00:00\n", encoding="utf-8")
    code, out, err = run(capsys, "records", "indicators", str(src), "--json")
    # With --json the error is JSON on stdout (docs/safety.md); without, one line on stderr.
    assert code == 1 and err == ""
    assert "missing column answered_at" in json.loads(out)["problems"][0]["message"]
    code, _, err = run(capsys, "records", "indicators", str(src))
    assert code == 1 and "missing column answered_at" in err and "Traceback" not in err
