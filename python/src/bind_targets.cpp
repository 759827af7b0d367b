// Targets: the paper's densities (C_n Gaussian mixtures, concentric circles and spheres, DW-4) with
// log π, score and exact samples where they exist.
#include "bindings.h"
#include "esvgd/target/double_well.h"
#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/target/radial_mixture.h"
#include "esvgd/target/target.h"

namespace esvgd::python {

void bind_targets(py::module_& m) {
  using target::Target;
  py::class_<Target, std::shared_ptr<Target>>(m, "Target", "A density π on R^D known up to a constant.")
      .def_property_readonly("name", &Target::name)
      .def_property_readonly("dim", &Target::dim)
      .def("log_prob", &Target::log_prob, py::arg("x"), "log π(x) [N] for points x [N, D] (up to a constant).")
      .def("score", &Target::score, py::arg("x"), "∇ log π(x) [N, D].")
      .def_property_readonly("has_sampler", &Target::has_sampler)
      .def(
          "sample",
          [](const Target& t, int64_t n, uint64_t seed) {
            auto gen = at::detail::createCPUGenerator(seed);
            return t.sample(n, gen);
          },
          py::arg("n"), py::arg("seed") = 0, "n exact samples [n, D] float64 (targets with has_sampler).")
      .def("__call__", &Target::score, py::arg("x"), "The score: a target can be passed wherever a score is.")
      .def("__repr__", [](const Target& t) { return "<esvgd.Target " + t.name() + " D=" + std::to_string(t.dim()) + ">"; });

  py::class_<target::GaussianMixture, Target, std::shared_ptr<target::GaussianMixture>>(m, "GaussianMixture")
      .def(py::init<torch::Tensor, torch::Tensor, torch::Tensor, std::string>(), py::arg("means"), py::arg("covariances"),
           py::arg("weights"), py::arg("name") = "gmm", "means [K, D], covariances [K, D, D], weights [K] (float64).");
  m.def(
      "cn_gaussian_mixture",
      [](int64_t n, double radius, double var_radial, double var_tangential) {
        return std::make_shared<target::GaussianMixture>(target::cn_gaussian_mixture(n, radius, var_radial, var_tangential));
      },
      py::arg("n") = 4, py::arg("radius") = 3.0, py::arg("var_radial") = 1.0, py::arg("var_tangential") = 0.2,
      "The paper's C_n mixture: n Gaussians at `radius` on axes rotated by 2πm/n, covariance R_m diag(var_radial, "
      "var_tangential) R_mᵀ (default: the C4 target).");
  py::class_<target::RadialMixture, Target, std::shared_ptr<target::RadialMixture>>(
      m, "RadialMixture", "Concentric circles (D = 2) or spheres (D = 3): log π(x) = log Σ_k w_k N(|x|; r_k, σ²).")
      .def(py::init([](int64_t dim, std::vector<double> radii, double width, std::vector<double> weights) {
             return std::make_shared<target::RadialMixture>(dim, std::move(radii), width, std::move(weights));
           }),
           py::arg("dim"), py::arg("radii"), py::arg("width"), py::arg("weights") = std::vector<double>{},
           "width: σ, a standard deviation; weights: equal when empty.");
  py::class_<target::DoubleWellPotential, Target, std::shared_ptr<target::DoubleWellPotential>>(
      m, "DoubleWell",
      "The multi-particle double well (DW-4 for 4 particles in the plane): π ∝ exp(−u), u = (1/τ) Σ_{i<j} "
      "a(d−d0) + b(d−d0)² + c(d−d0)⁴.")
      .def(py::init([](int64_t particles, int64_t particle_dim, double a, double b, double c, double d0, double tau) {
             return std::make_shared<target::DoubleWellPotential>(
                 target::DoubleWellOptions().particles(particles).particle_dim(particle_dim).a(a).b(b).c(c).d0(d0).tau(tau));
           }),
           py::arg("particles") = 4, py::arg("particle_dim") = 2, py::arg("a") = 0.0, py::arg("b") = -4.0,
           py::arg("c") = 0.9, py::arg("d0") = 4.0, py::arg("tau") = 1.0)
      .def("energy", &target::DoubleWellPotential::energy, py::arg("x"), "u(x) [N] float64.");
}

}  // namespace esvgd::python
