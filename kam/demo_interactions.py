"""The demo portfolio's interactions: who talked to whom, when, and what came of it.

The story they tell: Nordwerk and Boreal are worked weekly, though Boreal's weekly check-in has slipped
for ten days, past an A account's cadence; Lumen regularly; nobody has called St. Aurelia, a key account
already at risk, for more than two months; Transalpina and Meridian are early conversations. Keys are those of kam/demo.py's accounts (by name), people, members and needs.
"""

from __future__ import annotations

from typing import NamedTuple


class InteractionRow(NamedTuple):
    days_ago: int
    hour: int  # UTC
    kind: str
    direction: str
    minutes: int | None
    subject: str
    people: str  # space-separated stakeholder keys
    members: str  # space-separated member keys
    need: str | None
    outcome: str | None
    next_step: str | None


R = InteractionRow

INTERACTIONS: dict[str, tuple[InteractionRow, ...]] = {
    "Nordwerk Maschinenbau AG": (
        R(2, 9, "MEETING", "MUTUAL", 60, "Weekly rollout stand-up", "coo plant", "lukas amira", "downtime",
          "Press line 4 ran 21 days without an unplanned stop.", "Share the uptime report with the CFO."),
        R(6, 14, "CALL", "OUTBOUND", 25, "Capex round preparation", "cfo", "lukas", "capex",
          "CFO wants the business case in the October template.", "Send the filled template by Friday."),
        R(9, 10, "VISIT", "OUTBOUND", 180, "Plant walk in Chemnitz", "plant maint quality", "amira", "downtime",
          "Sensors on lines 2 and 3 agreed.", "Quote the sensor kits."),
        R(16, 8, "MEETING", "MUTUAL", 60, "Weekly rollout stand-up", "coo plant", "lukas amira", "downtime", None, None),
        R(23, 15, "EMAIL", "INBOUND", None, "Second-supplier questionnaire", "proc", "lukas", "sourcing",
          "Procurement sent its dual-sourcing questionnaire.", "Answer with the continuity plan."),
        R(37, 11, "MEETING", "MUTUAL", 90, "Quarterly business review", "ceo coo cfo", "lukas marco", None,
          "CEO asked for a reference-plant story for the spring fair.", "Draft the reference story with Tobias."),
        R(120, 9, "EVENT", "OUTBOUND", 240, "Customer salon: smart maintenance", "plant it", "amira marco", "reference",
          None, None),
    ),
    "Lumen Retail Group": (
        R(5, 13, "CALL", "OUTBOUND", 30, "Peak-season readiness check", "cdo ecom", "sofia", "peak",
          "Black-week load test passed.", "Book the post-peak review."),
        R(19, 10, "MEETING", "MUTUAL", 60, "Store operations steering", "stores", "sofia", "stock", None,
          "Pilot the replenishment screen in five stores."),
        R(44, 16, "EMAIL", "INBOUND", None, "ESG reporting request", "cfo", "sofia", "esg",
          "CFO needs supplier emission figures for the annual report.", "Send the emission data sheet."),
        R(75, 9, "VISIT", "OUTBOUND", 120, "Head-office visit", "ceo cdo", "sofia marco", None, None, None),
    ),
    "St. Aurelia Health Network": (
        R(68, 10, "CALL", "INBOUND", 20, "Complaint about the ward-scheduling release", "nursing", "jonas", "clinician",
          "Night-shift planners lost a day of work to the release.", "Call back with a fix date."),
        R(95, 14, "MEETING", "MUTUAL", 60, "Renewal kick-off", "cfo purchasing", "sofia", "renewal",
          "Purchasing will run a tender unless savings are shown.", "Prepare the savings case."),
        R(160, 11, "VISIT", "OUTBOUND", 120, "Annual review", "ceo cmo", "sofia marco", "savings", None, None),
    ),
    "Boreal Energy ASA": (
        R(10, 12, "CALL", "OUTBOUND", 30, "Gearbox analytics: weekly check-in", "wind data", "jonas", "gearbox",
          "Two early warnings confirmed by inspection.", "Present the saved repair cost to the CTO."),
        R(13, 9, "MEETING", "MUTUAL", 90, "NIS2 readiness workshop", "security data", "amira", "nis2",
          "Gap list agreed.", "Deliver the control mapping."),
        R(17, 13, "CALL", "OUTBOUND", 30, "Gearbox analytics: weekly check-in", "wind", "jonas", "gearbox", None, None),
        R(24, 13, "CALL", "OUTBOUND", 30, "Gearbox analytics: weekly check-in", "wind engineer", "jonas", "gearbox",
          "First storm-season alarm handled by the crew on the day.", None),
        R(29, 10, "MEETING", "MUTUAL", 60, "Budget 2027 alignment", "cfo cto", "jonas ingrid", "budget",
          "Budget holds if the hydro pilot shows results.", "Scope the hydro pilot."),
        R(31, 13, "CALL", "OUTBOUND", 30, "Gearbox analytics: weekly check-in", "wind", "jonas", "gearbox", None, None),
        R(38, 13, "CALL", "OUTBOUND", 30, "Gearbox analytics: weekly check-in", "wind data", "jonas", "gearbox", None, None),
        R(45, 13, "CALL", "OUTBOUND", 30, "Gearbox analytics: weekly check-in", "wind", "jonas", "gearbox", None, None),
        R(50, 8, "VISIT", "OUTBOUND", 300, "Hydro plant visit", "hydro engineer", "amira", "hydro", None, None),
        R(52, 13, "CALL", "OUTBOUND", 30, "Gearbox analytics: weekly check-in", "wind", "jonas", "gearbox", None, None),
        R(59, 13, "CALL", "OUTBOUND", 30, "Gearbox analytics: weekly check-in", "wind engineer", "jonas", "gearbox", None, None),
        R(66, 9, "MEETING", "MUTUAL", 60, "Rollout review: parks seven to ten", "cto wind", "jonas amira", "gearbox",
          "Four more parks agreed for the autumn.", "Plan the rollout schedule with wind operations."),
    ),
    "Transalpina Logistics S.p.A.": (
        R(12, 15, "CALL", "OUTBOUND", 40, "Route-optimisation pilot results", "fleet", "lukas", "routes",
          "7% fewer empty kilometres in the pilot region.", "Present the payback to Finance."),
        R(40, 10, "MEETING", "MUTUAL", 60, "Discovery workshop", "fleet warehouse it", "lukas sofia", "routes", None, None),
    ),
    "Meridian Capital Bank plc": (
        R(26, 16, "MESSAGE", "INBOUND", None, "Question about data lineage", "governance", "amira", "lineage",
          "Governance lead asked for a lineage demo.", "Schedule the demo."),
        R(55, 11, "EVENT", "OUTBOUND", 120, "Webinar: regulatory reporting", "analyst governance", "amira", "reporting", None, None),
    ),
}
