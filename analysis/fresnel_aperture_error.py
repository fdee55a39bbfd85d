#!/usr/bin/python3
"""Error of `accel propagate` against Fresnel-integral diffraction of a square aperture.

Runs the aperture source of `accel propagate` (side 200 µm, λ = 532 nm by default) at Fresnel
number N_F = a²/(λz) = 1 (a the half-side) for several grids and paddings, and compares the
output intensity with Goodman's solution ("Introduction to Fourier Optics", 3rd ed., §4.5.1):

    U(x, y) = A·e^{ikz}/(2i) · [ΔC(x) + iΔS(x)] · [ΔC(y) + iΔS(y)],
    ΔC(x) = C(α₂) − C(α₁),  α₁,₂ = sqrt(2/(λz))·(∓a − x),  likewise S,

with C, S the Fresnel integrals (scipy.special.fresnel) and A the input amplitude. Printed per
case: the padded window width, the relative deviation of the intensity on the four pixels
around the axis, and the largest deviation over |x|, |y| ≤ a/2 relative to the peak there.

Usage: /usr/bin/python3 analysis/fresnel_aperture_error.py [ACCEL_BINARY]   (default build/accel)
"""

import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
from scipy.special import fresnel

WAVELENGTH_M = 532e-9
SIDE_M = 200e-6  # the default --side of `accel propagate --source aperture`

# (n, pitch_m, pad_px per side); None = the default n/2. Same 200 µm aperture throughout.
CASES = [
    (256, 4e-6, None), (256, 4e-6, 384), (256, 4e-6, 896),
    (512, 2e-6, 128), (512, 2e-6, None), (512, 2e-6, 512), (512, 2e-6, 768), (512, 2e-6, 1024), (512, 2e-6, 1536),
    (1024, 1e-6, None), (1024, 1e-6, 1024), (1024, 1e-6, 1536),
]


def reference_intensity(x, a, z, amplitude):
    s = np.sqrt(2.0 / (WAVELENGTH_M * z))
    s1, c1 = fresnel(s * (-a - x))
    s2, c2 = fresnel(s * (a - x))
    factor = (c2 - c1) + 1j * (s2 - s1)
    return amplitude**2 * 0.25 * np.abs(np.outer(factor, factor)) ** 2  # rows y, columns x


def run_case(accel, folder, n, pitch, pad):
    a = 0.5 * SIDE_M
    z = a * a / WAVELENGTH_M  # N_F = 1
    out = os.path.join(folder, f"aperture-{n}-{pad}.h5")
    cmd = [accel, "propagate", "--source", "aperture", "--n", str(n), "--pitch", repr(pitch),
           "--distance", repr(z), "--allow-sampling-errors", "-q", "-o", out]
    if pad is not None:
        cmd += ["--pad", str(pad)]
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    with h5py.File(out) as f:
        u = f["/field"][...]
        amplitude = np.max(np.abs(f["/input_field"][...]))
    x = (np.arange(n) - 0.5 * (n - 1)) * pitch
    expected = reference_intensity(x, a, z, amplitude)
    got = np.abs(u) ** 2
    c = n // 2
    centre = slice(c - 1, c + 1)
    centre_dev = np.mean(got[centre, centre]) / np.mean(expected[centre, centre]) - 1.0
    inner = np.abs(x) <= 0.5 * a
    region = np.ix_(inner, inner)
    max_dev = np.max(np.abs(got[region] - expected[region])) / np.max(expected[region])
    pad_px = (n + 1) // 2 if pad is None else pad
    return (n + 2 * pad_px) * pitch, pad_px, centre_dev, max_dev


def main():
    accel = sys.argv[1] if len(sys.argv) > 1 else "build/accel"
    print(f"square aperture, side {SIDE_M * 1e6:.0f} µm, λ = {WAVELENGTH_M * 1e9:.0f} nm, N_F = 1 "
          f"(z = {(0.5 * SIDE_M) ** 2 / WAVELENGTH_M * 1e3:.3f} mm)")
    print(f"{'n':>5} {'pitch':>7} {'pad':>5} {'window':>9} {'centre':>10} {'max |x|,|y|<=a/2':>18}")
    with tempfile.TemporaryDirectory() as folder:
        for n, pitch, pad in CASES:
            width, pad_px, centre_dev, max_dev = run_case(accel, folder, n, pitch, pad)
            print(f"{n:5d} {pitch * 1e6:5.0f}µm {pad_px:5d} {width * 1e3:7.3f}mm {100 * centre_dev:+9.3f}% {100 * max_dev:17.3f}%")


if __name__ == "__main__":
    main()
