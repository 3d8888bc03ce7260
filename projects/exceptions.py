"""The errors of the projects app, on the one hierarchy of `core.errors` (its API handler and
HTML middleware answer them by class). Every refusal leaves the database as it was.

    ProjectError (Invalid, 400)    bad input: amounts, files, a broken rule
    NotAllowed (core NotAllowed, 403)   no right to write this project, or no actor
"""

from __future__ import annotations

from core import errors

__all__ = ["NotAllowed", "ProjectError"]


class ProjectError(errors.Invalid):
    """Bad input or a refused operation; nothing was written."""


class NotAllowed(errors.NotAllowed):
    """The user may not write this project."""
