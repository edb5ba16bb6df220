"""Platform-neutral answer types and the answer service."""
