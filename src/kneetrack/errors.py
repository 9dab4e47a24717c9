"""Errors that kneetrack reports to people as one clear line.

Every error a user can cause by giving bad input derives from
:class:`KneetrackError`; the CLI prints its message without a traceback and
exits non-zero. Programming errors stay ordinary exceptions.
"""

from __future__ import annotations


class KneetrackError(Exception):
    """Base class for errors whose message is meant for the user."""

    exit_code = 2


class InputError(KneetrackError):
    """The input file or folder cannot be used (missing, empty, corrupt, wrong kind)."""


class NoPersonError(InputError):
    """No person was detected in the video."""


class SettingsError(KneetrackError):
    """An option or a settings value is invalid."""


class OutputError(KneetrackError):
    """The output cannot be written (read-only, no permission, disk full, not a folder)."""
