"""The read model follows the store: new events are folded in, events the watcher removes (a
reorg) make it rebuild, so a removed claim disappears from the answers."""

from sqlalchemy import delete, select

from agent.config import Settings
from agent.readmodel import indexer as indexing
from agent.readmodel.projection import Projection
from agent.store import Store, events


def test_projection_rebuilds_when_events_are_removed(stack, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'reorg.db'}").migrate()
    deployments = stack.deployments
    watcher = indexing.indexer(stack.w3, store, deployments, Settings().build_dir,
                               confirmations=0)
    watcher.run_until_caught_up()
    source = indexing.source_name(deployments.chain_id)
    projection = Projection(store, source, deployments.chain_id, deployments.addresses,
                            min_interval=0)
    projection.sync()
    user = stack.sim.users[0].account.address
    before = projection.claims_of(user)
    assert before and projection.version == 1
    assert projection.sync() == 1  # nothing new: same version, no refold
    victim = before[-1]
    with store.begin() as conn:
        row = conn.execute(select(events.c.id).where(
            events.c.source == source, events.c.tx_hash == victim.tx_hash,
            events.c.log_index == victim.log_index)).scalar_one()
        conn.execute(delete(events).where(events.c.id == row))
    projection.sync()
    after = projection.claims_of(user)
    assert len(after) == len(before) - 1 and victim not in after
    # The watcher puts it back on its next pass over the window (it is still canonical).
    watcher.reorg_window = 10_000
    watcher.poll()
    projection.sync()
    assert sorted(projection.claims_of(user), key=lambda c: (c.block, c.log_index)) == before
    store.dispose()
