"""The knowledge base: exercises, cues, footwear advice, cause rules, red flags.

Content lives in YAML data files next to this module, each entry with its
literature source; :mod:`kneetrack.knowledge.schema` validates them and
:mod:`kneetrack.knowledge.load` reads them with :mod:`importlib.resources`.
"""

from kneetrack.knowledge.load import load_knowledge

__all__ = ["load_knowledge"]
