"""Loading revenue records, from the API's bulk mutation or a CSV file, with the same checks.

Every row is checked before anything is written; a problem names the row (1 for the first record; a
file's header is row 0) and the column. With problems, nothing is written unless the caller asked to
keep the good rows. A record is found again by its account and reference: the same values again change
nothing, other values update it (a corrected invoice). Every write goes through the ORM, so it is
audited, and the touched accounts' summaries are recounted in the same transaction.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from domain.account import Account
from domain.base import decimal_from_text, text_problem
from domain.revenue import EARLIEST, MAX_PRODUCT_LINE, MAX_REFERENCE, RevenueRecord, amount_problem
from resolvers.access import access_of
from resolvers.ids import parse_global_id
from resolvers.revenue.summary import refresh_revenue

COLUMNS = ("account", "date", "amount", "currency", "margin", "product_line", "reference")
REQUIRED = ("account", "date", "amount", "reference")
LOOKUP_BATCH = 500  # records looked up per statement


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None
    message: str


@dataclass(frozen=True)
class Row:
    row: int
    account: str  # a kam account ID, or an account's exact (unique) name
    booked_on: date
    amount: Decimal
    currency: str | None
    margin: Decimal | None
    product_line: str | None
    reference: str


@dataclass
class Loaded:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False  # whether anything was written (False when problems stopped the load)


def _text(raw: Any, column: str, limit: int, row: int, problems: list[Problem], required: bool) -> str | None:
    text = ("" if raw is None else str(raw)).strip()
    if not text:
        if required:
            problems.append(Problem(row, column, "is required"))
        return None
    problem = text_problem(text)
    if problem is not None:
        problems.append(Problem(row, column, f"holds {problem}"))
        return None
    if len(text) > limit:
        problems.append(Problem(row, column, f"is longer than {limit} characters"))
        return None
    return text


def _decimal(raw: Any, column: str, row: int, problems: list[Problem]) -> Decimal | None:
    if isinstance(raw, Decimal):
        return raw
    try:
        return decimal_from_text(str(raw).strip())
    except (ValueError, InvalidOperation):
        problems.append(Problem(row, column, "is not a decimal number such as 1250.00"))
        return None


def _day(raw: Any, row: int, today: date, problems: list[Problem]) -> date | None:
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = date.fromisoformat(str(raw).strip())
        except ValueError:
            problems.append(Problem(row, "date", "is not a day written YYYY-MM-DD"))
            return None
    if day > today:
        problems.append(Problem(row, "date", "is in the future"))
        return None
    if day < EARLIEST:
        problems.append(Problem(row, "date", f"is before {EARLIEST.isoformat()}"))
        return None
    return day


def check_row(values: Mapping[str, Any], row: int, today: date) -> tuple[Row | None, list[Problem]]:
    """One record's values (CSV text or API values) checked; the row, or its problems."""
    problems: list[Problem] = []
    account = _text(values.get("account"), "account", 200, row, problems, True)
    reference = _text(values.get("reference"), "reference", MAX_REFERENCE, row, problems, True)
    product_line = _text(values.get("product_line"), "product_line", MAX_PRODUCT_LINE, row, problems, False)
    currency = _text(values.get("currency"), "currency", 3, row, problems, False)
    if currency is not None and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        problems.append(Problem(row, "currency", "is not a three-letter ISO 4217 code"))
    booked_on = None if values.get("date") in (None, "") else _day(values["date"], row, today, problems)
    if values.get("date") in (None, ""):
        problems.append(Problem(row, "date", "is required"))
    amount = None
    if values.get("amount") in (None, ""):
        problems.append(Problem(row, "amount", "is required"))
    else:
        amount = _decimal(values["amount"], "amount", row, problems)
    margin = None if values.get("margin") in (None, "") else _decimal(values["margin"], "margin", row, problems)
    if amount is not None and not any(p.column in ("amount", "margin") for p in problems):
        found = amount_problem(amount, margin)
        if found is not None:
            problems.append(Problem(row, found[0], found[1]))
    if problems:
        return None, problems
    return Row(row, account, booked_on, amount, currency and currency.upper(), margin, product_line, reference), []  # type: ignore[arg-type]


