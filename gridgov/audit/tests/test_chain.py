import datetime
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gridgov.accounts.system import JOBS, SETUP, system_user
from gridgov.audit import chain, retention
from gridgov.audit.models import AccessLog, ChainAnchor, ChangeAction, ChangeLog
from gridgov.audit.services import change_entry, record_access, record_change, record_changes
from gridgov.jobs.registry import function_for


def _changes(user, n: int, *, days_ago: int = 0) -> list[ChangeLog]:
    rows = []
    for i in range(n):
        entry = change_entry(
            actor=user,
            action=ChangeAction.UPDATE,
            instance=user,
            after={"i": i, "名": "张三", "list": (1, 2)},
            note=f"step {i}",
        )
        entry.time = timezone.now() - datetime.timedelta(days=days_ago)
        entry.save()
        rows.append(entry)
    return rows


def _tamper(sql: str, params: list) -> None:
    """Change rows behind the platform's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_changelog DISABLE TRIGGER USER")
        cursor.execute(sql, params)


def test_audit_rows_are_append_only(tree, users):
    entry = record_change(actor=users["op_a"], action=ChangeAction.UPDATE, instance=users["op_a"])
    access = record_access(actor=users["op_a"], subject=users["member_a"], fields=["phone"])
    entry.note = "rewritten"
    with pytest.raises(chain.AppendOnlyError):
        entry.save()
    for row in (entry, access):
        with pytest.raises(chain.AppendOnlyError):
            row.delete()
    for model in (ChangeLog, AccessLog):
        with pytest.raises(chain.AppendOnlyError):
            model.objects.filter(pk__gt=0).update(area_code="x")
        with pytest.raises(chain.AppendOnlyError):
            model.objects.all().delete()
    assert ChangeLog.objects.get(pk=entry.pk).note == ""


def test_postgresql_refuses_changes_behind_the_orm(tree, users):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL trigger")
    entry = record_change(actor=users["op_a"], action=ChangeAction.UPDATE, instance=users["op_a"])
    for sql in (
        "UPDATE audit_changelog SET note = 'x' WHERE id = %s",
        "DELETE FROM audit_changelog WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    # deleting the acting user only clears the link (ON DELETE SET NULL), the row stays
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_changelog SET actor_id = NULL WHERE id = %s", [entry.pk])
    assert chain.verify(ChangeLog).ok


def test_every_way_of_writing_extends_one_chain(tree, users):
    before = ChangeLog.objects.count()
    _changes(users["op_a"], 3)
    record_changes(
        [
            change_entry(
                actor=system_user(SETUP), action=ChangeAction.IMPORT, instance=users["op_b"]
            )
            for _ in range(4)
        ]
    )
    ChangeLog.objects.create(actor_name="import", action="import", object_type="x", object_id=1)
    record_access(actor=users["op_a"], subject=users["member_a"], fields=["phone"], reason="核实")
    report = chain.verify(ChangeLog)
    assert report.ok and report.rows == before + 8
    assert report.last_hash == ChangeLog.objects.order_by("-pk").first().row_hash
    assert chain.verify(AccessLog).ok and chain.verify(AccessLog).rows == 1


def test_verify_names_the_first_row_changed_with_raw_sql(tree, users, capsys):
    rows = _changes(users["op_a"], 5)
    call_command("audit", "verify")
    assert "audit.changelog" in capsys.readouterr().out
    _tamper("UPDATE audit_changelog SET note = %s WHERE id = %s", ["nothing happened", rows[2].pk])
    report = chain.verify(ChangeLog)
    assert report.broken_id == rows[2].pk
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert f"BROKEN at row {rows[2].pk}" in capsys.readouterr().out


def test_verify_notices_a_removed_row(tree, users):
    rows = _changes(users["op_a"], 5)
    _tamper("DELETE FROM audit_changelog WHERE id = %s", [rows[1].pk])
    assert chain.verify(ChangeLog).broken_id == rows[2].pk


def test_a_rehashed_row_does_not_pass_without_the_key(tree, users, settings):
    rows = _changes(users["op_a"], 3)
    settings.GRIDGOV_AUDIT_KEY = "a key the attacker guessed"
    forged = chain.mac(rows[0].row_hash, b"{}")
    settings.GRIDGOV_AUDIT_KEY = "test-key-restored"
    _tamper("UPDATE audit_changelog SET row_hash = %s WHERE id = %s", [forged, rows[1].pk])
    assert not chain.verify(ChangeLog).ok


def _plain_rows(n: int, days_ago: int) -> list[ChangeLog]:
    rows = [
        ChangeLog(
            actor_name="op",
            action="update",
            object_type="registry.person",
            object_id=str(i),
            time=timezone.now() - datetime.timedelta(days=days_ago),
        )
        for i in range(n)
    ]
    return ChangeLog.objects.bulk_create(rows)


def test_retention_removes_old_rows_and_the_chain_still_verifies(db, settings):
    settings.GRIDGOV_RETENTION_DAYS = {"audit.changelog": "200"}
    old = _plain_rows(4, days_ago=400)
    kept = _plain_rows(3, days_ago=100)
    AccessLog(actor_name="op", subject_type="registry.person", fields=["phone"]).save()
    removed = function_for("audit.apply_retention")(None)
    assert removed["audit.changelog"] == 4
    assert removed["audit.accesslog"] == 0
    assert not ChangeLog.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert ChangeLog.objects.filter(pk__in=[r.pk for r in kept]).count() == 3
    entry = ChangeLog.objects.filter(object_type="audit.retention").get()
    assert entry.after == {"audit.changelog": removed["audit.changelog"]}
    assert entry.actor_name == "system:jobs" and entry.actor == system_user(JOBS)
    report = chain.verify(ChangeLog)
    assert report.ok and report.rows == 3 + 1 + 1  # kept, the retention line, system:jobs made
    # later rows still extend the chain
    _plain_rows(2, days_ago=0)
    assert chain.verify(ChangeLog).ok
    # the anchor is keyed: moving it by hand breaks the chain
    ChainAnchor.objects.filter(chain="audit.changelog").update(start_after_id=kept[0].pk)
    assert chain.verify(ChangeLog).problem


def test_retention_never_goes_below_the_legal_minimum(tree, users, settings):
    kind = {k.name: k for k in retention.kinds()}["audit.accesslog"]
    assert kind.minimum_days >= 183 and kind.default_days >= 3 * 365
    settings.GRIDGOV_RETENTION_DAYS = {"audit.accesslog": "30"}
    errors = retention.check_settings()
    assert [e.id for e in errors] == ["gridgov.E102"]
    assert retention.period_days(kind) == kind.minimum_days
    row = AccessLog(
        actor_name="op_a",
        subject_type="registry.person",
        fields=["phone"],
        time=timezone.now() - datetime.timedelta(days=100),
    )
    row.save()
    assert retention.apply(acting_user=users["admin"])["audit.accesslog"] == 0
    assert AccessLog.objects.filter(pk=row.pk).exists()
    settings.GRIDGOV_RETENTION_DAYS = {"audit.accesslog": "many"}
    assert [e.id for e in retention.check_settings()] == ["gridgov.E101"]


def test_retention_job_runs_daily(settings):
    assert settings.GRIDGOV_PERIODIC_JOBS["audit.apply_retention"] == 24 * 3600


@pytest.mark.django_db(transaction=True)
def test_two_writers_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers itself; PostgreSQL needs the chain lock")
    from django.db import connections

    def write(name: str) -> None:
        try:
            for i in range(40):
                ChangeLog.objects.create(
                    actor_name=name, action="update", object_type="t", object_id=str(i)
                )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = chain.verify(ChangeLog)
    assert report.ok and report.rows == 120


def test_when_retention_removes_every_row_new_rows_continue_from_the_anchor(db, settings):
    settings.GRIDGOV_RETENTION_DAYS = {"audit.accesslog": "200"}
    for _ in range(3):
        AccessLog(
            actor_name="op",
            subject_type="registry.person",
            fields=["phone"],
            time=timezone.now() - datetime.timedelta(days=300),
        ).save()
    assert retention.apply(acting_user=system_user(JOBS))["audit.accesslog"] == 3
    assert not AccessLog.objects.exists()
    AccessLog(actor_name="op", subject_type="registry.person", fields=["phone"]).save()
    report = chain.verify(AccessLog)
    assert report.ok and report.rows == 1
