#include "accel/optics/detector.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "accel/core/format.hpp"

namespace accel::optics {

double PhotodiodeArray::active_side_m() const { return pitch_m * std::sqrt(fill_factor); }

void validate(const PhotodiodeArray& a) {
    if (a.rows < 1 || a.cols < 1)
        throw std::invalid_argument("photodiode array must have at least 1×1 elements, got " + std::to_string(a.rows) + "×" +
                                    std::to_string(a.cols));
    if (!(a.pitch_m > 0.0) || !std::isfinite(a.pitch_m))
        throw std::invalid_argument("photodiode pitch must be finite and > 0 m, got " + core::shortest_text(a.pitch_m));
    if (!(a.fill_factor > 0.0) || !(a.fill_factor <= 1.0))
        throw std::invalid_argument("photodiode fill factor must be in (0, 1], got " + core::shortest_text(a.fill_factor));
    if (!std::isfinite(a.centre_x_m) || !std::isfinite(a.centre_y_m))
        throw std::invalid_argument("photodiode array centre must be finite");
}

std::vector<DetectorArea> photodiode_areas(const PhotodiodeArray& a) {
    validate(a);
    const double half = 0.5 * a.active_side_m();
    std::vector<DetectorArea> areas;
    areas.reserve(static_cast<std::size_t>(a.rows) * a.cols);
    for (int r = 0; r < a.rows; ++r) {
        for (int c = 0; c < a.cols; ++c) {
            const double x = a.centre_x_m + (c - 0.5 * (a.cols - 1)) * a.pitch_m;
            const double y = a.centre_y_m + (r - 0.5 * (a.rows - 1)) * a.pitch_m;
            areas.push_back({"pd_" + std::to_string(r) + "_" + std::to_string(c), x - half, x + half, y - half, y + half});
        }
    }
    return areas;
}

std::vector<DetectorArea> class_regions_3_4_3(double span_m, double side_m) {
    // The middle row's four regions sit span/5 apart: a larger side would make them overlap.
    if (!(span_m > 0.0) || !(side_m > 0.0) || side_m * 5 > span_m)
        throw std::invalid_argument("class regions: need 0 < 5·side ≤ span");
    // Rows at 1/4, 1/2, 3/4 of the span holding 3, 4 and 3 regions, evenly spaced.
    const int per_row[3] = {3, 4, 3};
    std::vector<DetectorArea> areas;
    int cls = 0;
    for (int row = 0; row < 3; ++row) {
        const double y = (0.25 * (row + 1) - 0.5) * span_m;
        for (int k = 0; k < per_row[row]; ++k) {
            const double x = ((k + 1.0) / (per_row[row] + 1.0) - 0.5) * span_m;
            areas.push_back({"class_" + std::to_string(cls++), x - side_m / 2, x + side_m / 2, y - side_m / 2, y + side_m / 2});
        }
    }
    return areas;
}

DetectorIntegrator::DetectorIntegrator(const Grid& grid, std::vector<DetectorArea> areas)
    : grid_(grid), areas_(std::move(areas)), overlap_(static_cast<Eigen::Index>(areas_.size()), static_cast<Eigen::Index>(grid.size())) {
    validate(grid_);
    const double dx = grid_.pitch_m;
    const double x_first_edge = grid_.x_m(0) - 0.5 * dx;  // left edge of column 0
    const double y_first_edge = grid_.y_m(0) - 0.5 * dx;
    std::vector<Eigen::Triplet<double>> triplets;
    for (std::size_t k = 0; k < areas_.size(); ++k) {
        const auto& a = areas_[k];
        if (!(a.x_max_m > a.x_min_m) || !(a.y_max_m > a.y_min_m))
            throw std::invalid_argument("detector area '" + a.name + "' has zero or negative extent");
        // Only the pixels whose squares can intersect the area; the overlap of two
        // axis-aligned squares is the product of their 1-D interval overlaps, exactly.
        const int c0 = std::max(0, static_cast<int>(std::floor((a.x_min_m - x_first_edge) / dx)));
        const int c1 = std::min(grid_.n - 1, static_cast<int>(std::floor((a.x_max_m - x_first_edge) / dx)));
        const int r0 = std::max(0, static_cast<int>(std::floor((a.y_min_m - y_first_edge) / dx)));
        const int r1 = std::min(grid_.n - 1, static_cast<int>(std::floor((a.y_max_m - y_first_edge) / dx)));
        for (int r = r0; r <= r1; ++r) {
            const double py0 = y_first_edge + r * dx;
            const double oy = std::min(py0 + dx, a.y_max_m) - std::max(py0, a.y_min_m);
            if (oy <= 0) continue;
            for (int c = c0; c <= c1; ++c) {
                const double px0 = x_first_edge + c * dx;
                const double ox = std::min(px0 + dx, a.x_max_m) - std::max(px0, a.x_min_m);
                if (ox <= 0) continue;
                triplets.emplace_back(static_cast<int>(k), static_cast<int>(grid_.index(r, c)), ox * oy);
            }
        }
    }
    overlap_.setFromTriplets(triplets.begin(), triplets.end());
    overlap_.makeCompressed();
}

template <class Real>
void DetectorIntegrator::integrate(const std::complex<Real>* field, double* power_W) const {
    for (Eigen::Index k = 0; k < overlap_.outerSize(); ++k) {
        double p = 0.0;
        for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(overlap_, k); it; ++it)
            p += it.value() * static_cast<double>(std::norm(field[it.col()]));
        power_W[k] = p;
    }
}

template <class Real>
void DetectorIntegrator::intensity_backward(std::span<const std::complex<Real>> field, std::span<const double> dloss_dpower,
                                            std::span<double> dloss_dintensity, std::span<std::complex<Real>> gradient_field) const {
    std::fill(dloss_dintensity.begin(), dloss_dintensity.end(), 0.0);
    for (Eigen::Index k = 0; k < overlap_.outerSize(); ++k)
        for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(overlap_, k); it; ++it)
            dloss_dintensity[static_cast<std::size_t>(it.col())] += it.value() * dloss_dpower[static_cast<std::size_t>(k)];
    for (std::size_t p = 0; p < gradient_field.size(); ++p)
        gradient_field[p] = static_cast<Real>(2.0 * dloss_dintensity[p]) * field[p];
}

template void DetectorIntegrator::integrate<float>(const std::complex<float>*, double*) const;
template void DetectorIntegrator::integrate<double>(const std::complex<double>*, double*) const;
template void DetectorIntegrator::intensity_backward<float>(std::span<const std::complex<float>>, std::span<const double>, std::span<double>,
                                                            std::span<std::complex<float>>) const;
template void DetectorIntegrator::intensity_backward<double>(std::span<const std::complex<double>>, std::span<const double>,
                                                             std::span<double>, std::span<std::complex<double>>) const;

}  // namespace accel::optics
