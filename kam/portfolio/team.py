"""Our own sales organisation for a portfolio: admins, regional managers, account managers and viewers.

The size follows the portfolio: one account manager for about forty
accounts, a manager for every eight account managers, a viewer (analyst) for
every ten. Each manager heads a region; the account managers under a manager
own that region's accounts.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from domain.team import MemberRole
from kam.portfolio.chance import Clock, pick
from kam.portfolio.names import member_name
from kam.portfolio.rows import VERSION, Batch, Ids
from kam.portfolio.words import (
    ACCOUNT_MANAGER_TITLES,
    ADMIN_TITLES,
    MANAGER_TITLE,
    REGIONS,
    VIEWER_TITLES,
)

ACCOUNTS_PER_ACCOUNT_MANAGER = 40
ACCOUNT_MANAGERS_PER_MANAGER = 8
ACCOUNT_MANAGERS_PER_VIEWER = 10
ACCOUNTS_PER_ADMIN = 50_000
# Share of the analysts who have left: they stay on record, no longer active.
INACTIVE_VIEWER_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class TeamSize:
    admins: int
    managers: int
    account_managers: int
    viewers: int

    @classmethod
    def for_accounts(cls, accounts: int) -> TeamSize:
        account_managers = max(1, math.ceil(accounts / ACCOUNTS_PER_ACCOUNT_MANAGER))
        return cls(
            admins=1 + accounts // ACCOUNTS_PER_ADMIN,
            managers=max(1, math.ceil(account_managers / ACCOUNT_MANAGERS_PER_MANAGER)),
            account_managers=account_managers,
            viewers=max(1, math.ceil(account_managers / ACCOUNT_MANAGERS_PER_VIEWER)),
        )

    @property
    def total(self) -> int:
        return self.admins + self.managers + self.account_managers + self.viewers


@dataclass(frozen=True, slots=True)
class AccountManager:
    id: int
    manager_id: int


@dataclass
class Team:
    admins: list[int] = field(default_factory=list)
    managers: list[int] = field(default_factory=list)
    viewers: list[int] = field(default_factory=list)
    # Account managers per region index; a region nobody heads has none.
    by_region: dict[int, list[AccountManager]] = field(default_factory=dict)

    @property
    def account_managers(self) -> list[AccountManager]:
        return [am for ams in self.by_region.values() for am in ams]

    def regions(self) -> list[int]:
        return sorted(self.by_region)

    def owner_for(self, rng: random.Random, region: int) -> AccountManager:
        """An account manager of the region, or of any region when nobody heads this one."""
        ams = self.by_region.get(region)
        if not ams:
            ams = self.by_region[pick(rng, self.regions())]
        return pick(rng, ams)

    def peer_of(self, rng: random.Random, region: int, owner: AccountManager) -> AccountManager | None:
        """Another account manager of the owner's team, to join the account as a specialist."""
        peers = [am for am in self.by_region.get(region, ()) if am.id != owner.id]
        return pick(rng, peers) if peers else None


def spread(count: int) -> list[int]:
    """Region indices for `count` managers in proportion to the regions' weights, interleaved.

    Smooth weighted round robin: every step, each region gains its weight, and
    the one with most is chosen and pays back the total.
    """
    total = sum(r.weight for r in REGIONS)
    credit = [0] * len(REGIONS)
    chosen = []
    for _ in range(count):
        credit = [c + r.weight for c, r in zip(credit, REGIONS, strict=True)]
        best = max(range(len(REGIONS)), key=lambda i: credit[i])
        credit[best] -= total
        chosen.append(best)
    return chosen


def generate_team(accounts: int, ids: Ids, rng: random.Random, clock: Clock) -> tuple[Team, Batch]:
    """The team for `accounts` accounts, as rows of `team_member`, managers before their reports."""
    size = TeamSize.for_accounts(accounts)
    team, batch = Team(), Batch()
    rows = batch.rows["team_member"]

    def add(role: MemberRole, title: str, manager_id: int | None) -> int:
        member_id = ids.take("team_member")
        name, email = member_name(member_id)
        created = clock.moment(rng, clock.today_ord - rng.randint(30, 2_500))
        updated = clock.between(rng, created) if rng.random() < 0.3 else created
        active = role is not MemberRole.VIEWER or rng.random() >= INACTIVE_VIEWER_SHARE
        rows.append((member_id, name, email, title, role.name, manager_id, active, created, updated, VERSION))
        return member_id

    for n in range(size.admins):
        team.admins.append(add(MemberRole.ADMIN, ADMIN_TITLES[n % len(ADMIN_TITLES)], None))
    regions = spread(size.managers)
    for n, region in enumerate(regions):
        title = MANAGER_TITLE.format(region=REGIONS[region].name)
        team.managers.append(add(MemberRole.MANAGER, title, team.admins[n % size.admins]))
    for n in range(size.account_managers):
        manager = n % size.managers
        member_id = add(MemberRole.ACCOUNT_MANAGER, pick(rng, ACCOUNT_MANAGER_TITLES), team.managers[manager])
        team.by_region.setdefault(regions[manager], []).append(AccountManager(member_id, team.managers[manager]))
    for _ in range(size.viewers):
        team.viewers.append(add(MemberRole.VIEWER, pick(rng, VIEWER_TITLES), team.admins[0]))
    return team, batch
