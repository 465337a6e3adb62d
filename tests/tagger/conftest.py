import pytest

from tagger import load_tagger


@pytest.fixture(scope="session")
def nl():
    return load_tagger("nl")


@pytest.fixture(scope="session")
def en():
    return load_tagger("en")
