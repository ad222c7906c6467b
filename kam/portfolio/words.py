"""The vocabulary of the synthetic portfolio: regions, industries, names, functions, needs and plans.

Everything is plain data. Names of people are grouped by culture, so that a
customer in Lyon is run by people called Dubois and one in Osaka by people
called Tanaka; company names are built from a brand and a descriptor that
names the industry.
"""

from __future__ import annotations

from typing import NamedTuple


class Region(NamedTuple):
    name: str
    currency: str
    phone_prefix: str
    culture: str
    legal_forms: tuple[str, ...]
    # The region's share of the accounts and of our sales managers, relative to the others.
    weight: int


REGIONS = (
    Region("DACH", "EUR", "+49", "german", ("GmbH", "AG", "SE", "GmbH & Co. KG"), 18),
    Region("UK & Ireland", "GBP", "+44", "english", ("Ltd", "plc"), 12),
    Region("North America", "USD", "+1", "english", ("Inc.", "Corp.", "LLC"), 14),
    Region("France", "EUR", "+33", "french", ("SA", "SAS"), 9),
    Region("Benelux", "EUR", "+31", "dutch", ("B.V.", "N.V."), 7),
    Region("Nordics", "EUR", "+46", "nordic", ("AB", "ASA", "A/S", "Oy"), 7),
    Region("Italy", "EUR", "+39", "italian", ("S.p.A.", "S.r.l."), 7),
    Region("Iberia", "EUR", "+34", "spanish", ("S.A.", "S.L."), 6),
    Region("Central & Eastern Europe", "EUR", "+48", "polish", ("S.A.", "Sp. z o.o.", "a.s."), 8),
    Region("APAC", "USD", "+65", "asian", ("Pte. Ltd.", "K.K.", "Ltd."), 12),
)

FIRST_NAMES = {
    "german": (
        "Anna", "Katrin", "Julia", "Sabine", "Eva", "Claudia", "Monika", "Petra", "Lena", "Miriam", "Andrea", "Birgit",
        "Stefan", "Matthias", "Tobias", "Thomas", "Michael", "Andreas", "Jan", "Frank", "Markus", "Jürgen", "Florian",
        "Christian", "Ralf", "Uwe", "Dirk", "Sebastian",
    ),
    "english": (
        "Emma", "Olivia", "Sarah", "Rachel", "Laura", "Hannah", "Megan", "Jessica", "Karen", "Emily", "Grace", "Chloe",
        "James", "Oliver", "Daniel", "Michael", "David", "Robert", "William", "Thomas", "Richard", "Matthew", "Andrew",
        "Christopher", "Paul", "Mark", "Steven", "Ryan",
    ),
    "french": (
        "Camille", "Claire", "Sophie", "Marie", "Julie", "Isabelle", "Nathalie", "Céline", "Aurélie", "Émilie", "Chloé",
        "Léa", "Nicolas", "Julien", "Pierre", "Thomas", "Antoine", "François", "Sébastien", "Olivier", "Laurent",
        "Philippe", "Mathieu", "Guillaume", "Vincent", "Étienne", "Hugo", "Romain",
    ),
    "dutch": (
        "Sanne", "Lotte", "Anouk", "Femke", "Eline", "Marieke", "Inge", "Noor", "Fleur", "Lieke", "Ilse", "Sophie",
        "Pieter", "Jeroen", "Bram", "Daan", "Joost", "Maarten", "Ruben", "Sander", "Thijs", "Wouter", "Koen", "Niels",
        "Bas", "Luuk", "Stijn", "Willem",
    ),
    "nordic": (
        "Ingrid", "Astrid", "Sigrid", "Maja", "Elin", "Karin", "Linnea", "Freja", "Sofie", "Hanna", "Ida", "Aino",
        "Jonas", "Erik", "Lars", "Magnus", "Anders", "Nils", "Henrik", "Mikael", "Oskar", "Johan", "Mats", "Gustav",
        "Mikko", "Jukka", "Rasmus", "Olav",
    ),
    "italian": (
        "Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Elena", "Alessia", "Martina", "Silvia", "Federica",
        "Paola", "Laura", "Marco", "Luca", "Alessandro", "Andrea", "Matteo", "Davide", "Giovanni", "Stefano", "Paolo",
        "Roberto", "Simone", "Lorenzo", "Francesco", "Riccardo", "Fabio", "Giorgio",
    ),
    "spanish": (
        "María", "Lucía", "Carmen", "Laura", "Marta", "Ana", "Elena", "Paula", "Sara", "Cristina", "Beatriz", "Inês",
        "Javier", "Carlos", "Miguel", "Alejandro", "David", "Pablo", "Sergio", "Jorge", "Raúl", "Diego", "Álvaro",
        "Manuel", "João", "Rui", "Tiago", "Fernando",
    ),
    "polish": (
        "Anna", "Katarzyna", "Magdalena", "Agnieszka", "Joanna", "Monika", "Ewa", "Marta", "Petra", "Lucie", "Zuzana",
        "Tereza", "Piotr", "Tomasz", "Paweł", "Krzysztof", "Marcin", "Michał", "Jakub", "Łukasz", "Marek", "Ondřej",
        "Jiří", "Martin", "Lukáš", "Dávid", "Bence", "Gábor",
    ),
    "asian": (
        "Mei", "Yuki", "Hana", "Li Na", "Priya", "Ananya", "Siti", "Min-ji", "Aiko", "Xiao", "Nur", "Grace",
        "Wei", "Hiroshi", "Kenji", "Jun", "Raj", "Arjun", "Minh", "Ji-hoon", "Takashi", "Jian", "Rahul", "Daniel",
        "Kevin", "Haruto", "Vikram", "Bao",
    ),
}

