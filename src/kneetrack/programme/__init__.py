"""Programme generation, adaptation and writers (programme.json / .html / .ics)."""

from kneetrack.programme.generator import SCHEMA, ProgrammeGenerator, generate_programme

__all__ = ["SCHEMA", "ProgrammeGenerator", "generate_programme"]
