#pragma once
// Detector-plane geometry: photodiode arrays or named class regions, integrated over grid
// pixels with exact fractional overlap through a sparse matrix built once.

#include <complex>
#include <span>
#include <string>
#include <vector>

#include <Eigen/SparseCore>

#include "accel/optics/grid.hpp"

namespace accel::optics {

// An axis-aligned rectangular active area, coordinates in metres in the plane's frame
// (origin on the optical axis, x along columns, y along rows).
struct DetectorArea {
    std::string name;
    double x_min_m, x_max_m, y_min_m, y_max_m;
};

// A rows×cols array of square photodiodes of pitch `pitch_m`; each active area is a square of
// side pitch·sqrt(fill_factor) centred in its cell; the array is centred at (centre_x, centre_y).
struct PhotodiodeArray {
    int rows = 32;
    int cols = 32;
    double pitch_m = 35e-6;
    double fill_factor = 0.0914;
    double centre_x_m = 0.0;
    double centre_y_m = 0.0;

    [[nodiscard]] double active_side_m() const;
};

void validate(const PhotodiodeArray& a);  // std::invalid_argument naming the member

// Areas in row-major order, named "pd_<row>_<col>".
std::vector<DetectorArea> photodiode_areas(const PhotodiodeArray& a);

// Ten square class regions of side `side_m` in the 3-4-3 layout of the all-optical D2NN
// read-out (Lin et al., Science 2018), spread over a square of side `span_m`.
std::vector<DetectorArea> class_regions_3_4_3(double span_m, double side_m);

// Maps intensity (W/m²) on the grid to power (W) on each area: power = W · |u|², with W the
// overlap area (m²) of each area with each pixel.
class DetectorIntegrator {
public:
    DetectorIntegrator(const Grid& grid, std::vector<DetectorArea> areas);

    [[nodiscard]] const Grid& grid() const { return grid_; }
    [[nodiscard]] const std::vector<DetectorArea>& areas() const { return areas_; }
    [[nodiscard]] int count() const { return static_cast<int>(areas_.size()); }
    // Row k holds the overlap areas (m²) of area k with the grid pixels it touches.
    [[nodiscard]] const Eigen::SparseMatrix<double, Eigen::RowMajor>& overlap_m2() const { return overlap_; }

    // power_W[k] = Σ_p overlap(k,p)·|u_p|², u in sqrt(W)/m on the grid (n×n, row-major).
    template <class Real>
    void integrate(const std::complex<Real>* field, double* power_W) const;

    // The backward pass of integrate(), its partner as a propagator's adjoint is of its
    // forward: from ∂L/∂P_k of a real loss L, ∂L/∂I_p = Σ_k overlap(k,p)·∂L/∂P_k into
    // `dloss_dintensity` (I_p = |u_p|²), and the field gradient g_p = 2·∂L/∂u_p* =
    // 2·(∂L/∂I_p)·u_p into `gradient_field` (Wirtinger calculus, ∂|u|²/∂u* = u; the convention
    // g = 2·∂L/∂u* makes δL = Re Σ conj(g)·δu, docs/physics.md). Spans of grid size, except
    // dloss_dpower (one per area).
    template <class Real>
    void intensity_backward(std::span<const std::complex<Real>> field, std::span<const double> dloss_dpower,
                            std::span<double> dloss_dintensity, std::span<std::complex<Real>> gradient_field) const;

private:
    Grid grid_;
    std::vector<DetectorArea> areas_;
    Eigen::SparseMatrix<double, Eigen::RowMajor> overlap_;
};

}  // namespace accel::optics
