"""Saved records on SQLite and PostgreSQL: round trips, listing, validation, migrations, atomicity, concurrency."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap

import pytest

from karavan.errors import InputError, RecordNotFoundError, StorageError
from karavan.storage import KINDS, Store, current_revision, open_store, upgrade
from karavan.storage.store import downgrade, head_revision

from .conftest import STAMP

QUERY = {"origin": "Altynkol", "destination": "Баку", "avoid_countries": ["RU"]}
RESULT = {"routes": [{"label": "fastest", "transit_time_h": 195.25, "legs": [{"mode": "sea", "to": "AZALA"}]}]}


def test_round_trip_keeps_query_result_and_stamp(store: Store) -> None:
    rec = store.save("route", "Altynkol → Баку", query=QUERY, result=RESULT, dataset=STAMP, karavan="0.1.0")
    got = store.get(rec.id)
    assert got.query == QUERY
    assert got.result == RESULT
    assert got.title == "Altynkol → Баку"
    assert got.dataset == STAMP
    assert got.created_at == rec.created_at
    assert got.created_at.tzinfo is not None
    assert got.to_dict()["content_hash"] == STAMP.content_hash


def test_every_kind_is_saved_and_listed_newest_first(store: Store) -> None:
    ids = [store.save(k, f"t {k}", query={}, result={"k": k}, dataset=STAMP, karavan="x").id for k in KINDS]
    items, total = store.list()
    assert total == len(KINDS)
    assert [r.id for r in items] == ids[::-1]
    assert all(r.query is None and r.result is None for r in items)
    only, n = store.list(kind="scenario")
    assert n == 1
    assert [r.kind for r in only] == ["scenario"]


def test_listing_pages(store: Store) -> None:
    ids = [store.save("route", f"p{i}", query={}, result={}, dataset=STAMP, karavan="x").id for i in range(7)]
    page1, total = store.list(limit=3)
    page3, _ = store.list(limit=3, offset=6)
    assert total == 7
    assert [r.id for r in page1] == ids[::-1][:3]
    assert [r.id for r in page3] == ids[:1]


def test_unknown_id_is_not_found(store: Store) -> None:
    with pytest.raises(RecordNotFoundError, match="0123"):
        store.get("0123")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "plan"}, "kind"),
        ({"title": "   "}, "title"),
        ({"result": {"x": math.nan}}, "result"),
        ({"query": {"when": object()}}, "query"),
    ],
)
def test_bad_records_are_refused_and_nothing_is_stored(store: Store, kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"kind": "route", "title": "t", "query": {}, "result": {}, **kwargs}
    with pytest.raises(InputError) as info:
        store.save(args.pop("kind"), args.pop("title"), dataset=STAMP, karavan="x", **args)  # type: ignore[arg-type]
    assert info.value.field == field
    assert store.list()[1] == 0


def test_migrations_are_idempotent_and_reach_head(db_url: str) -> None:
    assert current_revision(db_url) is None
    assert upgrade(db_url) == head_revision()
    assert upgrade(db_url) == head_revision()
    assert current_revision(db_url) == head_revision()


def test_an_unmigrated_database_is_refused_without_migrate(db_url: str) -> None:
    with pytest.raises(StorageError, match="karavan db upgrade"):
        open_store(db_url, migrate=False)
    upgrade(db_url)
    open_store(db_url, migrate=False).close()


def test_downgrade_and_upgrade_again(db_url: str) -> None:
    upgrade(db_url)
    assert downgrade(db_url, "base") is None
    assert current_revision(db_url) is None
    assert upgrade(db_url) == head_revision()


CRASH = textwrap.dedent(
    """
    import os, sys
    from karavan.storage.store import Store
    store = Store(sys.argv[1])
    with store._engine.begin() as conn:
        conn.execute(store._table.insert().values(
            id="deadbeefdeadbeef", kind="route", title="half", created_at=__import__("datetime").datetime.now(),
            dataset="d", dataset_version="v", content_hash="h", karavan="x", query={}, result={"big": "x" * 100000}))
        sys.stdout.flush()
        os._exit(3)   # the process dies inside the transaction, before COMMIT
    """
)


def test_a_crash_inside_the_write_leaves_no_half_written_record(store: Store, db_url: str) -> None:
    kept = store.save("route", "before", query={}, result={}, dataset=STAMP, karavan="x")
    proc = subprocess.run([sys.executable, "-c", CRASH, db_url], capture_output=True, timeout=120, check=False)
    assert proc.returncode == 3, proc.stderr.decode()
    with pytest.raises(RecordNotFoundError):
        store.get("deadbeefdeadbeef")
    items, total = store.list()
    assert total == 1
    assert items[0].id == kept.id
    after = store.save("route", "after", query={}, result={}, dataset=STAMP, karavan="x")
    assert store.get(after.id).title == "after"


CLIENT = textwrap.dedent(
    """
    import json, sys
    from karavan.storage import DatasetStamp, Store
    url, client, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    store = Store(url, migrate=False)
    stamp = DatasetStamp("caspian", "2026.1", "0" * 64)
    ids = [store.save("route", f"c{client}-{i}", query={"c": client, "i": i}, result={"v": [client, i]},
                      dataset=stamp, karavan="x").id for i in range(n)]
    store.close()
    print(json.dumps(ids))
    """
)


def test_concurrent_saves_from_eight_clients_lose_nothing(store: Store, db_url: str) -> None:
    n = 12
    procs = [
        subprocess.Popen([sys.executable, "-c", CLIENT, db_url, str(c), str(n)], stdout=subprocess.PIPE, text=True)
        for c in range(8)
    ]
    batches = []
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0
        batches.append(json.loads(out))
    ids = [i for b in batches for i in b]
    assert len(ids) == len(set(ids)) == 8 * n
    items, total = store.list(limit=1000)
    assert total == 8 * n
    assert {r.id for r in items} == set(ids)
    for c, batch in enumerate(batches):
        for i, rid in enumerate(batch):
            assert store.get(rid).query == {"c": c, "i": i}
