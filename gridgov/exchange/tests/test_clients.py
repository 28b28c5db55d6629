"""Client systems: issued with a key shown once, authenticated by it, rotated with an overlap,
revoked; only holders of the right manage them; the secret is sealed at rest."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from gridgov.areas.testing import STREET_A
from gridgov.exchange.models import ClientKind, ClientSystem
from gridgov.exchange.services.clients import (
    authenticate_client,
    issue_client,
    revoke_client,
    rotate_secret,
    secret_matches,
)


@pytest.fixture
def client_system(users):
    return issue_client(
        users["admin"], name="市12345平台", kind=ClientKind.OPEN311, area_codes=[STREET_A]
    )


def test_the_key_authenticates_only_its_own_active_client(client_system, users):
    client, key = client_system
    assert authenticate_client(key) == client
    assert authenticate_client(key, kind=ClientKind.WEBHOOK) is None
    assert authenticate_client(key + "x") is None
    assert key not in str(ClientSystem.objects.values_list("key_hash", flat=True)[0])
    revoke_client(users["admin"], client)
    assert authenticate_client(key) is None


def test_the_secret_is_sealed_at_rest(client_system):
    client, _key = client_system
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM exchange_clientsystem WHERE id = %s", [client.pk])
        stored = cursor.fetchone()[0]
    assert stored and client.secret not in stored
    assert ClientSystem.objects.get(pk=client.pk).secret == client.secret


def test_a_rotated_secret_overlaps_for_a_week(client_system, users):
    client, _key = client_system
    old = client.secret
    new = rotate_secret(users["admin"], client)
    client.refresh_from_db()
    assert new != old and secret_matches(client, new) and secret_matches(client, old)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        assert secret_matches(client, new) and not secret_matches(client, old)


@pytest.mark.parametrize("who", ["op_a", "district", "member_a"])
def test_only_the_right_manages_clients(users, who):
    with pytest.raises(PermissionDenied):
        issue_client(users[who], name="x", kind=ClientKind.WEBHOOK, area_codes=[STREET_A])
    assert ClientSystem.objects.count() == 0
