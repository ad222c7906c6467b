"""Where each fact on a map came from, how sure we are, and how much of a map is verified (README, "Facts")."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from domain.base import today
from domain import stakeholder_facts as model
from resolvers.mutation import Outcome
from resolvers.stakeholders import facts as reads
from resolvers.stakeholders.relationship_map import AccountMap
from schema.common import UserError, context, mutate, user_errors

MapFact = strawberry.enum(model.MapFact, description="A fact a relationship map holds about a person.")
FactSource = strawberry.enum(
    model.FactSource,
    description="Where a fact came from: THE_PERSON themselves, a MEETING, a COLLEAGUE at the account, OUR_TEAM's judgment, a PUBLIC source, or an ASSUMPTION.",
)
Confidence = strawberry.enum(model.Confidence, description="How sure we are of a fact.")
FactStanding = strawberry.enum(
    model.FactStanding,
    description=(
        f"VERIFIED: verified within {model.STALE_AFTER_DAYS} days and not merely assumed; STALE: last verified before"
        " that; UNVERIFIED: never verified, or assumed."
    ),
)


@strawberry.type(description="One fact about a stakeholder and where it came from; source and confidence are null until recorded.")
class StakeholderFact:
    fact: MapFact = strawberry.field(description="Which fact.")  # type: ignore[valid-type]
    row: strawberry.Private[Any]
    on: strawberry.Private[date]

    @strawberry.field(description="Where it came from.")
    def source(self) -> FactSource | None:  # type: ignore[valid-type]
        return None if self.row is None else self.row.source

    @strawberry.field(description="How sure we are.")
    def confidence(self) -> Confidence | None:  # type: ignore[valid-type]
        return None if self.row is None else self.row.confidence

    @strawberry.field(description="The day it was last verified.")
    def verified_on(self) -> date | None:
        return None if self.row is None else self.row.verified_on

    @strawberry.field(description="Who said so, or how we know.")
    def note(self) -> str | None:
        return None if self.row is None else self.row.note

    @strawberry.field(description="Whether it can be trusted today.")
    def standing(self) -> FactStanding:  # type: ignore[valid-type]
        row = self.row
        return model.standing(None if row is None else row.confidence, None if row is None else row.verified_on, self.on)


async def stakeholder_facts(root: Any, info: Info) -> list[StakeholderFact]:
    """`Stakeholder.facts`: every fact of the map about the person, in the enum's order."""
    found, on = await reads.facts_of(context(info), root.id), today()
    return [StakeholderFact(fact=fact, row=found.get(fact), on=on) for fact in model.MapFact]


@strawberry.type(description="How much of what a map says about its people is verified, stale or unverified: five facts per person.")
class MapFactCounts:
    verified: int = strawberry.field(description="Facts verified recently, not merely assumed.")
    stale: int = strawberry.field(description=f"Facts last verified more than {model.STALE_AFTER_DAYS} days ago.")
    unverified: int = strawberry.field(description="Facts never verified, or only assumed.")
    total: int = strawberry.field(description="Facts on the map: five per person.")
    stale_after_days: int = strawberry.field(description="Days after which a verified fact is stale.")


async def map_fact_counts(info: Info, account_map: AccountMap) -> MapFactCounts:
    counts = await reads.map_fact_counts(context(info), account_map, today())
    return MapFactCounts(
        verified=counts.verified, stale=counts.stale, unverified=counts.unverified, total=counts.total,
        stale_after_days=model.STALE_AFTER_DAYS,
    )


@strawberry.input(description="Where a fact about a stakeholder came from; replaces what was recorded for that fact.")
class StakeholderFactSetInput:
    stakeholder_id: strawberry.ID = strawberry.field(description="The stakeholder.")
    fact: MapFact = strawberry.field(description="Which fact.")  # type: ignore[valid-type]
    source: FactSource = strawberry.field(description="Where it came from.")  # type: ignore[valid-type]
    confidence: Confidence = strawberry.field(description="How sure we are.")  # type: ignore[valid-type]
    verified_on: date | None = strawberry.field(default=None, description="The day it was verified: not in the future; null: never.")
    note: str | None = strawberry.field(default=None, description="Who said so, or how we know; up to 2,000 characters.")


@strawberry.input(description="The fact whose provenance to forget.")
class StakeholderFactClearInput:
    stakeholder_id: strawberry.ID = strawberry.field(description="The stakeholder.")
    fact: MapFact = strawberry.field(description="Which fact.")  # type: ignore[valid-type]


@strawberry.type(description="Result of recording where a fact came from.")
class StakeholderFactPayload:
    fact: StakeholderFact | None = strawberry.field(description="The fact as it stands now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


def _payload(outcome: Outcome[Any], fact: model.MapFact) -> StakeholderFactPayload:
    fact_now = None if outcome.errors else StakeholderFact(fact=fact, row=outcome.result, on=today())
    return StakeholderFactPayload(fact=fact_now, user_errors=user_errors(outcome))


@strawberry.type
class StakeholderFactMutation:
    @strawberry.mutation(description="Record where a fact about a stakeholder came from, how sure we are and when it was verified.")
    async def stakeholder_fact_set(self, info: Info, input: StakeholderFactSetInput) -> StakeholderFactPayload:
        outcome = await mutate(
            info,
            lambda s: reads.set_fact(s, input.stakeholder_id, input.fact, input.source, input.confidence, input.verified_on, input.note),
        )
        return _payload(outcome, input.fact)

    @strawberry.mutation(description="Forget where a fact came from: it counts as unverified again.")
    async def stakeholder_fact_clear(self, info: Info, input: StakeholderFactClearInput) -> StakeholderFactPayload:
        outcome = await mutate(info, lambda s: reads.clear_fact(s, input.stakeholder_id, input.fact))
        return _payload(outcome, input.fact)
