"""What starts an export, in the audit trail's words (trigger_source). Apart from domain/export.py,
so that the CLI offers them without loading the domain."""

TRIGGERS = ("signal_updated", "post_grading", "manual", "scheduled", "cli")
