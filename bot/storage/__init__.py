"""Where questions are kept for SLT review."""
