"""The needs' tally: each need's peak quarters as bits, and a ledger of need counts per category, status,
priority, visibility and peak quarters, and per region and archived state of their account, that triggers
keep (domain/need_tally.py), started with every need.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUARTER_BITS = {"Q1": 1, "Q2": 2, "Q3": 4, "Q4": 8}  # as domain.need.QUARTER_BITS when this was written

NEED_KEY = ("category", "status", "priority", "visibility", "peak_mask")
KEY = ("region", "archived", *NEED_KEY)
_COLUMNS = ", ".join(KEY)
_NEEDS = ", ".join(NEED_KEY)
_BY_KEY = ", ".join(str(n + 1) for n in range(len(KEY)))  # GROUP BY the key columns, by position


def _of(need: str, account: str) -> str:
    """The key columns of a need row `need` of an account row `account`."""
    columns = [f"{account}.region AS region", f"{account}.archived_at IS NOT NULL AS archived"]
    return ", ".join([*columns, *(f"{need}.{c} AS {c}" for c in NEED_KEY)])


def _need_moved(old: str, new: str) -> str:
    return " OR ".join(f"{old}.{c} IS DISTINCT FROM {new}.{c}" for c in NEED_KEY)


def _account_moved(old: str, new: str) -> str:
    return f"{old}.region IS DISTINCT FROM {new}.region OR ({old}.archived_at IS NULL) <> ({new}.archived_at IS NULL)"


def _function(name: str, body: str, returns: str = "NULL") -> str:
    return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {body};
    RETURN {returns};
END $$"""


_INSERT = f"INSERT INTO need_tally ({_COLUMNS}, needs)"

def _moves(rows: str, before: str, after: str, moved: str) -> str:
    """Count out the `before` keys and in the `after` keys of the `rows` (old and new, joined) that `moved`."""
    return f"""{_INSERT}
    SELECT {_COLUMNS}, sum(moved) FROM (
        SELECT {before}, -1 AS moved FROM {rows} WHERE {moved}
        UNION ALL
        SELECT {after}, 1 AS moved FROM {rows} WHERE {moved}
    ) AS changed GROUP BY {_BY_KEY} HAVING sum(moved) <> 0"""


_POSTGRESQL = [
    # Needs written: counted by their account's region and archived state (a need deleted with its account
    # finds none: the account's delete counted it out).
    _function("need_tally_inserted", f"{_INSERT} SELECT {_of('n', 'a')}, count(*) FROM new_needs n JOIN account a ON a.id = n.account_id GROUP BY {_BY_KEY}"),
    _function("need_tally_deleted", f"{_INSERT} SELECT {_of('o', 'a')}, -count(*) FROM old_needs o JOIN account a ON a.id = o.account_id GROUP BY {_BY_KEY}"),
    _function("need_tally_updated", _moves(
        "old_needs o JOIN new_needs n ON n.id = o.id JOIN account a ON a.id = n.account_id", _of("o", "a"), _of("n", "a"), _need_moved("o", "n")
    )),
    # Accounts moved to another region, archived or restored: their needs move with them.
    _function("need_tally_accounts_moved", _moves(
        "old_accounts o JOIN new_accounts w ON w.id = o.id JOIN need d ON d.account_id = o.id", _of("d", "o"), _of("d", "w"), _account_moved("o", "w")
    )),
    # An account about to be deleted: its needs counted out while they are still there.
    _function("need_tally_account_deleted", f"{_INSERT} SELECT {_of('d', 'OLD')}, -count(*) FROM need d WHERE d.account_id = OLD.id GROUP BY {_NEEDS}", "OLD"),
    """CREATE TRIGGER need_tally_inserted AFTER INSERT ON need REFERENCING NEW TABLE AS new_needs
    FOR EACH STATEMENT EXECUTE FUNCTION need_tally_inserted()""",
    """CREATE TRIGGER need_tally_deleted AFTER DELETE ON need REFERENCING OLD TABLE AS old_needs
    FOR EACH STATEMENT EXECUTE FUNCTION need_tally_deleted()""",
    """CREATE TRIGGER need_tally_updated AFTER UPDATE ON need REFERENCING OLD TABLE AS old_needs NEW TABLE AS new_needs
    FOR EACH STATEMENT EXECUTE FUNCTION need_tally_updated()""",
    """CREATE TRIGGER need_tally_accounts_moved AFTER UPDATE ON account REFERENCING OLD TABLE AS old_accounts NEW TABLE AS new_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION need_tally_accounts_moved()""",
    """CREATE TRIGGER need_tally_account_deleted BEFORE DELETE ON account FOR EACH ROW EXECUTE FUNCTION need_tally_account_deleted()""",
]

