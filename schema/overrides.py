"""People's overrides of an account's judgments: set one (a grade, a value tier or a stage) with a reason and
an optional expiry, or clear it; the rules' value stays visible beside it in `Account.judgment.rules`."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from resolvers.judgments import overrides
from schema.account import AccountPayload, account_payload
from schema.common import mutate, provided
from schema.enums import Grade, LifecycleStage, OverrideKind, RelationshipStage, ValueTier


@strawberry.input(description="Override one judgment of an account: give exactly one of `grade`, `valueTier`, `lifecycleStage`, `relationshipStage`.")
class JudgmentOverrideSetInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    grade: Grade | None = strawberry.field(default=None, description="The grade to hold.")  # type: ignore[valid-type]
    value_tier: ValueTier | None = strawberry.field(default=None, description="The value tier to hold.")  # type: ignore[valid-type]
    lifecycle_stage: LifecycleStage | None = strawberry.field(default=None, description="The lifecycle stage to hold.")  # type: ignore[valid-type]
    relationship_stage: RelationshipStage | None = strawberry.field(default=None, description="The relationship stage to hold.")  # type: ignore[valid-type]
    reason: str = strawberry.field(description="Why the rules' value is not right for this account (at most 2,000 characters).")
    expires_on: date | None = strawberry.field(
        default=None, description="The day the override ends by itself (after today); null: until cleared."
    )


@strawberry.input(description="End a person's override now.")
class JudgmentOverrideClearInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    kind: OverrideKind = strawberry.field(description="Which override.")  # type: ignore[valid-type]
    reason: str = strawberry.field(description="Why it ends (at most 2,000 characters).")


@strawberry.type
class JudgmentOverrideMutation:
    @strawberry.mutation(
        description=(
            "Override a judgment of an account (replacing any override of the same kind): the value is in force until"
            " `expiresOn` or until cleared, and the change is a dated transition with your reason."
        )
    )
    async def judgment_override_set(self, info: Info, input: JudgmentOverrideSetInput) -> AccountPayload:
        data = provided(input)
        return account_payload(await mutate(info, lambda s: overrides.set_override(s, data)))

    @strawberry.mutation(description="Clear an override in force: the rules' value is in force again, a dated transition with your reason.")
    async def judgment_override_clear(self, info: Info, input: JudgmentOverrideClearInput) -> AccountPayload:
        data = provided(input)
        return account_payload(await mutate(info, lambda s: overrides.clear_override(s, data)))
