import pytest

from gridgov.crypto.keys import forget_keyring


@pytest.fixture
def key_file(settings, tmp_path):
    """A key file of this test's own (rotation writes to it), forgotten afterwards."""
    settings.GRIDGOV_DATA_KEYS = ""
    settings.GRIDGOV_DATA_KEY_FILE = tmp_path / "data_keys"
    forget_keyring()
    yield settings.GRIDGOV_DATA_KEY_FILE
    forget_keyring()
