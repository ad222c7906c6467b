from tests.test_access_matrix import *  # noqa
async def test_x(world, client_for, sql):
    viewer = await member_of_role("VIEWER", world, client_for)
    sql.reset()
    await viewer.execute(NODES, {"ids": [world.ours[t] for t in NODE_TYPES]})
    for s in sql.statements: print(s[:150].replace("\n"," "))
    assert 0
