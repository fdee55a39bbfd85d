// The optical stage with an input distance is the stage without one, fed the input
// propagated to the first mask: the extra plane adds a propagation and nothing else.

#include <catch2/catch.hpp>

#include <complex>
#include <random>
#include <vector>

#include "accel/models/optical_stage.hpp"

using namespace accel;

TEST_CASE("An input distance propagates the input to the first mask, exactly", "[unit][optics]") {
    optics::PropagationCache<double> cache;
    models::OpticalStageSpec spec;
    spec.grid = {32, 8e-6};
    spec.wavelength_m = 532e-9;
    spec.distances_m = {5e-3, 6e-3};
    const models::OpticalStage<double> on_mask(spec, cache);
    spec.input_distance_m = 4e-3;
    const models::OpticalStage<double> before_mask(spec, cache);

    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const std::size_t size = spec.grid.size();
    std::vector<std::complex<double>> input(size);
    for (auto& v : input) v = {u(rng), 0.0};
    std::vector<std::vector<std::complex<double>>> masks(2, std::vector<std::complex<double>>(size));
    for (auto& m : masks)
        for (auto& t : m) t = std::polar(1.0, 6.283185307179586 * u(rng));

    optics::Propagator<double> to_first_mask(optics::PropagationGeometry{spec.grid, spec.wavelength_m, 4e-3, -1, true}, cache, 1);
    auto pws = to_first_mask.make_workspace();
    std::vector<std::complex<double>> propagated(size);
    to_first_mask.forward(input.data(), propagated.data(), pws);

    auto a = before_mask.make_workspace();
    auto b = on_mask.make_workspace();
    before_mask.forward(input, masks, a);
    on_mask.forward(propagated, masks, b);
    CHECK(a.field == b.field);
    on_mask.forward(input, masks, b);
    CHECK(a.field != b.field);  // the distance matters

    // The backward pass still ends at the first mask: the same phase gradients either way.
    std::vector<std::vector<double>> ga(2, std::vector<double>(size)), gb(2, std::vector<double>(size));
    on_mask.forward(propagated, masks, b);
    before_mask.backward(a.field, masks, a, ga);
    on_mask.backward(b.field, masks, b, gb);
    CHECK(ga == gb);
}
