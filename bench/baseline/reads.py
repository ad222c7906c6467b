"""The read queries: the statements kam's resolvers send, one per level of nesting (a page joined with its
parents where one round trip is faster), and the answer assembled in one pass over the rows."""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from bench.baseline.store import Connection, Database, Sql
from bench.baseline.values import (
    ATTITUDE_SCORE,
    CENT,
    BUYING_ROLES,
    COVERAGE_RANK,
    GRADES,
    INFLUENCE_WEIGHT,
    NEED_CATEGORIES,
    QUADRANTS,
    QUARTERS,
    ROLE_RANK,
    Refused,
    argument_id,
    cursor,
    enum_list,
    global_id,
    iso,
    name_cursor,
    setting,
)

UNDATED = "9999-12-31"

ACCOUNT_PAGE_SIZE = 50
STAKEHOLDER_PAGE_SIZE = 20
PLAN_PAGE_SIZE = 5
ACTION_PAGE_SIZE = 10
QUADRANT_PAGE_SIZE = 5
FILTERED_PAGE_SIZE = 20
NOT_CONTACTED_PAGE_SIZE = 20
OVERDUE_PAGE_SIZE = 20
MOVES_PAGE_SIZE = 20
TIMELINE_PAGE_SIZE = 20

PING = Sql("SELECT 1")
ACCOUNT_EXISTS = Sql("SELECT id FROM account WHERE id = $1")
MAP_STAKEHOLDERS = Sql("""
    SELECT id, name, title, attitude, influence, decision_level, reports_to_id
    FROM stakeholder WHERE account_id = $1 ORDER BY name, id
""")
BUYING_ROLES_OF = Sql("SELECT stakeholder_id, role FROM stakeholder_buying_role WHERE stakeholder_id = ANY($1)")
MAP_LINKS = Sql("SELECT source_id, target_id, strength FROM influence_link WHERE account_id = $1 ORDER BY id")
MAP_COVERAGE = Sql("SELECT stakeholder_id, member_id, strength FROM coverage WHERE account_id = $1 ORDER BY id")
MEMBER_NAMES = Sql("SELECT id, name FROM team_member WHERE id = ANY($1)")

# A page's LIMIT is written into the statement, as kam writes it: PostgreSQL would plan a LIMIT parameter
# anew at every execution of a prepared statement.
ACCOUNTS_FIRST = Sql(
    f"SELECT id, name, grade, quadrant FROM account WHERE archived_at IS NULL ORDER BY name, id "
    f"LIMIT {ACCOUNT_PAGE_SIZE + 1}"
)
ACCOUNTS_AFTER = Sql(f"""
    SELECT id, name, grade, quadrant FROM account
    WHERE archived_at IS NULL AND (name, id) > ($1, $2) ORDER BY name, id LIMIT {ACCOUNT_PAGE_SIZE + 1}
""")
STAKEHOLDER_PAGES = Sql("""
    SELECT id, account_id, name, title, attitude, influence FROM (
        SELECT id, account_id, name, title, attitude, influence,
               row_number() OVER (PARTITION BY account_id ORDER BY name, id) AS rank
        FROM stakeholder WHERE account_id = ANY($1)
    ) AS s WHERE rank <= $2 ORDER BY account_id, rank
""")
NEEDS_OF_STAKEHOLDERS = Sql(
    "SELECT stakeholder_id, id, title, priority, status FROM need WHERE stakeholder_id = ANY($1) ORDER BY id"
)
PLAN_PAGES = Sql("""
    SELECT id, account_id, title, status, starts_on FROM (
        SELECT id, account_id, title, status, starts_on,
               row_number() OVER (PARTITION BY account_id ORDER BY starts_on DESC, id DESC) AS rank
        FROM action_plan WHERE account_id = ANY($1)
    ) AS p WHERE rank <= $2 ORDER BY account_id, rank
""")
ACTION_PAGES = Sql(f"""
    SELECT id, plan_id, title, status, due_on FROM (
        SELECT id, plan_id, title, status, due_on,
               row_number() OVER (PARTITION BY plan_id ORDER BY coalesce(due_on, '{UNDATED}'), id) AS rank
        FROM action WHERE plan_id = ANY($1)
    ) AS a WHERE rank <= $2 ORDER BY plan_id, rank
""")


def _where(grades: bool, quadrants: bool) -> str:
    """The account filter of kam's list: grades in $1, quadrants in $2 (or $1 without grades)."""
    conditions = ["grade = ANY($1)"] if grades else []
    conditions += [f"quadrant = ANY(${1 + grades})"] if quadrants else []
    return " AND ".join([*conditions, "archived_at IS NULL"])


def _account_filters(template: str) -> dict[tuple[bool, bool], Sql]:
    """`template` with its `{where}` for each combination of a grade and a quadrant filter ($1, $2)."""
    return {
        (grades, quadrants): Sql(template.format(where=_where(grades, quadrants)))
        for grades in (False, True)
        for quadrants in (False, True)
    }


FILTERED_COUNT = _account_filters("SELECT count(*) FROM account WHERE {where}")
MATRIX_TOTALS = {
    key: sql
    for key, sql in _account_filters("""
        SELECT quadrant, assessed_currency, count(*), sum(assessed_value), sum(assessed_potential)
        FROM account WHERE {where} GROUP BY grade, quadrant, assessed_currency
    """).items()
    if not key[1]
}


def _params(first: int, count: int) -> list[str]:
    return [f"${first + i}" for i in range(count)]


def _pairs_page(where: str, grades: list[str], quadrants: list[str], limit: str) -> str:
    """`name, id` of one page (plus one row) of the accounts `where` selects, as kam reads it: one index
    range per pair of a grade (`grade = <one of grades>`) and a quadrant condition, merged."""
    branches = [
        f"SELECT name, id FROM account WHERE {where} AND grade = {g} AND {q} ORDER BY name, id LIMIT {limit}"
        for g in grades
        for q in quadrants
    ]
    if len(branches) == 1:
        return branches[0]
    merged = " UNION ALL ".join(f"SELECT name, id FROM ({b}) AS b{i}" for i, b in enumerate(branches))
    return f"SELECT name, id FROM ({merged}) AS m ORDER BY name, id LIMIT {limit}"


def _pair_values(grades: list[str], quadrants: list[str]) -> tuple[list[str], list[str]]:
    """The pairs' grades (all when none is asked for) and quadrants (all when none), each once."""
    return list(dict.fromkeys(grades or GRADES)), list(dict.fromkeys(quadrants or QUADRANTS))


FILTERED_PAGE_ALL = Sql(f"""
    SELECT id, name, grade, value_tier, quadrant, current_annual_value, currency, owner_id
    FROM account WHERE archived_at IS NULL ORDER BY name, id LIMIT {FILTERED_PAGE_SIZE + 1}
""")
_filtered_pages: dict[tuple[int, int], Sql] = {}


