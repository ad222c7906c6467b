"""Compiled reads: a query whose every field has a plan is answered without the general executor.

How a request flows (README, "Compiled reads"):
1. kam/app.py: a POST whose query text and operation were answered from a plan
   before goes to `direct.DirectReads`, which checks what the pipeline would
   check per request (body, variables, cost) and runs the plan; anything
   unusual falls through to step 2.
2. strawberry's pipeline parses, validates and applies the limits; then the
   `extension.CompiledReads` extension asks the `planner.Planner` for the
   document's plan (made once per document and worker). With a plan, the plan
   answers; without one, or when running it fails, the executor answers.
3. A plan (`objects.ObjectPlan` and the nodes of connections.py,
   relationship_map.py, growth_matrix.py, aggregates.py, roots.py) reads one statement per
   field and level, as tuples on the driver (resolvers/driver.py), and builds
   the answer in one pass (`run.Run` holds one execution).

Which fields compile is the table of coverage.py; anything the planner does
not know (a field, an argument, a type, a directive, a fragment on another
type) sends the whole document to the executor, counted by fallbacks.py.
"""
