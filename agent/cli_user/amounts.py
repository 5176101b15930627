"""NMR amounts as users type them (decimal NMR) and as the contracts keep them (wei)."""

from decimal import Decimal, InvalidOperation

from agent.cli_user.errors import UserError

NMR = 10**18


def parse_nmr(text: str, what: str = "amount", allow_zero: bool = False) -> int:
    """'12.5' → 12.5e18 wei. Rejects negatives, more than 18 decimals, and zero unless allowed."""
    try:
        value = Decimal(str(text).replace("_", "").replace(",", ""))
    except InvalidOperation:
        raise UserError(f"{what} {text!r} is not a number of NMR; write it like 12.5") from None
    if not value.is_finite() or value < 0:
        raise UserError(f"{what} {text!r} must be a positive number of NMR, like 12.5")
    wei = value * NMR
    if wei != wei.to_integral_value():
        raise UserError(f"{what} {text!r} has more than 18 decimals; round it")
    if wei == 0 and not allow_zero:
        raise UserError(f"{what} must be more than 0 NMR")
    return int(wei)


def fmt_nmr(wei: int) -> str:
    """1.5e18 → '1.5 NMR' (exact, trailing zeros dropped)."""
    text = f"{Decimal(int(wei)) / NMR:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} NMR"


def parse_percent(text: str) -> int:
    """'25' or '25%' or '12.5%' → basis points (2500, 1250)."""
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        raise UserError(f"share {text!r} is not a percentage; write it like 25 or 12.5%") from None
    bps = value * 100
    if bps != bps.to_integral_value() or not 0 < bps <= 10_000:
        raise UserError(f"share {text!r} must be between 0.01% and 100% in steps of 0.01%")
    return int(bps)
