"""Test harness helpers (local emulators). See tests/harness/emulators.py."""
