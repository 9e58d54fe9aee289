"""Prices: decimal amounts in an ISO 4217 currency, never floats.

The currency decides how many decimals an amount may have (BRL 49.90, JPY 4990, KWD 4.990).
"""
from decimal import Decimal

# ISO 4217 active codes (2025). Most have 2 minor-unit digits; the exceptions are listed below.
CODES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
""".split())
MINOR_DIGITS = {**dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF"
                                .split(), 0),
                **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3)}
MAX_AMOUNT = Decimal("9999999999.99")  # numeric(12, 2) in the database


def minor_digits(currency: str) -> int:
    return MINOR_DIGITS.get(currency, 2)


def amount_error(amount: Decimal, currency: str) -> str | None:
    """Why `amount` is not a price in `currency`, or None."""
    if not amount.is_finite() or amount < 0:
        return "must be a number of at least 0"
    if amount > MAX_AMOUNT:
        return f"must be at most {MAX_AMOUNT}"
    digits = min(minor_digits(currency), 2)  # the database keeps 2 decimals
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        return f"{currency} amounts have at most {digits} decimals"
    return None


def formatted(amount: Decimal, currency: str) -> str:
    """The amount as a string with the currency's decimals: JSON clients never see a float."""
    return str(amount.quantize(Decimal(1).scaleb(-min(minor_digits(currency), 2))))