def filtered_page(grades: list[str], quadrants: list[str]) -> tuple[Sql, list[Any]]:
    """One page (plus one row) of the list filtered by grade and quadrant, and its arguments: the filter's
    lists, then the pairs' values. Spelled once per number of each."""
    filters: list[Any] = [f for f in (grades, quadrants) if f]
    if not filters:
        return FILTERED_PAGE_ALL, []
    pair_grades, pair_quadrants = _pair_values(grades, quadrants)
    key = (len(pair_grades) if grades else 0, len(pair_quadrants) if quadrants else 0)
    sql = _filtered_pages.get(key)
    if sql is None:
        where = _where(bool(grades), bool(quadrants))
        first = 1 + len(filters)
        limit = str(FILTERED_PAGE_SIZE + 1)
        conditions = [f"quadrant = {q}" for q in _params(first + len(pair_grades), len(pair_quadrants))]
        # Without a quadrant filter the unassessed accounts are listed too.
        conditions += [] if quadrants else ["quadrant IS NULL"]
        ids = _pairs_page(where, _params(first, len(pair_grades)), conditions, limit)
        sql = _filtered_pages[key] = Sql(f"""
            SELECT id, name, grade, value_tier, quadrant, current_annual_value, currency, owner_id
            FROM account WHERE {where} AND id IN (SELECT id FROM ({ids}) AS p) ORDER BY name, id LIMIT {limit}
        """)
    return sql, [*filters, *pair_grades, *pair_quadrants]


_quadrant_pages: dict[tuple[int, int], Sql] = {}


def quadrant_pages(grades: list[str], quadrants: list[str]) -> tuple[Sql, list[Any]]:
    """The first page of the accounts of each of `quadrants` among those of `grades`, in one statement, and
    its arguments: per quadrant, its ids merged from the grades' ranges."""
    pair_grades = list(dict.fromkeys(grades or GRADES))
    key = (len(pair_grades) if grades else 0, len(quadrants))
    sql = _quadrant_pages.get(key)
    if sql is None:
        first = 1 + bool(grades)
        limit = str(QUADRANT_PAGE_SIZE)
        cells = []
        for i, quadrant in enumerate(_params(first + len(pair_grades), len(quadrants))):
            where = f"{_where(bool(grades), False)} AND quadrant = {quadrant}"
            page = _pairs_page(where, _params(first, len(pair_grades)), [f"quadrant = {quadrant}"], limit)
            cells.append(f"SELECT id FROM ({page}) AS c{i}")
        sql = _quadrant_pages[key] = Sql(
            f"SELECT id, name, quadrant FROM account WHERE id IN ({' UNION ALL '.join(cells)}) ORDER BY name, id"
        )
    return sql, [*([grades] if grades else []), *pair_grades, *quadrants]


LATEST_ASSESSMENTS = Sql("""
    SELECT account_id, assessed_on, current_value, potential, currency FROM (
        SELECT account_id, assessed_on, current_value, potential, currency,
               row_number() OVER (PARTITION BY account_id ORDER BY assessed_on DESC, id DESC) AS rank
        FROM growth_assessment WHERE account_id = ANY($1)
    ) AS g WHERE rank = 1
""")


