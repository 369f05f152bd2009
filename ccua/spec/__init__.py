"""The standard as data: typed models and the validating loader."""

from ccua.spec._loader import (
    DEFAULT_FRAMEWORK,
    FRAMEWORKS_DIR,
    available_frameworks,
    check_framework,
    load_framework,
)
from ccua.spec._models import (
    Category,
    Erratum,
    Framework,
    Grade,
    Group,
    Indicator,
    Item,
    Measure,
    Requirement,
    Scale,
    ScaleLevel,
    Scoring,
    SubPoint,
)

__all__ = [
    "DEFAULT_FRAMEWORK",
    "FRAMEWORKS_DIR",
    "Category",
    "Erratum",
    "Framework",
    "Grade",
    "Group",
    "Indicator",
    "Item",
    "Measure",
    "Requirement",
    "Scale",
    "ScaleLevel",
    "Scoring",
    "SubPoint",
    "available_frameworks",
    "check_framework",
    "load_framework",
]
