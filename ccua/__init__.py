"""ccua: contact-centre operational-capability assessments, end to end.

The public API, in the order an assessment uses it::

    from ccua import load_framework, compute, load_ratings, score
    fw = load_framework("t-ccua")                 # the standard as data
    compute(fw, "DO6.9", [50, 1000]).value         # Decimal('5.0'), percent
    result = score(fw, load_ratings("params/worked-example.ratings.yaml"))
    result.total, result.grade.name                # Decimal('85.56'), '良好'
"""

from typing import TYPE_CHECKING

from ccua._lazy import lazy_dir, lazy_exports

__version__ = "0.1.0"

# Where each public name lives. They are imported on first use (PEP 562), so that a command
# that needs one part of ccua (``ccua kpi calc``, a records ingest) does not pay for the rest.
_EXPORTS = {
    "CcuaError": "ccua.errors",
    "InputError": "ccua.errors",
    "Problem": "ccua.errors",
    "RatingsError": "ccua.errors",
    "SpecError": "ccua.errors",
    "ValidationFailed": "ccua.errors",
    "KpiValue": "ccua.kpi",
    "compute": "ccua.kpi",
    "Ratings": "ccua.ratings",
    "load_ratings": "ccua.ratings",
    "parse_ratings": "ccua.ratings",
    "Assessment": "ccua.scoring",
    "Attainment": "ccua.scoring",
    "rating_from_attainment": "ccua.scoring",
    "score": "ccua.scoring",
    "Framework": "ccua.spec",
    "available_frameworks": "ccua.spec",
    "load_framework": "ccua.spec",
}

if TYPE_CHECKING:
    from ccua.errors import (
        CcuaError,
        InputError,
        Problem,
        RatingsError,
        SpecError,
        ValidationFailed,
    )
    from ccua.kpi import KpiValue, compute
    from ccua.ratings import Ratings, load_ratings, parse_ratings
    from ccua.scoring import Assessment, Attainment, rating_from_attainment, score
    from ccua.spec import Framework, available_frameworks, load_framework


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
__dir__ = lazy_dir(globals())


__all__ = [
    "Assessment",
    "Attainment",
    "CcuaError",
    "Framework",
    "InputError",
    "KpiValue",
    "Problem",
    "Ratings",
    "RatingsError",
    "SpecError",
    "ValidationFailed",
    "__version__",
    "available_frameworks",
    "compute",
    "load_framework",
    "load_ratings",
    "parse_ratings",
    "rating_from_attainment",
    "score",
]