LAST_NAMES = {
    "german": (
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch",
        "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange",
        "Werner", "Krause", "Lehmann", "Vogel", "Scholz", "Roth", "Keller",
    ),
    "english": (
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright", "Walker",
        "Thompson", "Evans", "Hughes", "Roberts", "Green", "Hall", "Clarke", "Carter", "Mitchell", "Murphy", "Kelly",
        "O'Brien", "Anderson", "Martinez", "Miller", "Cooper", "Baker",
    ),
    "french": (
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
        "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
        "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Chevalier",
    ),
    "dutch": (
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
        "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
        "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "Maes", "Claes", "Willems",
    ),
    "nordic": (
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
        "Lindqvist", "Lindberg", "Berg", "Hansen", "Johansen", "Olsen", "Nielsen", "Jensen", "Pedersen", "Virtanen",
        "Korhonen", "Mäkinen", "Nieminen", "Lindholm", "Holm", "Dahl", "Strand", "Sandberg", "Ekström",
    ),
    "italian": (
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno",
        "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri",
        "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli",
    ),
    "spanish": (
        "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
        "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Álvarez", "Romero", "Navarro", "Torres", "Domínguez",
        "Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Almeida", "Vidal",
    ),
    "polish": (
        "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański",
        "Woźniak", "Dąbrowski", "Kozłowski", "Mazur", "Krawczyk", "Novák", "Svoboda", "Novotný", "Dvořák", "Černý",
        "Procházka", "Kučera", "Horváth", "Nagy", "Tóth", "Szabó", "Kovács", "Popescu", "Ionescu",
    ),
    "asian": (
        "Tan", "Lim", "Lee", "Ng", "Wong", "Chen", "Wang", "Zhang", "Liu", "Sato", "Suzuki", "Takahashi", "Tanaka",
        "Watanabe", "Kim", "Park", "Choi", "Nguyen", "Tran", "Sharma", "Gupta", "Singh", "Iyer", "Reddy", "Goh",
        "Chua", "Yamamoto", "Kobayashi",
    ),
}

# Our own company's people, from every culture: the sales organisation is international.
TEAM_FIRST_NAMES = tuple(dict.fromkeys(n for names in FIRST_NAMES.values() for n in names))
TEAM_LAST_NAMES = tuple(dict.fromkeys(n for names in LAST_NAMES.values() for n in names))
TEAM_EMAIL_DOMAIN = "kam-portfolio.example"

ADMIN_TITLES = ("Head of Sales Operations", "CRM Administrator", "Sales Operations Lead")
MANAGER_TITLE = "Head of Key Accounts {region}"
ACCOUNT_MANAGER_TITLES = (
    "Key Account Manager", "Key Account Manager", "Key Account Manager", "Senior Key Account Manager",
    "Senior Key Account Manager", "Global Account Director", "Key Account Manager & Solution Architect",
)
VIEWER_TITLES = ("Sales Analyst", "Business Controller", "Pricing Analyst", "Sales Operations Analyst")

