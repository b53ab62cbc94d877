"""Errors that the command line reports as one clear message instead of a traceback."""


class ProjectError(Exception):
    """A problem the user can fix: bad input, a failed validation, a missing tool."""


class InputError(ProjectError):
    """One or more problems in the raw files; each names file, row and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        listing = "\n  ".join(problems)
        super().__init__(f"{len(problems)} problem(s) in data/raw:\n  {listing}")
