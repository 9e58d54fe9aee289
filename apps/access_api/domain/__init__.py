"""Access domain: time-boxed role grants, plain Python."""