# Brand parts: a prefix and a lower-case ending make names such as "Alpwerk" or "Heliotec"; none is a name
# of the hand-written demo.
BRAND_PREFIXES = (
    "Fjord", "Süd", "Alp", "Rhein", "Elb", "Hansa", "Vita", "Astra", "Terra", "Aqua", "Helio", "Fenn", "Brix", "Kron",
    "Lumen", "Nova", "Orbi", "Pax", "Quant", "Sol", "Tem", "Vento", "Wald", "Zen", "Cor", "Del", "Ever", "Fair",
    "Gran", "High", "Iron", "Kel", "Lind", "Mar", "Neo", "Opti", "Prim", "Rad", "Sil", "Tri", "Bel", "Cas", "Dor",
    "Ost", "West", "Bay", "Clear", "Black", "Silver", "Stone",
)
BRAND_ENDINGS = (
    "werk", "tec", "ia", "ion", "ex", "ara", "ford", "mont", "berg", "field", "gate", "haus", "line", "port", "stone",
    "wave", "point", "dyn", "tron", "vis", "lux", "mark", "mede", "nova", "ora", "quest", "rio", "stad", "sys", "ton",
    "well", "zon", "lake", "bridge", "crest", "hold", "lan", "met", "nex", "plan", "ris", "sana", "tura", "vale",
    "wick", "worth", "gen", "cor", "dal", "vik",
)

# (descriptor in the company name, industry of the account)
DESCRIPTORS = (
    ("Maschinenbau", "Manufacturing"), ("Industrial Systems", "Manufacturing"), ("Precision Engineering", "Manufacturing"),
    ("Automation", "Manufacturing"), ("Components", "Manufacturing"), ("Automotive", "Automotive"),
    ("Mobility", "Automotive"), ("Drivetrain Systems", "Automotive"), ("Chemicals", "Chemicals"),
    ("Specialty Chemicals", "Chemicals"), ("Polymers", "Chemicals"), ("Pharma", "Pharmaceuticals"),
    ("Life Sciences", "Pharmaceuticals"), ("Biotech", "Pharmaceuticals"), ("Medical", "Healthcare"),
    ("Health", "Healthcare"), ("Clinics", "Healthcare"), ("Retail", "Retail"), ("Stores", "Retail"),
    ("Markets", "Retail"), ("Foods", "Consumer Goods"), ("Beverages", "Consumer Goods"),
    ("Consumer Brands", "Consumer Goods"), ("Logistics", "Logistics"), ("Freight", "Logistics"),
    ("Shipping", "Logistics"), ("Energy", "Energy & Utilities"), ("Power", "Energy & Utilities"),
    ("Renewables", "Energy & Utilities"), ("Utilities", "Energy & Utilities"), ("Bank", "Financial Services"),
    ("Capital", "Financial Services"), ("Insurance", "Insurance"), ("Assurance", "Insurance"),
    ("Telecom", "Telecommunications"), ("Networks", "Telecommunications"), ("Software", "Technology"),
    ("Technologies", "Technology"), ("Digital", "Technology"), ("Construction", "Construction"),
    ("Building Materials", "Construction"), ("Infrastructure", "Construction"), ("Media", "Media"),
    ("Publishing", "Media"), ("Aerospace", "Aerospace & Defence"), ("Defence Systems", "Aerospace & Defence"),
    ("Hotels", "Hospitality"), ("Travel", "Hospitality"), ("Agrar", "Agriculture"), ("Agri Foods", "Agriculture"),
    ("Steel", "Metals & Mining"), ("Metals", "Metals & Mining"), ("Mining", "Metals & Mining"),
    ("Packaging", "Packaging"), ("Paper", "Packaging"), ("Textiles", "Consumer Goods"),
    ("Semiconductors", "Technology"), ("Rail", "Logistics"), ("Water", "Energy & Utilities"),
    ("Facility Services", "Business Services"),
)

# Added to a company name once every brand-and-descriptor pair is taken.
NAME_QUALIFIERS = (
    "Group", "International", "Holding", "Europe", "Solutions", "Services", "Partners", "Global", "Industries",
    "Worldwide", "Enterprises", "Systems",
)


class Function(NamedTuple):
    """A function of the customer's organisation, with titles per decision level and what its people want."""

    department: str
    executive: str
    senior: tuple[str, ...]
    manager: tuple[str, ...]
    staff: tuple[str, ...]
    needs: tuple[str, ...]
    motives: tuple[str, ...]
    pain_points: tuple[str, ...]