def csv_rows(stream: IO[str]) -> Iterator[tuple[int, dict[str, str] | None, list[Problem]]]:
    """(row, values, problems) per data row of a CSV file with a header naming `COLUMNS` (extra columns are
    refused, missing optional ones are empty)."""
    reader = csv.reader(stream)
    header = [h.strip().lower() for h in next(reader, [])]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if not header or unknown or missing or len(set(header)) != len(header):
        message = f"the header must name the columns {', '.join(COLUMNS)} (the first four and reference are required)"
        if unknown:
            message += f"; unknown: {', '.join(unknown)}"
        if missing:
            message += f"; missing: {', '.join(missing)}"
        yield 0, None, [Problem(0, None, message)]
        return
    for number, cells in enumerate(reader, start=1):
        if len(cells) != len(header):
            yield number, None, [Problem(number, None, f"has {len(cells)} cells, the header {len(header)}")]
            continue
        yield number, dict(zip(header, cells, strict=True)), []


async def _accounts(session: AsyncSession, refs: Iterable[str]) -> tuple[dict[str, Account], dict[str, str]]:
    """The accounts the rows name (by ID or exact name) that the caller may write, and why the others cannot be."""
    by_id: dict[str, int] = {}
    names: list[str] = []
    for ref in set(refs):
        try:
            type_name, row_id = parse_global_id(ref)
        except ValueError:
            names.append(ref)
            continue
        if type_name == "Account":
            by_id[ref] = row_id
        else:
            names.append(ref)
    found: dict[str, Account] = {}
    refused: dict[str, str] = {}
    if by_id:
        rows = {a.id: a for a in (await session.scalars(select(Account).where(Account.id.in_(by_id.values())))).all()}
        for ref, row_id in by_id.items():
            if row_id in rows:
                found[ref] = rows[row_id]
    for start in range(0, len(names), LOOKUP_BATCH):
        chunk = names[start : start + LOOKUP_BATCH]
        named: dict[str, list[Account]] = {}
        for account in (await session.scalars(select(Account).where(Account.name.in_(chunk)))).all():
            named.setdefault(account.name, []).append(account)
        for name in chunk:
            if len(named.get(name, [])) > 1:
                refused[name] = "names several accounts; use the account's ID"
            elif name in named:
                found[name] = named[name][0]
    access = access_of(session)
    for ref, account in list(found.items()):
        if not await access.visible(account):
            del found[ref]
        elif not await access.can_write(account.id):
            refused[ref] = "is an account you may not change"
            del found[ref]
        elif account.archived_at is not None:
            refused[ref] = "is archived; restore it first"
            del found[ref]
    for ref in set(refs) - set(found) - set(refused):
        refused[ref] = "names no account"
    return found, refused


async def load_rows(
    session: AsyncSession, rows: list[Row], problems: list[Problem], today: date, *, keep_good_rows: bool
) -> Loaded:
    """Write checked rows (upserts by account and reference); `problems` are those found so far."""
    loaded = Loaded(problems=list(problems))
    accounts, refused = await _accounts(session, (r.account for r in rows))
    good: list[tuple[Row, Account]] = []
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        account = accounts.get(row.account)
        if account is None:
            loaded.problems.append(Problem(row.row, "account", refused.get(row.account, "names no account")))
            continue
        if row.currency is not None and row.currency != account.currency:
            loaded.problems.append(
                Problem(row.row, "currency", f"is not the account's currency ({account.currency}); kam holds no exchange rates")
            )
            continue
        key = (account.id, row.reference)
        if key in seen:
            loaded.problems.append(Problem(row.row, "reference", f"repeats row {seen[key]} of the same account"))
            continue
        seen[key] = row.row
        good.append((row, account))
    loaded.problems.sort(key=lambda p: (p.row, p.column or ""))
    if loaded.problems and not keep_good_rows:
        return loaded
    existing: dict[tuple[int, str], RevenueRecord] = {}
    keys = [(account.id, row.reference) for row, account in good]
    for start in range(0, len(keys), LOOKUP_BATCH):
        chunk = keys[start : start + LOOKUP_BATCH]
        stmt = select(RevenueRecord).where(tuple_(RevenueRecord.account_id, RevenueRecord.reference).in_(chunk))
        existing.update({(r.account_id, r.reference): r for r in (await session.scalars(stmt)).all()})
    for row, account in good:
        values = {
            "booked_on": row.booked_on,
            "amount": row.amount,
            "currency": account.currency,
            "margin": row.margin,
            "product_line": row.product_line,
        }
        record = existing.get((account.id, row.reference))
        if record is None:
            session.add(RevenueRecord(account_id=account.id, reference=row.reference, **values))
            loaded.created += 1
        elif all(getattr(record, k) == v for k, v in values.items()):
            loaded.unchanged += 1
        else:
            for k, v in values.items():
                setattr(record, k, v)
            loaded.updated += 1
    if loaded.created or loaded.updated:
        await session.flush()
        await refresh_revenue(session, {account.id for _, account in good}, today)
    loaded.written = bool(loaded.created or loaded.updated)
    return loaded
