"""A small, valid client built in a temporary folder, for any test that needs one.

``make_client(tmp_path)`` writes ``params/acme.yaml`` and ``params/acme/`` with:

- engagement.yaml: every required field, both team lists, a hand-over row per item;
- targets.yaml: three centre targets (DO6.9, DO6.13, CB1.3);
- monthly.csv: eight measures over the six months 2026-01..2026-06 (months as rows);
- ratings.yaml: every item as a percent override with a note (the percents of table E.5).

Each part is also available as data (``engagement_data``, ``ratings_data`` …) so that a test
can change one field and write the file again. Values are chosen so that every indicator
they feed can be checked by hand (see ``MONTHLY``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from ccua.spec import Framework, load_framework

CLIENT = "acme"
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]

# Item percents of the worked example, table E.5 (GUIDE §3.8).
E5_PERCENTS = {
    "SP1": 85,
    "SP2": 89,
    "SP3": 87,
    "CB1": 84,
    "CB2": 80,
    "CB3": 75,
    "CB4": 81,
    "CB5": 76,
    "DO1": 85,
    "DO2": 82,
    "DO3": 89,
    "DO4": 81,
    "DO5": 88,
    "DO6": 92,
    "DO7": 89,
    "DO8": 65,
    "MI1": 90,
    "MI2": 92,
    "MI3": 87,
}

# Six months of eight measures (every input of the indicators they feed, so that no month is
# half-filled). Over the period: DO6.9 放弃率 = 2400 / 60000 = 4 %,
# DO6.13 服务水平 = 43200 / 54000 = 80 %, CB1.3 应答速度 = (1 080 000 + 216 000) / 54 000 = 24 s.
MONTHLY: dict[str, list[int]] = {
    "offered_calls": [10000, 9000, 11000, 10000, 10000, 10000],
    "abandoned_calls": [500, 300, 400, 400, 400, 400],
    "voice_agent_offered": [9000, 8000, 10000, 9000, 9000, 9000],
    "voice_agent_answered": [8600, 7700, 9600, 8600, 8600, 8600],
    "voice_agent_answered_within_20s": [7200, 6400, 8000, 7200, 7200, 7200],
    "queue_time_total": [180000, 160000, 200000, 180000, 180000, 180000],
    "ring_time_before_answer_total": [36000, 32000, 40000, 36000, 36000, 36000],
    "answered_contacts": [9000, 8000, 10000, 9000, 9000, 9000],
}


def engagement_data(
    framework: Framework | None = None, client: str = CLIENT, months: list[str] | None = None
) -> dict[str, Any]:
    """A complete engagement.yaml (no placeholders left)."""
    fw = framework or load_framework("t-ccua")
    months = months or MONTHS
    return {
        "client": client,
        "framework": fw.id,
        "report": {
            "commissioned_by": "示例集团",
            "assessee": "示例客户联络中心",
            "project": "2026年度运营能力测评",
            "assessor_org": "示例测评机构",
            "prepared_by": ["张测评"],
            "approved_by": "李审批",
            "date": "2026年11月",
        },
        "contacts": {
            "assessee": {
                "organisation": "示例客户联络中心",
                "name": "王联系",
                "phone": "010-5550-0100",
                "email": "wang@example.com",
            }
        },
        "background": {
            "subject": "示例客户联络中心（运营部）",
            "organisation": "全国性企业",
            "industry": "金融业",
            "seats": 300,
            "business_types": ["咨询", "投诉"],
            "period": {"start": months[0], "end": months[-1]},
        },
        "team": {
            "assessors": [{"name": "张测评", "role": "认证审核人员"}],
            "assessee": [{"name": "王联系", "department": "运营部"}],
        },
        "handover": {item.code: {"copies": 1, "pages": 3} for item in fw.items},
    }


def targets_data() -> dict[str, Any]:
    return {
        "targets": {
            "DO6.9": {"max": 5, "source": "centre", "basis": "运营管理规范 第3章"},
            "DO6.13": {"min": 80, "source": "centre", "basis": "运营管理规范 第3章"},
            "CB1.3": {"max": 30, "source": "centre", "basis": "运营管理规范 第3章"},
        }
    }


def ratings_data(framework: Framework | None = None) -> dict[str, Any]:
    """Every item as a percent override with a note (E.5 percents; 80 for other frameworks)."""
    fw = framework or load_framework("t-ccua")
    return {
        "framework": fw.id,
        "items": {
            i.code: {"percent": E5_PERCENTS.get(i.code, 80), "note": "表E.5 示例"} for i in fw.items
        },
    }


def monthly_months_as_rows(
    headers: dict[str, str] | None = None, data: dict[str, list[int]] | None = None
) -> str:
    """CSV text with a 月份 column and one column per measure (header: code unless renamed)."""
    data = data or MONTHLY
    headers = headers or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["月份", *(headers.get(m, m) for m in data)])
    for n, month in enumerate(MONTHS):
        writer.writerow([month, *(values[n] for values in data.values())])
    return out.getvalue()


def monthly_inputs_as_rows(data: dict[str, list[int]] | None = None) -> str:
    """The same data in the template's layout: one row per measure, one column per month."""
    data = data or MONTHLY
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", *MONTHS])
    for measure, values in data.items():
        writer.writerow([measure, *values])
    return out.getvalue()


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def make_client(
    root: Path,
    client: str = CLIENT,
    *,
    framework: Framework | None = None,
    engagement: dict[str, Any] | None = None,
    targets: dict[str, Any] | None = None,
    ratings: dict[str, Any] | None = None,
    monthly_csv: str | None = None,
    checks: dict[str, Any] | None = None,
    claimed_csv: str | None = None,
) -> Path:
    """Write a valid client under ``root/params``; return the params file."""
    fw = framework or load_framework("t-ccua")
    params_dir = root / "params"
    folder = params_dir / client
    folder.mkdir(parents=True)
    (params_dir / f"{client}.yaml").write_text(
        dump({"client": client, "engagement": client, "framework": fw.id}), encoding="utf-8"
    )
    (folder / "engagement.yaml").write_text(
        dump(engagement or engagement_data(fw, client)), encoding="utf-8"
    )
    (folder / "targets.yaml").write_text(dump(targets or targets_data()), encoding="utf-8")
    (folder / "ratings.yaml").write_text(dump(ratings or ratings_data(fw)), encoding="utf-8")
    (folder / "monthly.csv").write_text(monthly_csv or monthly_months_as_rows(), encoding="utf-8")
    if checks is not None:
        (folder / "checks.yaml").write_text(dump(checks), encoding="utf-8")
    if claimed_csv is not None:
        (folder / "claimed.csv").write_text(claimed_csv, encoding="utf-8")
    return params_dir / f"{client}.yaml"


def line_containing(path: Path, text: str, start: int = 1) -> int:
    """The 1-based number of the first line (from ``start``) containing ``text``."""
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if n >= start and text in line:
            return n
    raise AssertionError(f"{text!r} not in {path}")
