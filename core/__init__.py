"""The conversation's typed records and the one error type users see; imports nothing of ours.

Every other package (tagger, models, store, pipeline, dashboard, report, cli) builds on these.
"""