FUNCTIONS = (
    Function(
        "Finance", "Chief Financial Officer",
        ("Head of Controlling", "Head of Finance", "Group Treasurer"),
        ("Finance Manager", "Controller", "Head of Accounts Payable"),
        ("Financial Analyst", "Accountant"),
        ("Predictable total cost of ownership", "Payback within 24 months",
         "Subscription pricing instead of capital expenditure", "One consolidated invoice per month",
         "Audit-proof cost allocation per site", "Less working capital tied up in stock"),
        ("Judged on free cash flow this year.", "Wants every investment to pay back within two years.",
         "Has to cut overhead by 8% without cutting headcount."),
        ("Month-end close takes nine days.", "Costs are allocated to sites by hand in spreadsheets.",
         "Budget frozen until the board approves the new plan."),
    ),
    Function(
        "Operations", "Chief Operating Officer",
        ("Head of Production", "Plant Manager", "Head of Operational Excellence"),
        ("Production Manager", "Shift Manager", "Maintenance Lead", "Quality Manager"),
        ("Process Engineer", "Maintenance Technician", "Quality Engineer"),
        ("Less unplanned downtime", "Faster changeovers", "Audit-ready traceability",
         "Fewer night call-outs for maintenance", "Predictive maintenance on critical lines",
         "Standard processes across all sites"),
        ("Unplanned downtime is in the executive bonus plan.", "Wants the plant to become the group's reference site.",
         "Promised the board a productivity gain across the plant network."),
        ("Three unplanned line stops last quarter.", "Audit findings from last year are still open.",
         "Spare parts arrive late for the older lines."),
    ),
    Function(
        "IT", "Chief Information Officer",
        ("Head of IT Infrastructure", "Head of Enterprise Architecture", "Chief Information Security Officer"),
        ("IT Service Manager", "Integration Lead", "Data Platform Manager"),
        ("Systems Engineer", "Data Engineer", "Security Analyst"),
        ("Single sign-on with the corporate directory", "Open APIs to the ERP", "Data residency in the EU",
         "An ISO 27001 certified supplier", "One data platform instead of point solutions",
         "Fewer tickets to the service desk"),
        ("Wants fewer systems to integrate, not more.", "Measured on security incidents and audit findings.",
         "Building a cloud-first architecture and needs proof points."),
        ("Data is re-entered in three systems.", "Two failed projects with the previous supplier.",
         "The service desk is overloaded every Monday."),
    ),
    Function(
        "Procurement", "Chief Procurement Officer",
        ("Head of Strategic Procurement", "Head of Category Management"),
        ("Category Manager", "Senior Buyer", "Supplier Quality Manager"),
        ("Buyer", "Procurement Analyst"),
        ("A framework agreement with volume discounts", "A second source for critical parts",
         "Price stability for three years", "Transparency on supplier risk", "Fewer suppliers to manage"),
        ("Measured on price savings against last year.", "Pushes for a second supplier in every category.",
         "Wants to consolidate the supplier base by a third."),
        ("Prices rose twice last year without notice.", "Contracts differ from site to site.",
         "No view of which supplier delivers late."),
    ),
    Function(
        "Sales & Marketing", "Chief Commercial Officer",
        ("Head of Marketing", "VP Sales", "Head of Customer Service"),
        ("Marketing Manager", "Sales Operations Manager", "Customer Service Manager"),
        ("Marketing Specialist", "Sales Analyst", "Customer Service Agent"),
        ("Shorter time to market for new products", "A single view of the customer", "Better lead conversion",
         "Faster answers to customer complaints", "Co-marketing with a strong partner brand"),
        ("Has to grow revenue in new markets by 20%.", "Wants the brand to be seen as the innovator of the sector.",
         "Measured on customer satisfaction scores."),
        ("Customer complaints about late deliveries.", "Leads get lost between marketing and sales.",
         "Launch of the new range slipped by two quarters."),
    ),
    Function(
        "R&D", "Chief Technology Officer",
        ("Head of R&D", "Head of Product Development"),
        ("Engineering Manager", "Product Manager", "Lab Manager"),
        ("Development Engineer", "Test Engineer", "Research Scientist"),
        ("Simulation before the first prototype", "A shared component library", "Faster test cycles",
         "Compliance with the new product regulation"),
        ("Wants to publish and present at the industry conference.", "Needs to halve the development cycle.",
         "Judged on the number of launches per year."),
        ("Every prototype costs six weeks.", "Test rigs are booked out for months.",
         "Requirements change late in every project."),
    ),
    Function(
        "Supply Chain", "Chief Supply Chain Officer",
        ("Head of Logistics", "Head of Supply Chain Planning"),
        ("Warehouse Manager", "Demand Planner", "Transport Manager"),
        ("Logistics Coordinator", "Planner"),
        ("Real-time stock visibility across warehouses", "Fewer stock-outs in peak season",
         "Lower freight cost per unit", "Reliable delivery dates for customers"),
        ("Measured on on-time delivery to customers.", "Has to take 10% out of freight cost.",
         "Wants to be ready for the peak season without temporary staff."),
        ("Stock-outs in every peak season.", "Freight rates doubled on two lanes.",
         "Planners work from last week's numbers."),
    ),
    Function(
        "HR", "Chief Human Resources Officer",
        ("Head of People Development", "Head of HR Operations"),
        ("HR Business Partner", "Training Manager"),
        ("HR Specialist", "Recruiter"),
        ("Training for 300 shift workers", "Tools that new hires learn in a day", "Less overtime in peak weeks"),
        ("Wants lower staff turnover in the plants.", "Measured on time to hire.",
         "Has to get the works council behind every new tool."),
        ("Turnover of 18% among shift workers.", "Training material is out of date.",
         "Overtime is paid in every peak week."),
    ),
)