_SQLITE = [
    f"""CREATE TRIGGER need_tally_inserted AFTER INSERT ON need BEGIN
    {_INSERT} SELECT {_of('NEW', 'a')}, 1 FROM account a WHERE a.id = NEW.account_id;
END""",
    f"""CREATE TRIGGER need_tally_deleted AFTER DELETE ON need BEGIN
    {_INSERT} SELECT {_of('OLD', 'a')}, -1 FROM account a WHERE a.id = OLD.account_id;
END""",
    f"""CREATE TRIGGER need_tally_updated AFTER UPDATE OF {_NEEDS} ON need WHEN {_need_moved('OLD', 'NEW')} BEGIN
    {_INSERT} SELECT {_of('OLD', 'a')}, -1 FROM account a WHERE a.id = OLD.account_id;
    {_INSERT} SELECT {_of('NEW', 'a')}, 1 FROM account a WHERE a.id = NEW.account_id;
END""",
    f"""CREATE TRIGGER need_tally_accounts_moved AFTER UPDATE OF region, archived_at ON account WHEN {_account_moved('OLD', 'NEW')} BEGIN
    {_INSERT} SELECT {_of('d', 'OLD')}, -count(*) FROM need d WHERE d.account_id = OLD.id GROUP BY {_NEEDS};
    {_INSERT} SELECT {_of('d', 'NEW')}, count(*) FROM need d WHERE d.account_id = NEW.id GROUP BY {_NEEDS};
END""",
    f"""CREATE TRIGGER need_tally_account_deleted BEFORE DELETE ON account BEGIN
    {_INSERT} SELECT {_of('d', 'OLD')}, -count(*) FROM need d WHERE d.account_id = OLD.id GROUP BY {_NEEDS};
END""",
]

TRIGGERS = {"postgresql": _POSTGRESQL, "sqlite": _SQLITE}

_NAMES = ("inserted", "deleted", "updated", "accounts_moved", "account_deleted")
DROP_TRIGGERS = {
    "postgresql": [
        *(f"DROP TRIGGER IF EXISTS need_tally_{name} ON {'account' if 'account' in name else 'need'}" for name in _NAMES),
        *(f"DROP FUNCTION IF EXISTS need_tally_{name}()" for name in _NAMES),
    ],
    "sqlite": [f"DROP TRIGGER IF EXISTS need_tally_{name}" for name in _NAMES],
}

COUNT_ALL = f"{_INSERT} SELECT {_of('d', 'a')}, count(*) FROM need d JOIN account a ON a.id = d.account_id GROUP BY {_BY_KEY}"


def upgrade() -> None:
    with op.batch_alter_table("need") as batch:
        batch.add_column(sa.Column("peak_mask", sa.SmallInteger(), server_default="0", nullable=False))
    bits = " ".join(f"WHEN '{quarter}' THEN {bit}" for quarter, bit in QUARTER_BITS.items())
    op.execute(
        f"UPDATE need SET peak_mask = (SELECT coalesce(sum(CASE quarter {bits} END), 0) FROM need_peak_quarter"
        " WHERE need_peak_quarter.need_id = need.id)"
        " WHERE EXISTS (SELECT 1 FROM need_peak_quarter WHERE need_peak_quarter.need_id = need.id)"
    )
    op.create_table(
        "need_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.String(length=32), nullable=False),
        sa.Column("visibility", sa.String(length=32), nullable=False),
        sa.Column("peak_mask", sa.SmallInteger(), nullable=False),
        sa.Column("needs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_tally")),
        sqlite_autoincrement=True,
    )
    op.execute(COUNT_ALL)
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table("need_tally")
    with op.batch_alter_table("need") as batch:
        batch.drop_column("peak_mask")
