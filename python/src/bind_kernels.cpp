// Kernels: RBF, the matrix orbit kernels (finite groups, SO(2), SO(3), planar particle systems),
// group-averaged scalar kernels, and invariant-feature kernels whose map may be a Python function.
#include "bindings.h"
#include "esvgd/core/error.h"
#include "esvgd/kernel/group_averaged.h"
#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/kernel/median.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/kernel/particle_orbit.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/kernel/so2_orbit.h"
#include "esvgd/kernel/so3_orbit.h"

namespace esvgd::python {

namespace {

using kernel::Kernel;

/// A feature map f: R^D -> R^F given as a Python function X [N, D] -> [N, F]; its Jacobian comes
/// from autograd through the function (so it must be written in differentiable torch operations).
class PyFeatureMap : public kernel::FeatureMap {
 public:
  PyFeatureMap(py::object fn, std::string name) : fn_(hold(std::move(fn))), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  torch::Tensor features(const torch::Tensor& X) const override {
    py::gil_scoped_acquire gil;
    py::object result = (*fn_)(X);
    if (!THPVariable_Check(result.ptr()))
      throw Error(ErrorKind::kInvalidArgument, "feature map '" + name_ + "'", "must return a torch.Tensor");
    auto F = result.cast<torch::Tensor>();
    if (F.dim() != 2 || F.size(0) != X.size(0))
      throw Error(ErrorKind::kInvalidArgument, "feature map '" + name_ + "'",
                  "must return [N, F] for N = " + std::to_string(X.size(0)) + " points, got " + std::to_string(F.dim()) + " dims");
    return F;
  }

