"""Data: tables, engine, and every query and state change (never the web layer)."""
