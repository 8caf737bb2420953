import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from astraweave.physics import neighbor_pairs


def brute(points: np.ndarray, cutoff: float) -> set[tuple[int, int]]:
    out = set()
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            if ((points[i] - points[j]) ** 2).sum() < cutoff * cutoff:
                out.add((i, j))
    return out


@given(
    arrays(
        np.float64,
        st.tuples(st.integers(0, 40), st.just(2)),
        elements=st.floats(-20, 20, allow_nan=False),
    ),
    st.floats(0.1, 8.0),
)
def test_matches_brute_force(points: np.ndarray, cutoff: float) -> None:
    i, j = neighbor_pairs(points, cutoff)
    got = list(zip(i.tolist(), j.tolist(), strict=True))
    assert got == sorted(brute(points, cutoff))


def test_edge_cases() -> None:
    assert neighbor_pairs(np.zeros((1, 2)), 1.0)[0].tolist() == []
    assert neighbor_pairs(np.zeros((3, 2)), 0.0)[0].tolist() == []
    i, j = neighbor_pairs(np.zeros((3, 2)), 1.0)
    assert (i.tolist(), j.tolist()) == ([0, 0, 1], [1, 2, 2])
    far = np.array([[0.0, 0.0], [100.0, 100.0]])
    assert neighbor_pairs(far, 1.0)[0].tolist() == []
