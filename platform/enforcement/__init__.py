"""工贸专项执法平台 — the `enforcement` import package (source root: `platform/`)."""

__version__ = "0.1.0"
