"""Checklist plugins: plugin.json → validated declaration → compiled answers schema + UI schema."""