 private:
  std::shared_ptr<py::object> fn_;
  std::string name_;
};

std::shared_ptr<Kernel> mutable_kernel(std::shared_ptr<const Kernel> k) { return std::const_pointer_cast<Kernel>(std::move(k)); }

void bind_kernel_base(py::module_& m) {
  py::enum_<kernel::RepulsionForm>(m, "RepulsionForm",
                                   "Which side of k(x, y) the repulsion differentiates: textbook (the source y_j) or "
                                   "reference (the receiver x_i, the authors' code). Strings 'textbook'/'reference' work too.")
      .value("textbook", kernel::RepulsionForm::kTextbook)
      .value("reference", kernel::RepulsionForm::kReference)
      .def(py::init(&kernel::parse_repulsion_form));
  py::implicitly_convertible<py::str, kernel::RepulsionForm>();

  py::class_<Kernel, std::shared_ptr<Kernel>>(
      m, "Kernel",
      "A positive-definite kernel k(x, y) = exp(−d²(x, y)/(2h²)) with bandwidth h (a length, not h² and not 2h²); "
      "immutable: with_bandwidth returns a copy.")
      .def_property_readonly("name", &Kernel::name)
      .def_property_readonly("bandwidth", &Kernel::bandwidth)
      .def_property_readonly("is_matrix_valued", &Kernel::is_matrix_valued)
      .def("with_bandwidth", [](const Kernel& k, double h) { return mutable_kernel(k.with_bandwidth(h)); }, py::arg("h"))
      .def("phi", &Kernel::phi, py::arg("x"), py::arg("y"), py::arg("scores"), py::arg("temperature") = 1.0,
           py::call_guard<py::gil_scoped_release>(),
           "The Stein direction at x [N, D] from the points y [M, D] with scores [M, D]: "
           "φ(x_i) = 1/M Σ_j [K(x_i, y_j) s_j + T ∇_{y_j}·K(x_i, y_j)].")
      .def("gram", &Kernel::gram, py::arg("a"), py::arg("b"), py::call_guard<py::gil_scoped_release>(),
           "k(a_i, b_j): [N, M] (matrix-valued kernels: [N, M, D, D]).")
      .def("pair_sq_dist", &Kernel::pair_sq_dist, py::arg("a"), py::arg("b"), "d²(a_i, b_j) [N, M] of the kernel's metric.")
      .def("__repr__", [](const Kernel& k) { return "<esvgd.Kernel " + k.name() + " h=" + std::to_string(k.bandwidth()) + ">"; });
  m.def(
      "median_bandwidth",
      [](const Kernel& k, const torch::Tensor& x, int64_t max_pairs, uint64_t seed) {
        auto gen = at::detail::createCPUGenerator(seed);
        return kernel::median_bandwidth(k, x, max_pairs, gen);
      },
      py::arg("kernel"), py::arg("x"), py::arg("max_pairs") = 100000, py::arg("seed") = 0,
      "The median heuristic: 2h² = med d²(x_i, x_j) / log(N + 1) in the kernel's metric (0 when all points coincide).");
}

void bind_feature_maps(py::module_& m) {
  py::class_<kernel::FeatureMap, std::shared_ptr<kernel::FeatureMap>>(m, "FeatureMap",
                                                                        "A G-invariant map f: R^D -> R^F applied row by row.")
      .def_property_readonly("name", &kernel::FeatureMap::name)
      .def("features", &kernel::FeatureMap::features, py::arg("x"))
      .def("jacobian", &kernel::FeatureMap::jacobian, py::arg("x"), "J_f(x): [N, F, D].");
  py::class_<PyFeatureMap, kernel::FeatureMap, std::shared_ptr<PyFeatureMap>>(
      m, "PythonFeatureMap", "A feature map written in torch: fn(x [N, D]) -> [N, F], differentiated by autograd.")
      .def(py::init<py::object, std::string>(), py::arg("fn"), py::arg("name") = "python");
  py::class_<kernel::RadiusMap, kernel::FeatureMap, std::shared_ptr<kernel::RadiusMap>>(m, "RadiusMap", "f(x) = |x|: O(D)-invariant.")
      .def(py::init<>());
  py::class_<kernel::ParticleMap, kernel::FeatureMap, std::shared_ptr<kernel::ParticleMap>>(
      m, "ParticleMap", "A particle-system invariant: 'canonical' form or species-sorted 'pair-distances'.")
      .def(py::init([](const std::string& kind, int64_t particles, int64_t particle_dim, std::vector<int64_t> species) {
             return std::make_shared<kernel::ParticleMap>(
                 group::ParticleInvariant(group::parse_particle_invariant(kind), particles, particle_dim, std::move(species)));
           }),
           py::arg("kind"), py::arg("particles"), py::arg("particle_dim") = 2, py::arg("species") = std::vector<int64_t>{});
}

void bind_kernel_families(py::module_& m) {
  py::class_<kernel::RbfKernel, Kernel, std::shared_ptr<kernel::RbfKernel>>(m, "RBF", "k(x, y) = exp(−|x − y|²/(2h²)).")
      .def(py::init<double>(), py::arg("bandwidth"));
  py::class_<kernel::OrbitMatrixKernel, Kernel, std::shared_ptr<kernel::OrbitMatrixKernel>>(
      m, "OrbitMatrix", "The equivariant matrix kernel K(x, y) = 1/|G| Σ_g k(x, g y) R_g (E-SVGD).")
      .def(py::init([](const group::Group& g, double h, int64_t nodes, uint64_t seed) {
             auto gen = at::detail::createCPUGenerator(seed);
             return std::make_shared<kernel::OrbitMatrixKernel>(g, h, nodes, gen);
           }),
           py::arg("group"), py::arg("bandwidth"), py::arg("quadrature_nodes") = 64, py::arg("seed") = 0,
           "Finite groups use all elements; continuous ones a quadrature rule of about quadrature_nodes elements.");
  py::class_<kernel::GroupAveragedKernel, Kernel, std::shared_ptr<kernel::GroupAveragedKernel>>(
      m, "GroupAveraged", "The invariant scalar kernel k_G(x, y) = 1/|G| Σ_g k(x, g y).")
      .def(py::init([](const group::Group& g, double h, kernel::RepulsionForm form, int64_t nodes, uint64_t seed) {
             auto gen = at::detail::createCPUGenerator(seed);
             return std::make_shared<kernel::GroupAveragedKernel>(g, h, form, nodes, gen);
           }),
           py::arg("group"), py::arg("bandwidth"), py::arg("form") = kernel::RepulsionForm::kTextbook,
           py::arg("quadrature_nodes") = 64, py::arg("seed") = 0);
  py::class_<kernel::InvariantFeatureKernel, Kernel, std::shared_ptr<kernel::InvariantFeatureKernel>>(
      m, "InvariantFeature", "k(x, y) = exp(−|f(x) − f(y)|²/(2h²)) for an invariant feature map f.")
      .def(py::init([](py::object map, double h, kernel::RepulsionForm form) {
             std::shared_ptr<const kernel::FeatureMap> f =
                 py::isinstance<kernel::FeatureMap>(map) ? map.cast<std::shared_ptr<kernel::FeatureMap>>()
                                                         : std::make_shared<PyFeatureMap>(map, "python");
             return std::make_shared<kernel::InvariantFeatureKernel>(f, h, form);
           }),
           py::arg("feature_map"), py::arg("bandwidth"), py::arg("form") = kernel::RepulsionForm::kTextbook,
           "feature_map: a FeatureMap or a Python function x [N, D] -> [N, F].");
  py::class_<kernel::So2OrbitKernel, Kernel, std::shared_ptr<kernel::So2OrbitKernel>>(
      m, "SO2Orbit", "The exact SO(2) matrix orbit kernel (closed-form integral over the circle).")
      .def(py::init<double>(), py::arg("bandwidth"));
  py::class_<kernel::So3OrbitKernel, Kernel, std::shared_ptr<kernel::So3OrbitKernel>>(m, "SO3Orbit",
                                                                                        "The exact SO(3) matrix orbit kernel.")
      .def(py::init<double>(), py::arg("bandwidth"));
  py::class_<kernel::ParticleOrbitKernel, Kernel, std::shared_ptr<kernel::ParticleOrbitKernel>>(
      m, "ParticleOrbit", "The exact matrix orbit kernel of P planar particles under O(2) x S_P (translations by centring).")
      .def(py::init<int64_t, double, bool>(), py::arg("particles"), py::arg("bandwidth"), py::arg("reflections") = true);
}

}  // namespace

void bind_kernels(py::module_& m) {
  bind_kernel_base(m);
  bind_feature_maps(m);
  bind_kernel_families(m);
}

}  // namespace esvgd::python
