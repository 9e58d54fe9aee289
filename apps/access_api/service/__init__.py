"""Access use cases."""