CEO_TITLE = "Chief Executive Officer"
MANAGING_DIRECTOR = "Managing Director"
BOARD = "Executive Board"
CEO_NEEDS = (
    "Growth in new markets without new headcount", "A partner for the digital transformation",
    "Visible progress on the sustainability targets", "Fewer suppliers at board level",
)
CEO_MOTIVES = (
    "Promised the supervisory board a productivity gain by 2030.", "Wants a partner who thinks at board level.",
    "Measured on margin and growth; has little patience for long projects.",
)
CEO_PAIN_POINTS = ("The last transformation programme ran a year late.", "Margins fell two years in a row.")

EMOTIONAL_NEEDS = (
    "Confidence that the supplier will still deliver in five years", "Being seen as the sponsor of a successful rollout",
    "No surprises in front of the board", "A supplier who answers the phone at night",
    "Peace of mind before the annual audit", "Trust that commitments are kept",
    "Recognition for the team's extra effort", "Feeling listened to when things go wrong",
)
SOCIAL_NEEDS = (
    "Reference visits at peers in the industry", "A seat on the customer advisory board",
    "A visible contribution to the sustainability report", "A speaking slot at the user conference",
    "Being known in the group as an innovator", "Good standing with the works council",
    "Exchange with peers at other plants", "Being part of the customer community",
)

NEED_SOURCES_EXPLICIT = (
    "Raised in the {month} business review.", "Came up during the site visit in {month}.",
    "Stated in the request for information of {month}.", "Mentioned in the steering committee in {month}.",
)
NEED_SOURCES_IMPLICIT = (
    "Inferred from the annual report.", "Our reading of the conversations since {month}.",
    "Inferred from the questions asked in the {month} workshop.", "Heard second-hand from our champion in {month}.",
)
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
)

ASSESSMENT_NOTES = {
    "STRATEGIC": ("Invest and protect: new budget approved.", "Executive sponsor engaged; wallet keeps growing.",
                  "Share of wallet up after the framework renewal."),
    "DEVELOP": ("Large wallet, small share: the pilot decides.", "Competitor holds most of the spend.",
                "New budget line for the coming year."),
    "MAINTAIN": ("Mature account; defend the share.", "Wallet flat, renewal due next year.",
                 "Price pressure from procurement."),
    "MONITOR": ("Serve efficiently; no investment planned.", "Small wallet, low activity.",
                "Budget cut; revisit next year."),
}

PLAN_TITLES = (
    "{year} account plan", "Expand to all sites in {year}", "Win the {department} budget {year}",
    "Defend the share in the {year} tender", "Executive relationship programme {year}",
    "Land the pilot with {department}", "Renewal {year}", "Win back {department} in {year}",
)
PLAN_DESCRIPTIONS = (
    "Grow the account by widening coverage beyond {department} and securing the decision makers.",
    "Turn the pilot into a group-wide rollout before the budget round.",
    "Protect the relationship through the tender and lock in a multi-year agreement.",
    "Build executive relationships so that we are asked before the next request for proposals.",
    "Resolve the open issues and bring the account back to growth.",
)

