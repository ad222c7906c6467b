import collections, json
from hypothesis import given, settings
from tests.test_fuzz import QUERIES, MUTATIONS, INVALID, FUZZ, send, fingerprint, refused, demo_client  # noqa
from sqlalchemy.ext.asyncio import AsyncEngine

stats = collections.Counter()
written_with_errors = []

@settings(FUZZ, max_examples=1500)
@given(operation=QUERIES)
async def test_q(demo_client, operation):
    body = await send(demo_client, "q", operation)
    for e in body.get("errors", []): stats["q:" + e["extensions"]["code"]] += 1

@settings(FUZZ, max_examples=1500)
@given(generated=MUTATIONS)
async def test_m(demo_client, engine, generated):
    field, operation = generated
    before = await fingerprint(engine)
    body = await send(demo_client, "m", operation)
    for e in body.get("errors", []): stats["m:" + e["extensions"]["code"]] += 1
    payload = (body.get("data") or {}).get(field)
    if payload and payload.get("userErrors"): stats["m:userErrors"] += 1
    changed = await fingerprint(engine) != before
    stats["m:changed" if changed else "m:unchanged"] += 1
    if refused(body, field):
        assert not changed, (operation, body)
    elif changed and body.get("errors"):
        written_with_errors.append((operation, body["errors"]))

@settings(FUZZ, max_examples=500)
@given(operation=INVALID)
async def test_zreport(demo_client, operation):
    body = await send(demo_client, "i", operation)
    for e in body.get("errors", []): stats["i:" + e["extensions"]["code"]] += 1

def test_zzz():
    print("\nSTATS", json.dumps(dict(sorted(stats.items())), indent=1))
    print("WRITTEN WITH NESTED ERRORS", len(written_with_errors))
    for op, errs in written_with_errors[:3]:
        print(op, errs)
