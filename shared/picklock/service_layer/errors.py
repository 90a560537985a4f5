"""The service layer's refusals and the ports' failures, apart from the service and the ports so
that entry points that do not build them (`picklock status`) can still tell them apart."""


class InvalidCommand(ValueError):
    """A request the rules refuse; nothing was changed."""


class PreconditionFailed(Exception):
    """A conditional write lost a race: the object's generation was not the one expected."""
