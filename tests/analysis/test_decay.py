"""Distance-decay functions: the T7 anchors of docs/ANALYSIS.md §13 to 1e-6, and their contracts."""

import numpy as np
import pytest

from analysis import decay

TOL = {"abs": 1e-6}


def test_gaussian_matches_access_doctest():
    f = decay.gaussian(20)
    assert f([0, 20, 40, 60]) == pytest.approx([1, 0.6065307, 0.1353353, 0.0111090], **TOL)
    assert f.cutoff is None


def test_gravity_with_minimum_distance():
    f = decay.gravity(20, -2, 1)
    got = f([0, 1, 2, 20, 40, 60])
    assert got == pytest.approx([400, 400, 100, 1, 0.25, 1 / 9], rel=1e-9)
    assert got[-1] == pytest.approx(0.11, abs=0.005)


def test_step_function_keeps_fractional_weights():
    # access's np.vectorize pitfall (docs/ANALYSIS.md §5) turned 0.68 into 0; ours stays float.
    f = decay.step({20: 1, 40: 0.68, 60: 0.22})
    costs = [0, 10, 20, 30, 40, 50, 60, 70]
    assert f(costs) == pytest.approx([1, 1, 1, 0.68, 0.68, 0.22, 0.22, 0], **TOL)
    assert f(costs).dtype == float
    assert f.cutoff == 60


def test_logistic_matches_ipea():
    f = decay.logistic(cutoff=30, sd=5)
    got = f([0, 30, 45, 60])
    assert got[:3] == pytest.approx([1, 0.5000094, 0.004314804], **TOL)
    assert got[3] == pytest.approx(1.877853e-05, rel=1e-6)


def test_dai_truncated_gaussian_reaches_zero_at_d0():
    f = decay.gaussian_dai(1000)
    assert f([0, 250, 500, 750, 1000]) == pytest.approx([1, 0.921806, 0.701367, 0.376926, 0], **TOL)
    assert f([1000.0001, 5000]).tolist() == [0.0, 0.0]
    assert f.cutoff == 1000


def test_binary_and_exponential():
    assert decay.binary(61)([0, 61, 61.5]).tolist() == [1.0, 1.0, 0.0]
    assert decay.exponential(0.001)([0, 1000]) == pytest.approx([1, np.exp(-1)], **TOL)


@pytest.mark.parametrize("name", ["gaussian_dai", "binary", "step"])
def test_named_decays_are_one_at_zero_and_zero_beyond_d0(name):
    f = decay.by_name(name, 3000)
    assert f([0])[0] == 1
    assert f([3000.5])[0] == 0
    assert np.all(np.diff(f(np.linspace(0, 3000, 50))) <= 1e-12)  # never increases
    assert f.describe()["decay"] in {"gaussian_dai", "binary", "step"}


def test_e2sfca_steps_scale_with_d0():
    f = decay.e2sfca_steps(3000)
    assert f([500, 1500, 2500, 3500]) == pytest.approx([1, 0.68, 0.22, 0], **TOL)


def test_unknown_decay_name_is_a_clear_error():
    with pytest.raises(ValueError, match="Onbekende afstandsvervalfunctie 'cosine'"):
        decay.by_name("cosine", 1000)
