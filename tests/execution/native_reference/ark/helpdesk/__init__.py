"""The helpdesk's helpers (used by helpdesk_report.py)."""
