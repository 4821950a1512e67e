import gc

from server.heap import freeze_startup_heap


def test_startup_objects_leave_the_collector_and_garbage_does_not_survive():
    class Marker:
        pass

    cycle = [Marker()]
    cycle.append(cycle)  # only a full collection frees a cycle
    kept = Marker()
    del cycle
    try:
        frozen = freeze_startup_heap()
        assert frozen == gc.get_freeze_count() > 0
        survivors = [o for o in gc.get_objects() if isinstance(o, Marker)]
        assert survivors == []  # frozen objects are no longer tracked by any generation
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
    # the cycle was collected before the freeze; what lived was frozen, not lost
    assert [o for o in gc.get_objects() if isinstance(o, Marker)] == [kept]
