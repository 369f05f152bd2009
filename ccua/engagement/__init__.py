"""Engagements: one client's assessment inputs, validated (T/CCUA §7)."""

from typing import TYPE_CHECKING

from ccua._lazy import lazy_dir, lazy_exports

# Imported on first use (PEP 562): the results' models need the engagement's models, not the
# readers of an engagement folder (YAML, the evidence register, the ratings: 0.1 s a kernel).
_EXPORTS = {
    "default_targets": "ccua.engagement._defaults",
    "ASSESSORS_DIR": "ccua.engagement._load",
    "CHECKS_FILE": "ccua.engagement._load",
    "ENGAGEMENT_FILE": "ccua.engagement._load",
    "RATINGS_FILE": "ccua.engagement._load",
    "TARGETS_FILE": "ccua.engagement._load",
    "EngagementData": "ccua.engagement._load",
    "Overlay": "ccua.engagement._load",
    "Reading": "ccua.engagement._load",
    "load_params": "ccua.engagement._load",
    "parse_checks": "ccua.engagement._load",
    "parse_targets": "ccua.engagement._load",
    "read_engagement": "ccua.engagement._load",
    "records_folder": "ccua.engagement._load",
    "AssesseeMember": "ccua.engagement._models",
    "Assessor": "ccua.engagement._models",
    "Background": "ccua.engagement._models",
    "Check": "ccua.engagement._models",
    "Contact": "ccua.engagement._models",
    "Engagement": "ccua.engagement._models",
    "Handover": "ccua.engagement._models",
    "KeyPoint": "ccua.engagement._models",
    "Params": "ccua.engagement._models",
    "Period": "ccua.engagement._models",
    "ReportMeta": "ccua.engagement._models",
    "Step": "ccua.engagement._models",
    "Target": "ccua.engagement._models",
    "Team": "ccua.engagement._models",
    "Tolerance": "ccua.engagement._models",
    "month_range": "ccua.engagement._models",
    "month_text": "ccua.engagement._models",
    "Claim": "ccua.engagement._monthly",
    "MonthlyInputs": "ccua.engagement._monthly",
    "Source": "ccua.engagement._monthly",
    "parse_claims": "ccua.engagement._monthly",
    "parse_monthly": "ccua.engagement._monthly",
    "Sheet": "ccua.engagement._tables",
    "read_sheet": "ccua.engagement._tables",
}

if TYPE_CHECKING:
    from ccua.engagement._defaults import default_targets
    from ccua.engagement._load import (
        ASSESSORS_DIR,
        CHECKS_FILE,
        ENGAGEMENT_FILE,
        RATINGS_FILE,
        TARGETS_FILE,
        EngagementData,
        Overlay,
        Reading,
        load_params,
        parse_checks,
        parse_targets,
        read_engagement,
        records_folder,
    )
    from ccua.engagement._models import (
        AssesseeMember,
        Assessor,
        Background,
        Check,
        Contact,
        Engagement,
        Handover,
        KeyPoint,
        Params,
        Period,
        ReportMeta,
        Step,
        Target,
        Team,
        Tolerance,
        month_range,
        month_text,
    )
    from ccua.engagement._monthly import Claim, MonthlyInputs, Source, parse_claims, parse_monthly
    from ccua.engagement._tables import Sheet, read_sheet

__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
__dir__ = lazy_dir(globals())


__all__ = [
    "ASSESSORS_DIR",
    "CHECKS_FILE",
    "ENGAGEMENT_FILE",
    "RATINGS_FILE",
    "TARGETS_FILE",
    "AssesseeMember",
    "Assessor",
    "Background",
    "Check",
    "Claim",
    "Contact",
    "Engagement",
    "EngagementData",
    "Handover",
    "KeyPoint",
    "MonthlyInputs",
    "Overlay",
    "Params",
    "Period",
    "Reading",
    "ReportMeta",
    "Sheet",
    "Source",
    "Step",
    "Target",
    "Team",
    "Tolerance",
    "default_targets",
    "load_params",
    "month_range",
    "month_text",
    "parse_checks",
    "parse_claims",
    "parse_monthly",
    "parse_targets",
    "read_engagement",
    "read_sheet",
    "records_folder",
]