# (metric, description, how the target is set)
OBJECTIVES = (
    ("Annual revenue", "Grow annual revenue with the account.", "revenue"),
    ("Decision makers covered", "Know every decision maker personally.", "count"),
    ("Share of wallet (%)", "Win a larger share of the customer's spend.", "percent"),
    ("Sites live", "Bring more of the customer's sites onto our solution.", "count"),
    ("Executive meetings", "Meet the executive board regularly.", "count"),
    ("Net Promoter Score", "Raise the customer's willingness to recommend us.", "score"),
    ("Open complaints", "Close the open complaints.", "zero"),
)

ACTION_TITLES_PERSON = (
    "Workshop with {person} on {need}", "Executive briefing for {person}", "Reference visit for {person}",
    "Business case with {person}", "Intro call with {person}", "Plant tour with {person}",
    "Quarterly review with {person}", "Lunch with {person}",
)
ACTION_TITLES_NEED = (
    "Send the proposal for {need}", "Follow up on {need}", "Demo for {need}", "Pilot for {need}",
    "Price offer for {need}",
)
ACTION_TITLES = (
    "Quarterly business review", "Negotiate the framework agreement", "Prepare the renewal offer",
    "Invite to the customer advisory board", "Update the relationship map", "Account team kick-off",
    "Send the satisfaction survey", "Reference call with a peer customer",
)

# Interactions: a subject per kind ({department} is the first participant's, {quarter} and {year} the day's),
# subjects about a need, and what came of it.
INTERACTION_SUBJECTS = {
    "CALL": (
        "Check-in with {department}", "Follow-up call on the open offer", "Renewal call", "Escalation call",
        "Call about the delivery delay", "Introductory call with {department}", "Budget call for {year}",
        "Weekly check-in", "Call to confirm the {quarter} order", "Reference call",
    ),
    "EMAIL": (
        "Offer for {department}", "Meeting notes and next steps", "Contract draft for review", "Price list {year}",
        "Invitation to the {quarter} business review", "Answers to the {department} questions",
        "Case study as promised", "Updated delivery schedule", "Questionnaire from {department}",
        "Order confirmation {quarter}",
    ),
    "MEETING": (
        "{quarter} business review", "Steering committee", "Workshop with {department}", "Contract negotiation",
        "Account plan review", "Roadmap presentation", "Kick-off with {department}", "Budget planning {year}",
        "Executive alignment", "Rollout stand-up",
    ),
    "VISIT": (
        "Site visit", "Plant tour", "Visit to the {department} team", "Head-office visit", "Annual review on site",
        "Site audit", "Go-live support on site",
    ),
    "EVENT": (
        "Customer conference {year}", "User group meeting", "Trade fair {year}", "Webinar for {department}",
        "Customer advisory board", "Partner summit {year}", "Reference visit at a peer customer",
    ),
    "MESSAGE": (
        "Quick question from {department}", "Reminder about the {quarter} order", "Short update on the rollout",
        "Chat about the open ticket", "Thanks for the meeting", "Change of contact in {department}",
    ),
    "OTHER": (
        "Lunch", "Dinner after the review", "Survey answered", "Letter from {department}",
        "Introduction through a partner",
    ),
}
INTERACTION_NEED_SUBJECTS = (
    "Discussed: {need}", "Follow-up on {need}", "Proposal for {need}", "Demo for {need}", "Questions about {need}",
    "Update on {need}", "Workshop on {need}",
)
INTERACTION_SUMMARIES = (
    "Went through the open points one by one.", "The customer repeated the pressure on cost.",
    "Good atmosphere; they see us as a partner.", "Mostly about timing; the content is agreed.",
    "They compared us with the competitor's offer.", "Technical questions; our specialist answered most of them.",
    "Short and friendly; nothing new.", "The new manager introduced herself and her priorities.",
    "Concerns about the rollout in the second plant.", "They want the figures before the board meeting.",
)
INTERACTION_OUTCOMES = (
    "Budget confirmed for next year.", "They want a revised offer.", "Decision postponed to next quarter.",
    "Pilot approved.", "Agreed on the scope of phase two.", "Concerns about price remain.",
    "Introduced us to the new head of {department}.", "Complaint resolved.", "Competitor invited to the tender.",
    "Positive feedback on the last delivery.", "Need confirmed by the decision maker.", "No decision yet.",
)
INTERACTION_NEXT_STEPS = (
    "Send the revised offer.", "Book the follow-up meeting.", "Share the case study.",
    "Prepare the business case.", "Invite {department} to the workshop.", "Call back next week.",
    "Send the meeting notes.", "Set up the demo environment.", "Escalate internally.",
    "Confirm the dates for the site visit.",
)
