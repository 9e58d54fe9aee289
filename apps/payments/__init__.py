"""Card payments through the external payment platform: its client (platform.py) and settings."""
