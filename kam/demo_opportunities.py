"""The demo portfolio's deals: their amounts, stage moves, contacts and the needs they answer.

The story they tell: Nordwerk and Boreal won their big rollouts and have new deals moving; Lumen's
replenishment deal has been stuck in QUOTATION for almost three months; St. Aurelia's renewal skipped the
solution design and its app was lost for lack of budget; Transalpina and Meridian are early. Keys are those
of kam/demo.py's accounts (by name), people, members and needs; days are days before today.
"""

from __future__ import annotations

from typing import NamedTuple


class DealRow(NamedTuple):
    name: str
    amount: int
    owner: str
    opened: int  # days ago, in INITIAL_CONTACT
    moves: tuple[tuple[str, int, str | None], ...]  # (stage, days ago, lost reason or reopening reason)
    contacts: tuple[tuple[str, str], ...]  # (person, ContactRole); the first is the primary contact
    needs: tuple[str, ...]
    expected_close: int | None  # days from today (negative: past)


D = DealRow

DEALS: dict[str, tuple[DealRow, ...]] = {
    "Nordwerk Maschinenbau AG": (
        D("Predictive maintenance, phase 2", 850_000, "lukas", 200,
          (("NEEDS_ANALYSIS", 180, None), ("SOLUTION_DESIGN", 150, None), ("QUOTATION", 120, None), ("SIGNING", 40, None),
           ("WON", 25, None)),
          (("coo", "CHAMPION"), ("cfo", "ECONOMIC_BUYER"), ("proc", "INFLUENCER")), ("downtime", "capex"), -25),
        D("Sensors for lines 2 and 3", 120_000, "amira", 30, (("NEEDS_ANALYSIS", 20, None),),
          (("plant", "CHAMPION"), ("maint", "USER")), ("downtime",), 60),
    ),
    "Lumen Retail Group": (
        D("Replenishment screens, 40 stores", 380_000, "sofia", 150,
          (("NEEDS_ANALYSIS", 130, None), ("SOLUTION_DESIGN", 100, None), ("QUOTATION", 85, None)),
          (("cdo", "DECISION_MAKER"), ("stores", "USER"), ("buyer", "INFLUENCER")), ("stock",), -30),
    ),
    "St. Aurelia Health Network": (
        D("Ward scheduling renewal", 600_000, "sofia", 120, (("NEEDS_ANALYSIS", 100, None), ("QUOTATION", 70, None)),
          (("cfo", "ECONOMIC_BUYER"), ("purchasing", "INFLUENCER"), ("nursing", "USER")), ("renewal", "savings"), 45),
        D("Clinician mobile app", 90_000, "jonas", 110, (("LOST", 60, "No budget after the cost-savings programme"),),
          (("cmo", "DECISION_MAKER"),), ("clinician",), None),
    ),
    "Boreal Energy ASA": (
        D("Gearbox analytics, fleet-wide", 1_200_000, "jonas", 250,
          (("NEEDS_ANALYSIS", 230, None), ("SOLUTION_DESIGN", 200, None), ("QUOTATION", 170, None), ("SIGNING", 140, None),
           ("WON", 130, None)),
          (("cto", "DECISION_MAKER"), ("cfo", "ECONOMIC_BUYER"), ("wind", "CHAMPION")), ("gearbox",), -130),
        D("Hydro plant pilot", 200_000, "amira", 40, (("NEEDS_ANALYSIS", 30, None), ("SOLUTION_DESIGN", 10, None)),
          (("hydro", "CHAMPION"), ("data", "TECHNICAL_EVALUATOR")), ("hydro", "budget"), 90),
    ),
    "Transalpina Logistics S.p.A.": (
        D("Route optimisation rollout", 150_000, "lukas", 60, (("NEEDS_ANALYSIS", 45, None), ("SOLUTION_DESIGN", 20, None)),
          (("fleet", "CHAMPION"), ("md", "DECISION_MAKER"), ("finance", "ECONOMIC_BUYER")), ("routes", "payback"), 75),
    ),
    "Meridian Capital Bank plc": (
        D("Regulatory reporting proof of concept", 80_000, "amira", 25, (),
          (("governance", "CHAMPION"),), ("reporting",), 120),
    ),
}
