"""SLT review: the report command and the dashboard, over the question log."""
