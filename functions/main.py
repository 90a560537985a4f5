"""Cloud Functions entry points (functions-framework, CloudEvent signature), one per Pub/Sub topic.
The work is in picklock.entrypoints.functions; these only bind it to the framework."""
import functions_framework

from picklock.entrypoints import functions


@functions_framework.cloud_event
def on_signal_updated(event):
    functions.on_signal_updated(event)


@functions_framework.cloud_event
def on_grading_complete(event):
    functions.on_grading_complete(event)


@functions_framework.cloud_event
def on_manual_pick(event):
    functions.on_manual_pick(event)
