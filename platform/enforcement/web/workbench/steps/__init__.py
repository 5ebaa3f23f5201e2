"""The steps of WorkbenchView, one module each (see steps/base.py)."""
