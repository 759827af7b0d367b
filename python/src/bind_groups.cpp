// Groups: C(n), SO(2), O(2), SO(3), O(3), particle systems E(2) x S_P, molecules, image rotations.
#include "bindings.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/group/image_rotation_group.h"
#include "esvgd/group/molecule_group.h"
#include "esvgd/group/orthogonal.h"
#include "esvgd/group/particle_group.h"

namespace esvgd::python {

namespace {

at::Generator seeded(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

}  // namespace

void bind_groups(py::module_& m) {
  using group::Group;
  py::class_<Group, std::shared_ptr<Group>>(m, "Group", "A group of orthogonal maps acting on R^D (points are rows).")
      .def_property_readonly("name", &Group::name)
      .def_property_readonly("dim", &Group::dim, "D: the dimension of the space acted on")
      .def_property_readonly("is_finite", &Group::is_finite)
      .def("elements", &Group::elements, "All elements [G, D, D] float64, the identity first (finite groups only).")
      .def(
          "random_element", [](const Group& g, uint64_t seed) { auto gen = seeded(seed); return g.random_element(gen); },
          py::arg("seed") = 0, "One Haar-uniform element [D, D] float64.")
      .def("fold", &Group::fold, py::arg("x"), "Every row of x [N, D] mapped to its orbit's canonical representative.")
      .def(
          "quadrature", [](const Group& g, int64_t count, uint64_t seed) { auto gen = seeded(seed); return g.quadrature(count, gen); },
          py::arg("count"), py::arg("seed") = 0,
          "Elements [Q, D, D] to average over: all of a finite group, else a rule of about `count` nodes closed under inverses.")
      .def("__repr__", [](const Group& g) { return "<esvgd.Group " + g.name() + ">"; });

  py::class_<group::CyclicGroup, Group, std::shared_ptr<group::CyclicGroup>>(m, "C", "C_n: rotations of the plane by 2πk/n.")
      .def(py::init<int64_t>(), py::arg("n"))
      .def_property_readonly("order", &group::CyclicGroup::order);
  py::class_<group::OrthogonalGroup, Group, std::shared_ptr<group::OrthogonalGroup>>(m, "OrthogonalGroup")
      .def(py::init<int64_t, bool>(), py::arg("dim"), py::arg("special"));
  m.def("SO", [](int64_t n) { return std::make_shared<group::OrthogonalGroup>(n, true); }, py::arg("n"), "SO(n): rotations of R^n.");
  m.def("O", [](int64_t n) { return std::make_shared<group::OrthogonalGroup>(n, false); }, py::arg("n"),
        "O(n): rotations and reflections of R^n.");
  py::class_<group::ParticleGroup, Group, std::shared_ptr<group::ParticleGroup>>(
      m, "ParticleGroup", "E(2) x S_P on P planar particles flattened to (x1, y1, x2, y2, ...).")
      .def(py::init<int64_t>(), py::arg("particles"))
      .def_property_readonly("particles", &group::ParticleGroup::particles);
  py::class_<group::MoleculeGroup, Group, std::shared_ptr<group::MoleculeGroup>>(
      m, "MoleculeGroup", "E(3) x the permutations of atoms of one element, for atoms of the given atomic numbers.")
      .def(py::init<std::vector<int64_t>>(), py::arg("atomic_numbers"));
  py::class_<group::ImageRotationGroup, Group, std::shared_ptr<group::ImageRotationGroup>>(
      m, "ImageRotations", "C4 acting on side x side images flattened to rows by rotating the image.")
      .def(py::init<int64_t>(), py::arg("side"));
  m.def("make_group", &group::make_group, py::arg("name"), "A group by name: 'C<n>', 'SO2', 'O2', 'SO3', 'O3'.");
  m.def("act", &group::act, py::arg("g"), py::arg("x"), "g [D, D] acting on every row of x [N, D]: x gᵀ.");
}

}  // namespace esvgd::python
