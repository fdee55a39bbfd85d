#pragma once
// Fresnel integrals C(x) = ∫₀ˣ cos(πt²/2) dt and S(x) = ∫₀ˣ sin(πt²/2) dt in double to
// ~1e-15, the reference for square-aperture Fresnel diffraction.
// Method of Numerical Recipes, 3rd ed., §6.8.1 (Press et al. 2007): power series for
// |x| ≤ 1.5, where its terms stay below e^{π·1.5²/2} ≈ 34 so cancellation costs < 2 digits;
// beyond, C + iS = ((1+i)/2)·(1 − e^{iπx²/2}·(1−i)·x·h) with h the modified-Lentz evaluation
// of the continued fraction of erfc for z = (√π/2)(1−i)x (A&S 7.3.22, 7.1.15).

#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

namespace accel::test {

struct FresnelCS {
    double c = 0.0;
    double s = 0.0;
};

inline FresnelCS fresnel_integrals(double x) {
    constexpr double eps = 1e-16;
    constexpr double fp_min = 1e-300;
    constexpr double big = 1e300;
    constexpr int max_iterations = 200;
    const double pi = std::numbers::pi;
    const double ax = std::abs(x);
    FresnelCS r;
    if (ax < 1e-150) {
        r = {ax, 0.0};
    } else if (ax <= 1.5) {
        // C = Σ (−1)ⁿ (π/2)^{2n} x^{4n+1} / ((2n)!(4n+1)),  S = Σ (−1)ⁿ (π/2)^{2n+1} x^{4n+3} / ((2n+1)!(4n+3));
        // one running term (π/2·x²)^k/k! alternates between the two sums.
        const double fact = 0.5 * pi * ax * ax;
        double sum = 0.0, sum_s = 0.0, sum_c = ax, sign = 1.0, term = ax;
        bool odd = true;
        for (int k = 1, n = 3; k <= max_iterations; ++k, n += 2) {
            term *= fact / k;
            sum += sign * term / n;
            const double test = std::abs(sum) * eps;
            if (odd) {
                sign = -sign;
                sum_s = sum;
                sum = sum_c;
            } else {
                sum_c = sum;
                sum = sum_s;
            }
            if (term < test) break;
            odd = !odd;
        }
        r = {sum_c, sum_s};
    } else {
        const double pix2 = pi * ax * ax;
        std::complex<double> b(1.0, -pix2);
        std::complex<double> cc = big;
        std::complex<double> d = 1.0 / b;
        std::complex<double> h = d;
        int n = -1;
        for (int k = 2; k <= max_iterations; ++k) {
            n += 2;
            const double a = -static_cast<double>(n) * (n + 1);
            b += 4.0;
            d = 1.0 / (a * d + b);
            if (std::abs(d) < fp_min) d = fp_min;
            cc = b + a / cc;
            if (std::abs(cc) < fp_min) cc = fp_min;
            const std::complex<double> del = cc * d;
            h *= del;
            if (std::abs(del.real() - 1.0) + std::abs(del.imag()) <= eps) break;
        }
        h *= std::complex<double>(ax, -ax);
        const std::complex<double> cs =
            std::complex<double>(0.5, 0.5) * (1.0 - std::complex<double>(std::cos(0.5 * pix2), std::sin(0.5 * pix2)) * h);
        r = {cs.real(), cs.imag()};
    }
    if (x < 0) r = {-r.c, -r.s};
    return r;
}

}  // namespace accel::test