async def relationship_map(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    account_id = argument_id(variables.get("accountId"), "Account", "accountId")
    if not await conn.rows(ACCOUNT_EXISTS, account_id):
        return {"relationshipMap": None}
    people = await conn.rows(MAP_STAKEHOLDERS, account_id)
    ids = [p[0] for p in people]
    roles: dict[int, list[str]] = defaultdict(list)
    if ids:
        for stakeholder_id, role in await conn.rows(BUYING_ROLES_OF, ids):
            roles[stakeholder_id].append(role)
    links = await conn.rows(MAP_LINKS, account_id)
    coverage = await conn.rows(MAP_COVERAGE, account_id)
    member_ids = list(dict.fromkeys(c[1] for c in coverage))
    names = dict(await conn.rows(MEMBER_NAMES, member_ids)) if member_ids else {}

    sid = {i: global_id("Stakeholder", i) for i in ids}
    on_map = set(ids)
    covering: dict[int, list[tuple[int, str]]] = defaultdict(list)
    known: set[int] = set()
    for stakeholder_id, member_id, strength in coverage:
        covering[stakeholder_id].append((member_id, strength))
        if strength != "NONE":
            known.add(stakeholder_id)
    nodes, role_counts, uncovered, opponents = [], dict.fromkeys(BUYING_ROLES, 0), [], []
    total = weight = 0
    for person_id, name, title, attitude, influence, level, _ in people:
        held = sorted(roles.get(person_id, ()), key=ROLE_RANK.__getitem__)
        mine = covering.get(person_id, ())
        nodes.append(
            {
                "stakeholder": {"id": sid[person_id], "name": name, "title": title},
                "buyingRoles": held,
                "attitude": attitude,
                "influence": influence,
                "decisionLevel": level,
                "coveredByCount": len({m for m, s in mine if s != "NONE"}),
                "strongestCoverage": max((s for _, s in mine), key=COVERAGE_RANK.__getitem__, default=None),
            }
        )
        for role in held:
            role_counts[role] += 1
        if "DECISION_MAKER" in held and person_id not in known:
            uncovered.append({"id": sid[person_id], "name": name})
        if influence == "HIGH" and attitude in ("OPPONENT", "SKEPTIC"):
            opponents.append({"id": sid[person_id], "name": name})
        w = INFLUENCE_WEIGHT[influence]
        total += w * ATTITUDE_SCORE[attitude]
        weight += w
    edges = [
        {"kind": "REPORTS_TO", "source": {"id": sid[p[0]]}, "target": {"id": sid[p[6]]}, "strength": None}
        for p in people
        if p[6] in on_map
    ]
    edges += [
        {"kind": "INFLUENCES", "source": {"id": sid[source]}, "target": {"id": sid[target]}, "strength": strength}
        for source, target, strength in links
        if source in on_map and target in on_map
    ]
    covered = len(known & on_map)
    return {
        "relationshipMap": {
            "nodes": nodes,
            "edges": edges,
            "coverage": [
                {
                    "member": {"id": global_id("TeamMember", m), "name": names[m]},
                    "stakeholder": {"id": sid.get(s) or global_id("Stakeholder", s)},
                    "strength": strength,
                }
                for s, m, strength in coverage
            ],
            "summary": {
                "stakeholdersByRole": [{"role": r, "count": c} for r, c in role_counts.items()],
                "uncoveredDecisionMakers": uncovered,
                "influentialOpponents": opponents,
                "coveredStakeholderCount": covered,
                "singleThreaded": covered <= 1,
                "supportIndex": round(total / weight, 4) if weight else None,
            },
        }
    }


def decode_name_cursor(cursor: str) -> tuple[str, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, name, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if key != "name" or not isinstance(name, str) or not isinstance(row_id, int) or isinstance(row_id, bool):
            raise ValueError("not a cursor of the account list by name")
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise Refused(
            200, "`after` is not a valid cursor for this list and ordering.", "BAD_USER_INPUT", argument="after"
        ) from None
    return name, row_id


async def account_page(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    after = variables.get("after")
    if after is None:
        rows = await conn.rows(ACCOUNTS_FIRST)
    else:
        rows = await conn.rows(ACCOUNTS_AFTER, *decode_name_cursor(after))
    more = len(rows) > ACCOUNT_PAGE_SIZE
    rows = rows[:ACCOUNT_PAGE_SIZE]
    account_ids = [r[0] for r in rows]
    people: dict[int, list[dict[str, Any]]] = defaultdict(list)
    plans: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if account_ids:
        stakeholders = await conn.rows(STAKEHOLDER_PAGES, account_ids, STAKEHOLDER_PAGE_SIZE)
        person_ids = [s[0] for s in stakeholders]
        roles: dict[int, list[str]] = defaultdict(list)
        needs: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if person_ids:
            for stakeholder_id, role in await conn.rows(BUYING_ROLES_OF, person_ids):
                roles[stakeholder_id].append(role)
            for stakeholder_id, need_id, title, priority, status in await conn.rows(NEEDS_OF_STAKEHOLDERS, person_ids):
                needs[stakeholder_id].append(
                    {"id": global_id("Need", need_id), "title": title, "priority": priority, "status": status}
                )
        for person_id, account_id, name, title, attitude, influence in stakeholders:
            people[account_id].append(
                {
                    "id": global_id("Stakeholder", person_id),
                    "name": name,
                    "title": title,
                    "attitude": attitude,
                    "influence": influence,
                    "buyingRoles": sorted(roles.get(person_id, ()), key=ROLE_RANK.__getitem__),
                    "needs": needs.get(person_id, []),
                }
            )
        plan_rows = await conn.rows(PLAN_PAGES, account_ids, PLAN_PAGE_SIZE)
        actions: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if plan_rows:
            for action_id, plan_id, title, status, due_on in await conn.rows(
                ACTION_PAGES, [p[0] for p in plan_rows], ACTION_PAGE_SIZE
            ):
                actions[plan_id].append(
                    {
                        "id": global_id("Action", action_id),
                        "title": title,
                        "status": status,
                        "dueOn": None if due_on is None else db.day(due_on),
                    }
                )
        for plan_id, account_id, title, status, starts_on in plan_rows:
            plans[account_id].append(
                {
                    "id": global_id("ActionPlan", plan_id),
                    "title": title,
                    "status": status,
                    "startsOn": db.day(starts_on),
                    "actions": {"nodes": actions.get(plan_id, [])},
                }
            )
    return {
        "accounts": {
            "pageInfo": {"hasNextPage": more, "endCursor": name_cursor(rows[-1][1], rows[-1][0]) if rows else None},
            "nodes": [
                {
                    "id": global_id("Account", account_id),
                    "name": name,
                    "grade": grade,
                    "quadrant": quadrant,
                    "stakeholders": {"nodes": people.get(account_id, [])},
                    "plans": {"nodes": plans.get(account_id, [])},
                }
                for account_id, name, grade, quadrant in rows
            ],
        }
    }


async def growth_matrix(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    grades = enum_list(variables.get("grades"), GRADES, "grades")
    by_grade = (grades,) if grades else ()
    cells: dict[str, dict[str, Any]] = {q: {"count": 0, "current": {}, "potential": {}} for q in QUADRANTS}
    unassessed = 0
    # One row per grade, quadrant and currency: the grades are added up here.
    for quadrant, currency, count, current, potential in await conn.rows(MATRIX_TOTALS[bool(grades), False], *by_grade):
        if quadrant is None:
            unassessed += count
            continue
        cell = cells[quadrant]
        cell["count"] += count
        if currency is not None:
            for key, amount in (("current", current), ("potential", potential)):
                added = db.decimal(amount) if amount else Decimal(0)
                cell[key][currency] = cell[key].get(currency, Decimal(0)) + added
    pages: dict[str, list[tuple[int, str]]] = defaultdict(list)
    filled = [q for q in QUADRANTS if cells[q]["count"]]
    if filled:
        sql, args = quadrant_pages(grades, filled)
        for account_id, name, quadrant in await conn.rows(sql, *args):
            pages[quadrant].append((account_id, name))
    account_ids = [row[0] for rows in pages.values() for row in rows]
    latest = {}
    if account_ids:
        for account_id, assessed_on, current, potential, currency in await conn.rows(LATEST_ASSESSMENTS, account_ids):
            latest[account_id] = {
                "assessedOn": db.day(assessed_on),
                "currentValue": {"amount": db.money(current), "currency": currency},
                "potential": {"amount": db.money(potential), "currency": currency},
            }
    return {
        "growthMatrix": {
            "thresholds": {
                "currentValue": str(Decimal(setting("KAM_GROWTH_VALUE_THRESHOLD"))),
                "potential": str(Decimal(setting("KAM_GROWTH_POTENTIAL_THRESHOLD"))),
            },
            "unassessedCount": unassessed,
            "quadrants": [
                {
                    "quadrant": quadrant,
                    "accountCount": cell["count"],
                    "totalCurrentValue": [
                        {"amount": str(a), "currency": c} for c, a in sorted(cell["current"].items())
                    ],
                    "totalPotential": [
                        {"amount": str(a), "currency": c} for c, a in sorted(cell["potential"].items())
                    ],
                    "accounts": {
                        "nodes": [
                            {"id": global_id("Account", i), "name": name, "latestAssessment": latest.get(i)}
                            for i, name in pages.get(quadrant, ())
                        ]
                    },
                }
                for quadrant, cell in cells.items()
            ],
        }
    }


async def filtered_accounts(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    grades = enum_list(variables.get("grades"), GRADES, "grades")
    quadrants = enum_list(variables.get("quadrants"), QUADRANTS, "quadrants")
    key = (bool(grades), bool(quadrants))
    filters = [f for f in (grades, quadrants) if f]
    sql, args = filtered_page(grades, quadrants)
    rows = await conn.rows(sql, *args)
    total = (await conn.rows(FILTERED_COUNT[key], *filters))[0][0]
    more = len(rows) > FILTERED_PAGE_SIZE
    rows = rows[:FILTERED_PAGE_SIZE]
    owner_ids = list(dict.fromkeys(r[7] for r in rows if r[7] is not None))
    owners = dict(await conn.rows(MEMBER_NAMES, owner_ids)) if owner_ids else {}
    return {
        "accounts": {
            "totalCount": total,
            "pageInfo": {"hasNextPage": more, "endCursor": name_cursor(rows[-1][1], rows[-1][0]) if rows else None},
            "nodes": [
                {
                    "id": global_id("Account", account_id),
                    "name": name,
                    "grade": grade,
                    "valueTier": tier,
                    "quadrant": quadrant,
                    "currentAnnualValue": {"amount": db.money(value), "currency": currency},
                    "owner": None if owner is None else {"id": global_id("TeamMember", owner), "name": owners[owner]},
                }
                for account_id, name, grade, tier, quadrant, value, currency, owner in rows
            ],
        }
    }


# not_contacted: the list filtered by the last interaction's day, in its order (ix_account_last_interaction_day_id).
NOT_CONTACTED_COLUMNS = "id, name, owner_id, last_interaction_at, interactions_90d, last_interaction_day"
NOT_CONTACTED_FIRST = Sql(f"""
    SELECT {NOT_CONTACTED_COLUMNS} FROM account WHERE last_interaction_day < $1 AND archived_at IS NULL
    ORDER BY last_interaction_day, id LIMIT {NOT_CONTACTED_PAGE_SIZE + 1}
""")
NOT_CONTACTED_AFTER = Sql(f"""
    SELECT {NOT_CONTACTED_COLUMNS} FROM account
    WHERE last_interaction_day < $1 AND archived_at IS NULL AND (last_interaction_day, id) > ($2, $3)
    ORDER BY last_interaction_day, id LIMIT {NOT_CONTACTED_PAGE_SIZE + 1}
""")
# account_timeline: the account, then its newest interactions read backwards from
# ix_interaction_account_id_occurred_at, then who took part (ids, then names), as kam's loaders read them.
TIMELINE_ACCOUNT = Sql("SELECT id, name FROM account WHERE id = $1")
TIMELINE_PAGE = Sql(f"""
    SELECT id, occurred_at, kind, subject FROM interaction WHERE account_id = $1
    ORDER BY occurred_at DESC, id DESC LIMIT {TIMELINE_PAGE_SIZE + 1}
""")
INTERACTION_STAKEHOLDERS = Sql(
    "SELECT interaction_id, stakeholder_id FROM interaction_stakeholder WHERE interaction_id = ANY($1)"
)
INTERACTION_MEMBERS = Sql("SELECT interaction_id, member_id FROM interaction_member WHERE interaction_id = ANY($1)")
STAKEHOLDER_NAMES = Sql("SELECT id, name FROM stakeholder WHERE id = ANY($1)")


def _day_argument(value: Any, argument: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Refused(200, f"Variable `{argument}` is not a date.", "BAD_USER_INPUT") from None


def decode_cursor(value: str, key: str, decode: Callable[[Any], Any]) -> tuple[Any, int]:
    """The (sort value, id) of a cursor of a list ordered by `key`; `decode` checks and converts the value."""
    try:
        padded = value + "=" * (-len(value) % 4)
        name, sort_value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if name != key or type(row_id) is not int:
            raise ValueError("not a cursor of this list and ordering")
        return decode(sort_value), row_id
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise Refused(
            200, "`after` is not a valid cursor for this list and ordering.", "BAD_USER_INPUT", argument="after"
        ) from None


def _int_value(value: Any) -> int:
    if type(value) is not int:
        raise ValueError("not an integer")
    return value


def _day_value(value: Any) -> date:
    if type(value) is not str:
        raise ValueError("not a day")
    return date.fromisoformat(value)


def decode_day_cursor(value: str) -> tuple[int, int]:
    """The (last interaction's day, id) of a cursor of the account list by last interaction."""
    return decode_cursor(value, "lastInteraction", _int_value)


async def not_contacted(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    before = _day_argument(variables.get("before"), "before").toordinal()
    after = variables.get("after")
    if after is None:
        rows = await conn.rows(NOT_CONTACTED_FIRST, before)
    else:
        rows = await conn.rows(NOT_CONTACTED_AFTER, before, *decode_day_cursor(after))
    more = len(rows) > NOT_CONTACTED_PAGE_SIZE
    rows = rows[:NOT_CONTACTED_PAGE_SIZE]
    owner_ids = list(dict.fromkeys(r[2] for r in rows if r[2] is not None))
    owners = dict(await conn.rows(MEMBER_NAMES, owner_ids)) if owner_ids else {}
    return {
        "accounts": {
            "pageInfo": {
                "hasNextPage": more,
                "endCursor": cursor("lastInteraction", rows[-1][5], rows[-1][0]) if rows else None,
            },
            "nodes": [
                {
                    "id": global_id("Account", account_id),
                    "name": name,
                    "owner": None if owner is None else {"id": global_id("TeamMember", owner), "name": owners[owner]},
                    "interactionRecency": {"lastInteractionAt": iso(db.moment(last)), "last90Days": last_90},
                }
                for account_id, name, owner, last, last_90, _ in rows
            ],
        }
    }


# overdue_accounts: the judged accounts due a contact before a day, in the order of their due day. Per grade asked
# for, one range of ix_account_judged_grade_next_contact_day_id read in order (several merged); without grades,
# ix_account_next_contact_day_id. The page is read first, then joined with its owners, in one statement.
# The due day's lower bound (a day is kept: > 0) is checked on the rows read rather than bounding the range: with
# both bounds in the range, PostgreSQL's generic plan of the prepared statement estimates a range between a
# parameter and a value at a few rows, and reads and sorts every overdue account of the grade instead of the
# first ones in order.

OVERDUE_COLUMNS = "id, name, owner_id, judged_grade, next_contact_day"
_overdue_sql: dict[tuple[int, bool], Sql] = {}


def _merged(branches: list[str], columns: str, order: str, limit: str) -> str:
    """One page of the rows of `branches` (each a page, in `order`), merged in that order."""
    if len(branches) == 1:
        return branches[0]
    merged = " UNION ALL ".join(f"SELECT {columns} FROM ({b}) AS b{i}" for i, b in enumerate(branches))
    return f"SELECT {columns} FROM ({merged}) AS m ORDER BY {order} LIMIT {limit}"


def overdue_sql(grades: int, after: bool) -> Sql:
    """The page of overdue_accounts for a number of grades (0: any), after a cursor or not: the day before which
    the contact was due is $1, the cursor's day and id $2 and $3, the grades follow."""
    key = (grades, after)
    sql = _overdue_sql.get(key)
    if sql is None:
        order, limit = "next_contact_day, id", str(OVERDUE_PAGE_SIZE + 1)
        where = "next_contact_day < $1 AND (next_contact_day > 0) IS TRUE AND archived_at IS NULL"
        where += " AND (next_contact_day, id) > ($2, $3)" if after else ""
        first = 4 if after else 2
        conditions = [f"judged_grade = {p} AND " for p in _params(first, grades)] or [""]
        page = _merged(
            [f"SELECT {OVERDUE_COLUMNS} FROM account WHERE {c}{where} ORDER BY {order} LIMIT {limit}" for c in conditions],
            OVERDUE_COLUMNS,
            order,
            limit,
        )
        sql = _overdue_sql[key] = Sql(f"""
            SELECT p.id, p.name, p.owner_id, m.name, p.judged_grade, p.next_contact_day FROM ({page}) AS p
            LEFT JOIN team_member AS m ON m.id = p.owner_id ORDER BY p.next_contact_day, p.id
        """)
    return sql


async def overdue_accounts(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    grades = enum_list(variables.get("grades"), GRADES, "grades")
    on = _day_argument(variables.get("on"), "on").toordinal()
    after = variables.get("after")
    keyset = () if after is None else decode_cursor(after, "nextContactDue", _int_value)
    rows = await conn.rows(overdue_sql(len(grades), after is not None), on, *keyset, *grades)
    more = len(rows) > OVERDUE_PAGE_SIZE
    rows = rows[:OVERDUE_PAGE_SIZE]
    today = datetime.now(UTC).date()
    nodes = []
    for account_id, name, owner, owner_name, judged, day in rows:
        due = date.fromordinal(day)
        nodes.append(
            {
                "id": global_id("Account", account_id),
                "name": name,
                "owner": None if owner is None else {"id": global_id("TeamMember", owner), "name": owner_name},
                "judgment": None
                if judged is None
                else {"nextContactDue": due.isoformat(), "daysOverdue": max((today - due).days, 0)},
            }
        )
    return {
        "accounts": {
            "pageInfo": {
                "hasNextPage": more,
                "endCursor": cursor("nextContactDue", rows[-1][5], rows[-1][0]) if rows else None,
            },
            "nodes": nodes,
        }
    }


# moved_quadrant: the quadrant moves between some quadrants since a day, newest first. One range of
# ix_judgment_transition_kind_from_value_to_value_changed_on_id per pair of a `from` and a `to` (every quadrant
# when no `to` is given), of ..._kind_to_value_changed_on_id per `to` without a `from`, or ..._kind_changed_on_id,
# read backwards and merged; the page is read first, then joined with its accounts, in one statement.

MOVES_COLUMNS = "id, changed_on, from_value, to_value, account_id"
_moves_sql: dict[tuple[tuple[str, ...], bool], Sql] = {}


def moves_sql(branches: tuple[str, ...], after: bool) -> Sql:
    """The page of moved_quadrant over `branches` (each the conditions of one range on the values, with their own
    parameters): the day since which is $1, the cursor's day and id $2 and $3."""
    key = (branches, after)
    sql = _moves_sql.get(key)
    if sql is None:
        order, limit = "changed_on DESC, id DESC", str(MOVES_PAGE_SIZE + 1)
        where = "changed_on >= $1" + (" AND (changed_on, id) < ($2, $3)" if after else "")
        page = _merged(
            [
                f"SELECT {MOVES_COLUMNS} FROM judgment_transition WHERE kind = 'QUADRANT'{b} AND {where} "
                f"ORDER BY {order} LIMIT {limit}"
                for b in branches
            ],
            MOVES_COLUMNS,
            order,
            limit,
        )
        sql = _moves_sql[key] = Sql(f"""
            SELECT p.id, p.changed_on, p.from_value, p.to_value, a.id, a.name, a.quadrant FROM ({page}) AS p
            JOIN account AS a ON a.id = p.account_id ORDER BY p.changed_on DESC, p.id DESC
        """)
    return sql


def _quadrant_values(values: Any, argument: str) -> list[str]:
    """The distinct values of an in-list of quadrants, in the order given."""
    distinct = list(dict.fromkeys(values or ()))
    for value in distinct:
        if value not in QUADRANTS:
            raise Refused(
                200,
                f"`{argument}` holds {value!r}, which is not a value of QUADRANT ({', '.join(QUADRANTS)}).",
                "BAD_USER_INPUT",
                argument=argument,
            )
    return distinct


async def moved_quadrant(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    froms = _quadrant_values(variables.get("from"), "filter.from")
    tos = _quadrant_values(variables.get("to"), "filter.to")
    since = _day_argument(variables.get("since"), "since")
    after = variables.get("after")
    keyset = [] if after is None else list(decode_cursor(after, "changedOn", _day_value))
    if keyset:
        keyset[0] = db.bind_day(keyset[0])
    first = 4 if after is not None else 2
    if froms:
        values = [(f, t) for f in froms for t in tos or QUADRANTS]
        branches = tuple(
            f" AND from_value = ${first + 2 * n} AND to_value = ${first + 2 * n + 1}" for n in range(len(values))
        )
        args = [v for pair in values for v in pair]
    elif tos:
        branches = tuple(f" AND to_value = ${first + n}" for n in range(len(tos)))
        args = tos
    else:
        branches, args = ("",), []
    rows = await conn.rows(moves_sql(branches, after is not None), db.bind_day(since), *keyset, *args)
    more = len(rows) > MOVES_PAGE_SIZE
    rows = rows[:MOVES_PAGE_SIZE]
    day = db.day
    return {
        "judgmentTransitions": {
            "pageInfo": {
                "hasNextPage": more,
                "endCursor": cursor("changedOn", day(rows[-1][1]), rows[-1][0]) if rows else None,
            },
            "nodes": [
                {
                    "changedOn": day(changed_on),
                    "fromValue": was,
                    "toValue": now,
                    "account": {"id": global_id("Account", account_id), "name": name, "quadrant": quadrant},
                }
                for _, changed_on, was, now, account_id, name, quadrant in rows
            ],
        }
    }


async def account_timeline(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    account_id = argument_id(variables.get("id"), "Account", "id")
    found = await conn.rows(TIMELINE_ACCOUNT, account_id)
    if not found:
        return {"account": None}
    rows = await conn.rows(TIMELINE_PAGE, account_id)
    more = len(rows) > TIMELINE_PAGE_SIZE
    rows = rows[:TIMELINE_PAGE_SIZE]
    people: dict[int, list[int]] = defaultdict(list)
    ours: dict[int, list[int]] = defaultdict(list)
    names: dict[int, str] = {}
    member_names: dict[int, str] = {}
    if rows:
        interaction_ids = [r[0] for r in rows]
        for interaction_id, stakeholder_id in await conn.rows(INTERACTION_STAKEHOLDERS, interaction_ids):
            people[interaction_id].append(stakeholder_id)
        for interaction_id, member_id in await conn.rows(INTERACTION_MEMBERS, interaction_ids):
            ours[interaction_id].append(member_id)
        stakeholder_ids = list({i for ids in people.values() for i in ids})
        if stakeholder_ids:
            names = dict(await conn.rows(STAKEHOLDER_NAMES, stakeholder_ids))
        member_ids = list({i for ids in ours.values() for i in ids})
        if member_ids:
            member_names = dict(await conn.rows(MEMBER_NAMES, member_ids))
    nodes = []
    moment = db.moment
    for interaction_id, occurred_at, kind, subject in rows:
        nodes.append(
            {
                "id": global_id("Interaction", interaction_id),
                "occurredAt": moment(occurred_at).isoformat(),
                "kind": kind,
                "subject": subject,
                # In the order they were added to kam: by id.
                "stakeholders": [{"name": names[i]} for i in sorted(people.get(interaction_id, ())) if i in names],
                "members": [{"name": member_names[i]} for i in sorted(ours.get(interaction_id, ())) if i in member_names],
            }
        )
    end = None
    if rows:
        last_id, last_at = rows[-1][0], rows[-1][1]
        end = cursor("occurredAt", moment(last_at).isoformat(), last_id)
    return {
        "account": {
            "id": global_id("Account", found[0][0]),
            "name": found[0][1],
            "interactions": {"pageInfo": {"hasNextPage": more, "endCursor": end}, "nodes": nodes},
        }
    }


# The funnel: one GROUP BY path over the deals gives the deals, won, lost, the conversion per stage (from the
# stages each path reached), the paths and the days in stage (the days each deal keeps per stage, the stays its
# path tells: every entry of a stage but a last one the deal is still in); a second one gives
# the pipeline per stage, currency and probability. Without a grade filter the archived accounts are left out by
# an anti-join with the few of them rather than a join with every other account.

OPEN_STAGES = ("INITIAL_CONTACT", "NEEDS_ANALYSIS", "SOLUTION_DESIGN", "QUOTATION", "SIGNING")
STAGE_ORDER = (*OPEN_STAGES, "WON", "LOST")
STAGE_BIT = {stage: 1 << n for n, stage in enumerate(STAGE_ORDER)}
# Per open stage: the bits of the stages that count as progress from it (the later open ones and WON).
BEYOND = {
    stage: sum(STAGE_BIT[s] for s in (*OPEN_STAGES[n + 1 :], "WON")) for n, stage in enumerate(OPEN_STAGES)
}
MAX_PATHS = 20
PATH_SEPARATOR = ">"
_OPEN_LIST = ", ".join(f"'{s}'" for s in OPEN_STAGES)
_DAY_SUMS = ", ".join(f"sum(o.{s.lower()}_days)" for s in OPEN_STAGES)
_FUNNEL_SQL: dict[tuple[str, bool, bool], Sql] = {}


def _funnel_deals(grades: bool, owners: bool) -> str:
    if grades:
        where = "o.account_id IN (SELECT id FROM account WHERE archived_at IS NULL AND grade = ANY($1))"
    else:
        where = "NOT EXISTS (SELECT 1 FROM account AS a WHERE a.id = o.account_id AND a.archived_at IS NOT NULL)"
    if owners:
        where += f" AND o.owner_id = ANY(${2 if grades else 1})"
    return where


def _funnel_sql(kind: str, grades: bool, owners: bool) -> Sql:
    key = (kind, grades, owners)
    found = _FUNNEL_SQL.get(key)
    if found is None:
        deals = _funnel_deals(grades, owners)
        text = {
            "paths": f"SELECT o.path, count(*), {_DAY_SUMS} FROM opportunity AS o WHERE {deals} GROUP BY o.path",
            "pipeline": f"""
                SELECT o.stage, o.currency, o.probability, count(*), sum(o.amount) FROM opportunity AS o
                WHERE {deals} AND o.stage IN ({_OPEN_LIST}) GROUP BY o.stage, o.currency, o.probability""",
        }[kind]
        found = _FUNNEL_SQL[key] = Sql(text)
    return found


def _money_list(by_currency: dict[str, Decimal]) -> list[dict[str, str]]:
    return [{"amount": str(amount.quantize(CENT)), "currency": cur} for cur, amount in sorted(by_currency.items())]


async def funnel(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    given = variables.get("filter") or {}
    grades = enum_list(given.get("grades"), GRADES, "filter.grades")
    owners = list(dict.fromkeys(argument_id(v, "TeamMember", "filter.ownerIds") for v in given.get("ownerIds") or ()))
    args: list[Any] = [a for a in (grades, owners) if a]
    has_grades, has_owners = bool(grades), bool(owners)
    deals = won = lost = 0
    entered = dict.fromkeys(OPEN_STAGES, 0)
    progressed = dict.fromkeys(OPEN_STAGES, 0)
    stays = dict.fromkeys(OPEN_STAGES, 0)
    days = dict.fromkeys(OPEN_STAGES, 0)
    paths: dict[str, int] = {}
    counts = dict.fromkeys(OPEN_STAGES, 0)
    amounts: dict[str, dict[str, Decimal]] = {s: defaultdict(Decimal) for s in OPEN_STAGES}
    weighted: dict[str, dict[str, Decimal]] = {s: defaultdict(Decimal) for s in OPEN_STAGES}
    for path, n, *sums in await conn.rows(_funnel_sql("paths", has_grades, has_owners), *args):
        taken = path.split(PATH_SEPARATOR)
        reached = 0
        for s in taken:
            reached |= STAGE_BIT[s]
        deals += n
        won += n if taken[-1] == "WON" else 0
        lost += n if taken[-1] == "LOST" else 0
        for s, total in zip(OPEN_STAGES, sums):
            if reached & STAGE_BIT[s]:
                entered[s] += n
                if reached & BEYOND[s]:
                    progressed[s] += n
                stays[s] += n * taken[:-1].count(s)
                days[s] += int(total or 0)
        paths[path] = n
    for stage, currency, probability, n, total in await conn.rows(_funnel_sql("pipeline", has_grades, has_owners), *args):
        total = db.decimal(total) if total is not None else Decimal(0)
        counts[stage] += n
        amounts[stage][currency] += total
        weighted[stage][currency] += total * probability / 100
    top = sorted(paths.items(), key=lambda item: (-item[1], item[0]))[:MAX_PATHS]
    closed = won + lost
    return {
        "funnel": {
            "deals": deals,
            "won": won,
            "lost": lost,
            "winRate": won / closed if closed else None,
            "stages": [
                {
                    "stage": s,
                    "count": counts[s],
                    "amounts": _money_list(amounts[s]),
                    "weightedAmounts": _money_list(weighted[s]),
                }
                for s in OPEN_STAGES
            ],
            "conversion": [
                {
                    "stage": s,
                    "entered": entered[s],
                    "progressed": progressed[s],
                    "rate": progressed[s] / entered[s] if entered[s] else None,
                }
                for s in OPEN_STAGES
            ],
            "daysInStage": [
                {"stage": s, "stays": stays[s], "averageDays": round(days[s] / stays[s], 2) if stays[s] else None}
                for s in OPEN_STAGES
            ],
            "paths": [{"stages": path.split(PATH_SEPARATOR), "count": n} for path, n in top],
        }
    }


# One account's revenue per quarter: the account's summary, and the records of the range summed per quarter
# (on SQLite per month, as kam sums them, since its sums are floating point).

REVENUE_ACCOUNT = Sql("SELECT id, currency, annual_value_source, current_annual_value FROM account WHERE id = $1")
REVENUE_QUARTERS = Sql("""
    SELECT date_trunc('quarter', booked_on::timestamp)::date, sum(amount), count(*) FROM revenue_record
    WHERE account_id = $1 AND booked_on BETWEEN $2 AND $3 GROUP BY 1
""")
REVENUE_MONTHS = Sql("""
    SELECT CAST(strftime('%Y', booked_on) AS INTEGER), CAST(strftime('%m', booked_on) AS INTEGER), sum(amount), count(*)
    FROM revenue_record WHERE account_id = $1 AND booked_on BETWEEN $2 AND $3 GROUP BY 1, 2
""")


def _quarter_start(day: date) -> date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _quarter_end(start: date) -> date:
    months = start.year * 12 + start.month - 1 + 3
    return date(months // 12, months % 12 + 1, 1) - timedelta(days=1)


def _quarters(start: date, end: date) -> list[date]:
    first, last = _quarter_start(start), _quarter_start(end)
    if start > end:
        raise Refused(200, "`from` is after `to`.", "BAD_USER_INPUT", argument="from")
    found, months = [], first.year * 12 + first.month - 1
    while (day := date(months // 12, months % 12 + 1, 1)) <= last:
        found.append(day)
        months += 3
    return found


async def revenue_by_quarter(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    account_id = argument_id(variables.get("id"), "Account", "id")
    start = _day_argument(variables.get("from"), "from")
    end = _day_argument(variables.get("to"), "to")
    starts = _quarters(start, end)
    found = await conn.rows(REVENUE_ACCOUNT, account_id)
    if not found:
        return {"account": None}
    row_id, currency, source, current = found[0]
    totals: dict[date, list[Any]] = defaultdict(lambda: [Decimal(0), 0])
    if db.dialect == "postgresql":
        for quarter, amount, orders in await conn.rows(REVENUE_QUARTERS, account_id, start, end):
            totals[quarter] = [amount, orders]
    else:
        for year, month, amount, orders in await conn.rows(
            REVENUE_MONTHS, account_id, db.bind_day(start), db.bind_day(end)
        ):
            bucket = totals[_quarter_start(date(year, month, 1))]
            bucket[0] += db.decimal(amount)
            bucket[1] += orders
    ttm = db.money(current) if source == "TRAILING_TWELVE_MONTHS" else "0.00"
    return {
        "account": {
            "id": global_id("Account", row_id),
            "revenue": {
                "trailingTwelveMonths": {"amount": ttm, "currency": currency},
                "byPeriod": [
                    {
                        "start": s.isoformat(),
                        "end": _quarter_end(s).isoformat(),
                        "amount": {"amount": str(Decimal(totals[s][0]).quantize(CENT)) if s in totals else "0.00"},
                        "orders": int(totals[s][1]) if s in totals else 0,
                    }
                    for s in starts
                ],
            },
        }
    }


# The dashboards: kam's aggregates (`accountsAggregate`, `needsAggregate`, `actionsAggregate`) with `groups(by:,
# first: 1000)`. Each grouping is one GROUP BY in the order of its key (enums in their declared order, text as
# SQL orders it, owners by id, quarters in time order, NULL last), read up to kam's bound: `first` + 1 groups, and
# for money 8 rows (currencies) per group, past which the last group read may be cut and is left out. The totals
# are what the groups add up to when the grouping read every row and the sums are exact (PostgreSQL's numeric);
# otherwise (money on SQLite, whose sums are floating point; groups past the bound; needs, which count once per
# peak quarter in the groups) they are kam's own statement.

AGGREGATE_FIRST = 1000  # groups(first: 1000) in the dashboards' documents
MONEY_ROWS_PER_GROUP = 8  # kam's CURRENCIES_PER_GROUP
DASHBOARD_FILTER = {"regions": "region", "ownerIds": "owner_id"}  # what the dashboards' account filter takes
_dashboard_sql: dict[tuple[Any, ...], Sql] = {}


def _ranked(column: str, names: tuple[str, ...]) -> str:
    """`column`'s enum values ranked in their declared order, NULL last."""
    ranks = " ".join(f"WHEN '{name}' THEN {rank}" for rank, name in enumerate(names))
    return f"CASE {column} {ranks} END NULLS LAST"


def _cents(db: Database, value: Any) -> str:
    return str(db.decimal(value).quantize(CENT))


def _dashboard_accounts(given: Any, argument: str) -> tuple[tuple[str, ...], list[Any]]:
    """The columns of `account` a dashboard's account filter restricts (their lists in $1, $2) and the lists."""
    given = given or {}
    unknown = [k for k, v in given.items() if v is not None and k not in DASHBOARD_FILTER]
    if unknown:
        raise Refused(200, f"The baseline's `{argument}` takes regions and ownerIds only, not {unknown}.", "BAD_USER_INPUT")
    regions = list(dict.fromkeys(given.get("regions") or ()))
    owners = list(
        dict.fromkeys(argument_id(v, "TeamMember", "filter.ownerIds") for v in given.get("ownerIds") or ())
    )
    columns, args = [], []
    for column, values in (("region", regions), ("owner_id", owners)):
        if values:
            columns.append(column)
            args.append(values)
    return tuple(columns), args


def _accounts_where(columns: tuple[str, ...]) -> str:
    return " AND ".join(["a.archived_at IS NULL", *(f"a.{c} = ANY(${n})" for n, c in enumerate(columns, 1))])


def dashboard_sql(query: str, part: str, key: tuple[Any, ...], dialect: str = "postgresql") -> Sql:
    """A dashboard's statement: its groups (`part` "groups") or totals, for the filter's shape `key`."""
    cache_key = (query, part, key, dialect, AGGREGATE_FIRST)
    sql = _dashboard_sql.get(cache_key)
    if sql is not None:
        return sql
    if query == "accounts":
        (columns,) = key
        where = _accounts_where(columns)
        if part == "groups":
            text = f"""
                SELECT a.judged_grade, a.industry, a.currency, count(*), sum(a.current_annual_value) FROM account AS a
                WHERE {where} GROUP BY a.judged_grade, a.industry, a.currency
                ORDER BY {_ranked("a.judged_grade", GRADES)}, a.industry NULLS LAST, a.currency
                LIMIT {(AGGREGATE_FIRST + 1) * MONEY_ROWS_PER_GROUP}"""
        else:
            text = f"SELECT a.currency, count(*), sum(a.current_annual_value) FROM account AS a WHERE {where} GROUP BY a.currency"
    elif query == "needs":
        # Without an account filter, the needs of every account (archived ones too); with one, of the accounts it
        # selects (not archived ones).
        (columns,) = key
        accounts = "" if columns is None else f" JOIN account AS a ON a.id = n.account_id WHERE {_accounts_where(columns)}"
        if columns in (None, ("region",)):
            # All needs, or a region's: counted from the tally the database keeps (domain/need_tally.py).
            where = "" if columns is None else " WHERE t.region = ANY($1) AND NOT t.archived"
            if part == "groups":
                peaks = " UNION ALL ".join(
                    ["SELECT 0 AS bit, NULL AS quarter", *(f"SELECT {1 << n}, '{q}'" for n, q in enumerate(QUARTERS))]
                )
                text = f"""
                    SELECT t.category, p.quarter, sum(t.needs) FROM need_tally AS t
                    JOIN ({peaks}) AS p ON (t.peak_mask & p.bit) <> 0 OR (t.peak_mask = 0 AND p.bit = 0){where}
                    GROUP BY t.category, p.quarter HAVING sum(t.needs) <> 0
                    ORDER BY {_ranked("t.category", NEED_CATEGORIES)}, {_ranked("p.quarter", QUARTERS)}
                    LIMIT {AGGREGATE_FIRST + 1}"""
            else:
                text = f"SELECT coalesce(sum(t.needs), 0) FROM need_tally AS t{where}"
        elif part == "groups":
            text = f"""
                SELECT n.category, q.quarter, count(*) FROM need AS n LEFT JOIN need_peak_quarter AS q ON q.need_id = n.id
                {accounts} GROUP BY n.category, q.quarter
                ORDER BY {_ranked("n.category", NEED_CATEGORIES)}, {_ranked("q.quarter", QUARTERS)}
                LIMIT {AGGREGATE_FIRST + 1}"""
        else:
            text = f"SELECT count(*) FROM need AS n{accounts}"
    else:
        # The actions done (since $1); the quarter numbered from year 0 in UTC.
        (since,) = key
        where = "x.status = 'DONE'" + (" AND x.completed_at >= $1" if since else "")
        if dialect == "postgresql":
            year, month = (f"CAST(EXTRACT({p} FROM x.completed_at AT TIME ZONE 'UTC') AS INTEGER)" for p in ("year", "month"))
        else:
            year, month = (f"CAST(strftime('{p}', x.completed_at) AS INTEGER)" for p in ("%Y", "%m"))
        if part == "groups":
            # The owners' names joined in: one round trip, where kam reads them after.
            text = f"""
                SELECT x.owner_id, m.name, {year} * 4 + ({month} - 1) / 3, count(*)
                FROM action AS x LEFT JOIN team_member AS m ON m.id = x.owner_id
                WHERE {where} GROUP BY 1, 2, 3 ORDER BY 1 NULLS LAST, 3 NULLS LAST LIMIT {AGGREGATE_FIRST + 1}"""
        else:
            text = f"SELECT count(*) FROM action AS x WHERE {where}"
    sql = _dashboard_sql[cache_key] = Sql(text)
    return sql


def _money_of(db: Database, sums: dict[str, Any]) -> list[dict[str, str]]:
    return [{"amount": _cents(db, total), "currency": currency} for currency, total in sorted(sums.items())]


async def accounts_by_grade_industry(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    columns, args = _dashboard_accounts(variables.get("filter"), "filter")
    rows = await conn.rows(dashboard_sql("accounts", "groups", (columns,)), *args)
    groups: list[tuple[Any, Any, list[Any]]] = []  # (judged grade, industry, [count, sums per currency])
    for grade, industry, currency, n, total in rows:
        if not groups or groups[-1][0] != grade or groups[-1][1] != industry:
            groups.append((grade, industry, [0, {}]))
        measured = groups[-1][2]
        measured[0] += n
        if total is not None:
            measured[1][currency] = total
    more = len(groups) > AGGREGATE_FIRST
    complete = len(rows) < (AGGREGATE_FIRST + 1) * MONEY_ROWS_PER_GROUP
    if not complete:  # the last group read may be cut short
        groups.pop()
        more = True
    count, sums = 0, {}
    if complete and db.dialect == "postgresql":
        for _, _, currency, n, total in rows:
            count += n
            if total is not None:
                sums[currency] = sums.get(currency, Decimal(0)) + total
    else:
        for currency, n, total in await conn.rows(dashboard_sql("accounts", "totals", (columns,)), *args):
            count += n
            if total is not None:
                sums[currency] = total
    return {
        "accountsAggregate": {
            "count": count,
            "sum": {"currentAnnualValue": _money_of(db, sums)},
            "groups": {
                "hasMore": more,
                "nodes": [
                    {
                        "key": {"judgedGrade": grade, "industry": industry},
                        "count": n,
                        "sum": {"currentAnnualValue": _money_of(db, by_currency)},
                    }
                    for grade, industry, (n, by_currency) in groups[:AGGREGATE_FIRST]
                ],
            },
        }
    }


async def needs_by_category_quarter(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    given = variables.get("accounts")
    columns, args = (None, []) if given is None else _dashboard_accounts(given, "accounts")
    count = (await conn.rows(dashboard_sql("needs", "totals", (columns,)), *args))[0][0]
    rows = await conn.rows(dashboard_sql("needs", "groups", (columns,)), *args)
    return {
        "needsAggregate": {
            "count": count,
            "groups": {
                "hasMore": len(rows) > AGGREGATE_FIRST,
                "nodes": [
                    {"key": {"category": category, "peakQuarter": quarter}, "count": n}
                    for category, quarter, n in rows[:AGGREGATE_FIRST]
                ],
            },
        }
    }


def _quarter_of(number: int | None) -> dict[str, str] | None:
    """The quarter numbered `year * 4 + quarter - 1`: its label, first and last day."""
    if number is None:
        return None
    year, quarter = divmod(int(number), 4)
    start = date(year, quarter * 3 + 1, 1)
    return {"label": f"{year:04d}-Q{quarter + 1}", "start": start.isoformat(), "end": _quarter_end(start).isoformat()}


async def actions_done_by_owner_quarter(db: Database, conn: Connection, variables: dict[str, Any], _member: int) -> Any:
    given = variables.get("from")
    since = [] if given is None else [db.bind_moment(datetime.combine(_day_argument(given, "from"), time(), tzinfo=UTC))]
    key = (bool(since),)
    rows = await conn.rows(dashboard_sql("actions", "groups", key, db.dialect), *since)
    if len(rows) <= AGGREGATE_FIRST:  # every action was read
        count = sum(r[3] for r in rows)
    else:
        count = (await conn.rows(dashboard_sql("actions", "totals", key, db.dialect), *since))[0][0]
    return {
        "actionsAggregate": {
            "count": count,
            "groups": {
                "hasMore": len(rows) > AGGREGATE_FIRST,
                "nodes": [
                    {
                        "key": {
                            "owner": None if owner is None else {"id": global_id("TeamMember", owner), "name": name},
                            "completedQuarter": _quarter_of(quarter),
                        },
                        "count": n,
                    }
                    for owner, name, quarter, n in rows[:AGGREGATE_FIRST]
                ],
            },
        }
    }
