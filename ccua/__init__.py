"""ccua: contact-centre operational-capability assessments, end to end.

The public API, in the order an assessment uses it::

    from ccua import load_framework, compute, load_ratings, score
    fw = load_framework("t-ccua")                 # the standard as data
    compute(fw, "DO6.9", [50, 1000]).value         # Decimal('5.0'), percent
    result = score(fw, load_ratings("params/worked-example.ratings.yaml"))
    result.total, result.grade.name                # Decimal('85.56'), '良好'
"""

from ccua.errors import CcuaError, InputError, Problem, RatingsError, SpecError, ValidationFailed
from ccua.kpi import KpiValue, compute
from ccua.ratings import Ratings, load_ratings, parse_ratings
from ccua.scoring import Assessment, Attainment, rating_from_attainment, score
from ccua.spec import Framework, available_frameworks, load_framework

__version__ = "0.1.0"

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
