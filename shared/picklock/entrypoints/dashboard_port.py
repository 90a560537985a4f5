"""The dashboard's default port. Apart from dashboard.py, so that the CLI's help shows it without
loading the HTTP server and the views."""

DEFAULT_PORT = 8765
