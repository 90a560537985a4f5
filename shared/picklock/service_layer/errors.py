"""The service layer's refusals, apart from the service so that entry points that do not build it
(`picklock status`) can still tell them apart."""


class InvalidCommand(ValueError):
    """A request the rules refuse; nothing was changed."""
