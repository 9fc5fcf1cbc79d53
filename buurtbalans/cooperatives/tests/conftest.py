"""Two cooperatives of corporation A (one for each board member) and the personas of the other tests.

bea: board member of cooperative 1 (holds complex A-C1); bram: board member of cooperative 2 (complex A-C2), in the
same corporation; charlie: corporation B. bob (policy analyst) manages and reviews; alice (allocation officer)
records co-optations; nina (neighbourhood manager) does everything the corporation does.
"""

import pytest

from buurtbalans.cooperatives.testing import make_cooperative, second_complex
from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """Uploaded files go to a temporary directory."""
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def english(client, settings):
    """The tests read the English source messages; the product speaks Dutch unless English is chosen."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def bea(corporation_a):
    return make_user("bea", corporation_a, Role.COOPERATIVE_BOARD)


@pytest.fixture
def bram(corporation_a):
    return make_user("bram", corporation_a, Role.COOPERATIVE_BOARD)


@pytest.fixture
def coop1(stock_a, bea):
    return make_cooperative(stock_a.corporation, stock_a.complex, marker="ONE", kvk="11111111", board_user=bea,
                            tenancy=stock_a.tenancies[0])


@pytest.fixture
def coop2(stock_a, bram):
    complex_ = second_complex(stock_a, "A")
    return make_cooperative(stock_a.corporation, complex_, marker="TWO", kvk="22222222", board_user=bram)
