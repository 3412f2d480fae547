"""spinscope: what an article claims, how it tries to persuade, and what stands behind it."""

from spinscope.errors import SpinscopeError
from spinscope.pipeline import Pipeline, load
from spinscope.types import SCHEMA_VERSION, Analysis, Article

__version__ = "0.1.0"

__all__ = ["SCHEMA_VERSION", "Analysis", "Article", "Pipeline", "SpinscopeError", "__version__", "load"]
