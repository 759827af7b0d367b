// Metrics: MMD² and KSD² with an RBF kernel, the reference bandwidth, orbit-space helpers.
#include "bindings.h"
#include "esvgd/metric/discrepancy.h"

namespace esvgd::python {

void bind_metrics(py::module_& m) {
  m.def("mmd2", &metric::mmd2, py::arg("x"), py::arg("y"), py::arg("bandwidth"), py::call_guard<py::gil_scoped_release>(),
        "Unbiased MMD² between samples x [N, D] and y [M, D] with the RBF kernel of bandwidth h.");
  m.def("ksd2", &metric::ksd2, py::arg("x"), py::arg("scores"), py::arg("bandwidth"), py::call_guard<py::gil_scoped_release>(),
        "Kernel Stein discrepancy² (U-statistic, RBF kernel) of samples x [N, D] given the target's scores at them.");
  m.def("reference_bandwidth", &metric::reference_bandwidth, py::arg("y"),
        "A fixed bandwidth for comparing particle sets against reference samples y: h = sqrt(med |y − y'|² / 2).");
}

}  // namespace esvgd::python
