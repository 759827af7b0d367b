"""What the binding itself must not change: the numbers (bit for bit against the same runs made from
C++) and the GIL (released inside C++ loops, so other Python threads run)."""
import os
import subprocess
import threading
import time

import numpy as np
import pytest
import torch

import esvgd


def test_python_steps_equal_the_cpp_runs_bit_for_bit(tmp_path):
    program = os.environ.get("ESVGD_REFERENCE_RUNS")
    if not program:
        pytest.skip("ESVGD_REFERENCE_RUNS is not set (ctest sets it to the build's python_reference_runs)")
    x0 = torch.randn(60, 2, dtype=torch.float64)
    np.save(tmp_path / "start.npy", x0.numpy())
    subprocess.run([program, str(tmp_path / "start.npy"), str(tmp_path)], check=True)

    def reference(name):
        return torch.from_numpy(np.load(tmp_path / f"{name}.npy"))

    target, kernel = esvgd.cn_gaussian_mixture(4), esvgd.OrbitMatrix(esvgd.C(4), 0.5)
    runs = {"svgd_adam": dict(optimizer="adam"), "svgd_noisy": dict(langevin=True, langevin_noise=0.3)}
    for name, options in runs.items():
        svgd = esvgd.SVGD(target, kernel, steps=25, step_size=0.05, bandwidth="median", **options)
        state = svgd.init(x0)
        for _ in range(25):  # step by step through Python; C++ called run()
            svgd.step(state)
        assert torch.equal(state.particles, reference(name)), name

    langevin = esvgd.Langevin(target, steps=25, step_size=0.01)
    chain = langevin.init(x0, seed=3)
    langevin.run(chain)
    assert torch.equal(chain.particles, reference("langevin"))
    assert not torch.equal(reference("svgd_adam"), reference("svgd_noisy"))  # the check can fail


def test_the_gil_is_released_inside_a_run():
    """A Python thread stamps the time every millisecond while a run without Python callbacks goes on
    in C++. Had the run held the GIL, no stamp could fall inside it."""
    stamps, stop = [], threading.Event()

    def stamp():
        while not stop.is_set():
            stamps.append(time.perf_counter())
            time.sleep(0.001)

    sampler = esvgd.SVGD(esvgd.cn_gaussian_mixture(4), esvgd.OrbitMatrix(esvgd.C(4), 0.5), steps=100, step_size=0.05)
    state = sampler.init(torch.randn(400, 2, dtype=torch.float64))
    thread = threading.Thread(target=stamp)
    thread.start()
    t0 = time.perf_counter()
    sampler.run(state)
    t1 = time.perf_counter()
    stop.set()
    thread.join()
    length = t1 - t0
    assert length > 0.05, f"the run took {length:.3f} s: too short to tell"
    inside = sum(t0 + 0.25 * length < t < t0 + 0.75 * length for t in stamps)
    assert inside >= 0.1 * (0.5 * length / 0.001), f"{inside} stamps in the middle half of a {length:.2f} s run"
