"""The write mix: create a need, update an action, record a growth assessment; each in one transaction
with the rows kam writes for it, its audit events included."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bench.baseline.store import Connection, Database, Sql
from bench.baseline.values import (
    ACTION_STATUSES,
    CENT,
    NEED_CATEGORIES,
    NEED_STATUSES,
    NEED_VISIBILITIES,
    PRIORITIES,
    QUARTERS,
    Conflict,
    Refused,
    UserErrors,
    choice,
    global_id,
    input_id,
    iso,
    money_input,
    optional_text,
    required_text,
    setting,
    utcnow,
)

CONFLICT = {"field": "version", "message": "Someone else changed this object first; read it again.", "code": "CONFLICT"}

WRITABLE_ACCOUNT = Sql("SELECT archived_at FROM account WHERE id = $1")
STAKEHOLDER_ACCOUNT = Sql("SELECT account_id FROM stakeholder WHERE id = $1")
INSERT_NEED = Sql("""
    INSERT INTO need (account_id, stakeholder_id, title, description, pain_points, category, visibility, priority,
                      status, created_at, updated_at, version, peak_mask)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12) RETURNING id
""")
INSERT_PEAK_QUARTERS = {
    n: Sql(
        "INSERT INTO need_peak_quarter (need_id, quarter) VALUES "
        + ", ".join(f"(${2 * i + 1}, ${2 * i + 2})" for i in range(n))
    )
    for n in range(1, len(QUARTERS) + 1)
}
ACTION_FOR_UPDATE = Sql("""
    SELECT a.title, a.status, a.completed_at, a.version, p.account_id, c.archived_at
    FROM action AS a JOIN action_plan AS p ON p.id = a.plan_id JOIN account AS c ON c.id = p.account_id
    WHERE a.id = $1
""")
ACCOUNT_FOR_ASSESSMENT = Sql("""
    SELECT archived_at, current_annual_value, estimated_wallet, currency, quadrant, version FROM account WHERE id = $1
""")
INSERT_ASSESSMENT = Sql("""
    INSERT INTO growth_assessment (account_id, assessed_on, current_value, potential, currency, quadrant,
                                   assessed_by_id, note, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8) RETURNING id
""")
# The account's row is locked before its latest assessment is read (SQLite has one writer at a time anyway).
LOCK_ACCOUNT = {
    "postgresql": Sql("SELECT id FROM account WHERE id = $1 FOR NO KEY UPDATE"),
    "sqlite": Sql("SELECT id FROM account WHERE id = $1"),
}
LATEST_ASSESSMENT = Sql("""
    SELECT quadrant, current_value, potential, currency FROM growth_assessment WHERE account_id = $1
    ORDER BY assessed_on DESC, id DESC LIMIT 1
""")
UPDATE_ACCOUNT_ASSESSED = Sql("""
    UPDATE account SET assessed_value = $1, assessed_potential = $2, assessed_currency = $3 WHERE id = $4
""")
UPDATE_ACCOUNT_QUADRANT = Sql("""
    UPDATE account SET quadrant = $1, updated_at = $2, version = $3 WHERE id = $4 AND version = $5 RETURNING id
