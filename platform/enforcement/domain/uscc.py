"""统一社会信用代码 (GB 32100-2015), checked with python-stdnum rather than a hand-written check digit."""

from __future__ import annotations

from stdnum.cn import uscc as _uscc
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)


class USCCError(ValueError):
    """A USCC that cannot be accepted; the message is Chinese and shown to the user."""


def normalize_uscc(value: str) -> str:
    """Return the compact upper-case USCC or raise USCCError with a message a user can act on."""
    code = _uscc.compact(value or "")
    if not code:
        raise USCCError("统一社会信用代码不能为空")
    try:
        return _uscc.validate(code)
    except InvalidLength:
        raise USCCError(f"统一社会信用代码应为18位，当前为{len(code)}位") from None
    except InvalidChecksum:
        raise USCCError("统一社会信用代码校验位错误，请核对最后一位") from None
    except (InvalidFormat, InvalidComponent):
        raise USCCError(
            "统一社会信用代码格式错误：只能包含数字和大写字母（不含I、O、Z、S、V），第3-8位为行政区划码"
        ) from None
    except ValidationError:
        raise USCCError("统一社会信用代码无效") from None


def make_uscc(registrar: str, kind: str, region_code: str, org_code8: str) -> str:
    """Build a valid USCC from its parts (used by the demo data); org_code8 gets its GB 11714 check."""
    org = org_code8 + _org_check(org_code8)
    first17 = f"{registrar}{kind}{region_code}{org}"
    return first17 + _uscc.calc_check_digit(first17)


def _org_check(first8: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(first8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))