""")
AUDIT_COLUMNS = "(occurred_at, actor_id, operation, entity_type, entity_id, account_id, change, before, after)"
INSERT_AUDIT = {
    n: Sql(
        f"INSERT INTO audit_event {AUDIT_COLUMNS} VALUES "
        + ", ".join("(" + ", ".join(f"${9 * i + j}" for j in range(1, 10)) + ")" for i in range(n))
    )
    for n in (1, 2)
}
ACTION_COLUMNS = {"title": "title", "status": "status", "completedAt": "completed_at"}
_action_updates: dict[tuple[str, ...], Sql] = {}


def update_action_sql(columns: tuple[str, ...]) -> Sql:
    """UPDATE of the changed columns (in the table's order), bumping the version it checks."""
    sql = _action_updates.get(columns)
    if sql is None:
        sets = [f"{column} = ${i}" for i, column in enumerate(columns, 1)]
        n = len(columns)
        sets += [f"updated_at = ${n + 1}", f"version = ${n + 2}"]
        sql = _action_updates[columns] = Sql(
            f"UPDATE action SET {', '.join(sets)} WHERE id = ${n + 3} AND version = ${n + 4} RETURNING id"
        )
    return sql


def audit_rows(
    db: Database, now: datetime, member_id: int, operation: str, events: list[tuple[str, int, int, str, Any, Any]]
) -> list[Any]:
    """Parameters of one INSERT of `events` (entity type, entity id, account id, change, before, after)."""
    args: list[Any] = []
    occurred_at = db.bind_moment(now)
    for entity_type, entity_id, account_id, change, before, after in events:
        args += [
            occurred_at,
            member_id,
            operation,
            entity_type,
            entity_id,
            account_id,
            change,
            None if before is None else json.dumps(before),
            None if after is None else json.dumps(after),
        ]
    return args


async def writable_account(conn: Connection, account_id: int, field: str, sql: Sql = WRITABLE_ACCOUNT) -> Sequence[Any]:
    found = await conn.rows(sql, account_id)
    if not found:
        raise UserErrors(field, f"No Account has this `{field}`.", "NOT_FOUND")
    if found[0][0] is not None:
        raise UserErrors(field, "The account is archived; restore it before changing it.", "ARCHIVED")
    return found[0]


async def need_create(db: Database, conn: Connection, data: dict[str, Any], member_id: int) -> dict[str, Any]:
    account_id = input_id(data.get("accountId"), "Account", "accountId")
    title = required_text(data.get("title"), "title", 300)
    description = optional_text(data.get("description"), "description", 5000)
    pain_points = optional_text(data.get("painPoints"), "painPoints", 5000)
    category = choice(data.get("category"), NEED_CATEGORIES, "category")
    visibility = choice(data.get("visibility", "EXPLICIT"), NEED_VISIBILITIES, "visibility")
    priority = choice(data.get("priority", "MEDIUM"), PRIORITIES, "priority")
    status = choice(data.get("status", "IDENTIFIED"), NEED_STATUSES, "status")
    wanted = [choice(q, QUARTERS, "peakQuarters") for q in data.get("peakQuarters") or ()]
    quarters = list(dict.fromkeys(wanted))
    async with conn.writing():
        await writable_account(conn, account_id, "accountId")
        stakeholder_id = None
        if data.get("stakeholderId") is not None:
            stakeholder_id = input_id(data["stakeholderId"], "Stakeholder", "stakeholderId")
            holder = await conn.rows(STAKEHOLDER_ACCOUNT, stakeholder_id)
            if not holder:
                raise UserErrors("stakeholderId", "No Stakeholder has this `stakeholderId`.", "NOT_FOUND")
            if holder[0][0] != account_id:
                raise UserErrors("stakeholderId", "The stakeholder belongs to another account.", "CROSS_ACCOUNT")
        now = utcnow()
        stamp = db.bind_moment(now)
        ((need_id,),) = await conn.rows(
            INSERT_NEED,
            account_id,
            stakeholder_id,
            title,
            description,
            pain_points,
            category,
            visibility,
            priority,
            status,
            stamp,
            stamp,
            sum(1 << QUARTERS.index(q) for q in quarters),  # the quarters as bits, Q1 the lowest
        )
        if quarters:
            await conn.rows(INSERT_PEAK_QUARTERS[len(quarters)], *(v for q in quarters for v in (need_id, q)))
        sorted_quarters = [q for q in QUARTERS if q in quarters]
        holder_id = None if stakeholder_id is None else global_id("Stakeholder", stakeholder_id)
        after = {
            "id": global_id("Need", need_id),
            "accountId": global_id("Account", account_id),
            "stakeholderId": holder_id,
            "title": title,
            "description": description,
            "painPoints": pain_points,
            "category": category,
            "visibility": visibility,
            "priority": priority,
            "status": status,
            "createdAt": now.isoformat(),
            "updatedAt": now.isoformat(),
            "version": 1,
            "peakQuarters": sorted_quarters,
        }
        event = ("Need", need_id, account_id, "CREATE", None, after)
        await conn.rows(INSERT_AUDIT[1], *audit_rows(db, now, member_id, "needCreate", [event]))
    return {
        "need": {
            "id": after["id"],
            "title": title,
            "category": category,
            "priority": priority,
            "status": status,
            "peakQuarters": sorted_quarters,
            "stakeholder": None if holder_id is None else {"id": holder_id},
            "version": 1,
        },
        "userErrors": [],
    }


async def action_update(db: Database, conn: Connection, data: dict[str, Any], member_id: int) -> dict[str, Any]:
    unsupported = set(data) - {"id", "version", "title", "status"}
    if unsupported:
        raise Refused(
            400,
            f"The baseline's actionUpdate takes id, version, title and status; not {sorted(unsupported)}.",
            "BAD_REQUEST",
        )
    action_id = input_id(data.get("id"), "Action", "id")
    async with conn.writing():
        found = await conn.rows(ACTION_FOR_UPDATE, action_id)
        if not found:
            raise UserErrors("id", "No Action has this `id`.", "NOT_FOUND")
        title, status, completed_raw, version, account_id, archived_at = found[0]
        if archived_at is not None:
            raise UserErrors("id", "The account is archived; restore it before changing it.", "ARCHIVED")
        sent_version = data.get("version")
        if sent_version is not None and sent_version != version:
            raise UserErrors(
                "version",
                f"This object changed since you read it (you sent version {sent_version}, it is at {version}).",
                "CONFLICT",
            )
        completed_at = db.moment(completed_raw)
        now = utcnow()
        new = {"title": title, "status": status, "completedAt": completed_at}
        if "title" in data:
            new["title"] = required_text(data["title"], "title", 300)
        if "status" in data:
            wanted = data["status"]
            if wanted is None:
                raise UserErrors("status", "`status` cannot be null.", "REQUIRED")
            wanted = choice(wanted, ACTION_STATUSES, "status")
            if wanted != status:
                if wanted == "DONE":
                    new["completedAt"] = now
                else:
                    new["completedAt"] = None
                new["status"] = wanted
        old = {"title": title, "status": status, "completedAt": completed_at}
        changed = tuple(k for k in ACTION_COLUMNS if new[k] != old[k])
        if changed:
            values = [db.bind_moment(new[k]) if k == "completedAt" else new[k] for k in changed]
            columns = tuple(ACTION_COLUMNS[k] for k in changed)
            updated = await conn.rows(
                update_action_sql(columns), *values, db.bind_moment(now), version + 1, action_id, version
            )
            if not updated:
                raise Conflict
            before = {k: iso(old[k]) if k == "completedAt" else old[k] for k in changed}
            after = {k: iso(new[k]) if k == "completedAt" else new[k] for k in changed}
            before["version"], after["version"] = version, version + 1
            version += 1
            event = ("Action", action_id, account_id, "UPDATE", before, after)
            await conn.rows(INSERT_AUDIT[1], *audit_rows(db, now, member_id, "actionUpdate", [event]))
    return {
        "action": {
            "id": global_id("Action", action_id),
            "title": new["title"],
            "status": new["status"],
            "completedAt": iso(new["completedAt"]),
            "version": version,
        },
        "userErrors": [],
    }


def classify_quadrant(current: Decimal, potential: Decimal) -> str:
    high_value = current >= Decimal(setting("KAM_GROWTH_VALUE_THRESHOLD"))
    if potential >= Decimal(setting("KAM_GROWTH_POTENTIAL_THRESHOLD")):
        return "STRATEGIC" if high_value else "DEVELOP"
    return "MAINTAIN" if high_value else "MONITOR"


async def assessment_record(db: Database, conn: Connection, data: dict[str, Any], member_id: int) -> dict[str, Any]:
    if data.get("assessedById") is not None:
        raise Refused(400, "The baseline's growthAssessmentRecord takes no assessedById.", "BAD_REQUEST")
    account_id = input_id(data.get("accountId"), "Account", "accountId")
    async with conn.writing():
        _, annual, wallet, currency, quadrant_now, version = await writable_account(
            conn, account_id, "accountId", ACCOUNT_FOR_ASSESSMENT
        )
        now = utcnow()
        today = now.date()
        assessed_on = today if data.get("assessedOn") is None else date.fromisoformat(data["assessedOn"])
        if assessed_on > today:
            raise UserErrors(
                "assessedOn",
                f"An assessment cannot be dated after today ({today}); got {assessed_on}.",
                "OUT_OF_RANGE",
            )
        current = (
            db.decimal(annual)
            if data.get("currentValue") is None
            else money_input(data["currentValue"], "currentValue")
        )
        if data.get("potential") is None:
            potential = max(db.decimal(wallet) - current, Decimal(0))
        else:
            potential = money_input(data["potential"], "potential")
        current, potential = current.quantize(CENT), potential.quantize(CENT)
        quadrant = classify_quadrant(current, potential)
        note = optional_text(data.get("note"), "note", 5000)
        ((assessment_id,),) = await conn.rows(
            INSERT_ASSESSMENT,
            account_id,
            db.bind_day(assessed_on),
            db.bind_money(current),
            db.bind_money(potential),
            currency,
            quadrant,
            note,
            db.bind_moment(now),
        )
        await conn.rows(LOCK_ACCOUNT[db.dialect], account_id)
        ((latest, latest_value, latest_potential, latest_currency),) = await conn.rows(LATEST_ASSESSMENT, account_id)
        await conn.rows(
            UPDATE_ACCOUNT_ASSESSED,
            db.bind_money(db.decimal(latest_value)),
            db.bind_money(db.decimal(latest_potential)),
            latest_currency,
            account_id,
        )
        events = [
            (
                "GrowthAssessment",
                assessment_id,
                account_id,
                "CREATE",
                None,
                {
                    "id": global_id("GrowthAssessment", assessment_id),
                    "accountId": global_id("Account", account_id),
                    "assessedOn": assessed_on.isoformat(),
                    "currentValue": str(current),
                    "potential": str(potential),
                    "currency": currency,
                    "quadrant": quadrant,
                    "assessedById": None,
                    "note": note,
                    "createdAt": now.isoformat(),
                },
            )
        ]
        if latest != quadrant_now:
            if not await conn.rows(
                UPDATE_ACCOUNT_QUADRANT, latest, db.bind_moment(now), version + 1, account_id, version
            ):
                raise Conflict
            events.append(
                (
                    "Account",
                    account_id,
                    account_id,
                    "UPDATE",
                    {"quadrant": quadrant_now, "version": version},
                    {"quadrant": latest, "version": version + 1},
                )
            )
        await conn.rows(INSERT_AUDIT[len(events)], *audit_rows(db, now, member_id, "growthAssessmentRecord", events))
    return {
        "growthAssessment": {
            "id": global_id("GrowthAssessment", assessment_id),
            "assessedOn": assessed_on.isoformat(),
            "quadrant": quadrant,
            "currentValue": {"amount": str(current), "currency": currency},
            "potential": {"amount": str(potential), "currency": currency},
        },
        "userErrors": [],
    }


Write = Callable[[Database, Connection, dict[str, Any], int], Awaitable[dict[str, Any]]]
WRITES: dict[str, tuple[str, str, Write]] = {
    # operationName: (the payload's field, the changed object's field, handler)
    "NeedCreate": ("needCreate", "need", need_create),
    "ActionUpdate": ("actionUpdate", "action", action_update),
    "AssessmentRecord": ("growthAssessmentRecord", "growthAssessment", assessment_record),
}


async def writes(db: Database, conn: Connection, variables: dict[str, Any], member_id: int, operation: str) -> Any:
    """The write mix: one of the three mutations, as the request's operationName says."""
    if operation not in WRITES:
        raise Refused(400, f"Unknown operation {operation!r}; the write mix has {sorted(WRITES)}.", "BAD_REQUEST")
    field, object_field, handler = WRITES[operation]
    data = variables.get("input") or {}
    try:
        payload = await handler(db, conn, data, member_id)
    except UserErrors as exc:
        payload = {object_field: None, "userErrors": exc.errors}
    except Conflict:
        payload = {object_field: None, "userErrors": [CONFLICT]}
    return {field: payload}
