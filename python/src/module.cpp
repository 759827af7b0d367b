// esvgd._core: the library's groups, targets, kernels, samplers and metrics for Python. Tensors
// cross without copies (torch.Tensor both ways; the package turns numpy arrays into tensors first).
#include "bindings.h"
#include "esvgd/core/error.h"

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  m.doc() = "The C++ core of esvgd (import esvgd, not this module).";
  // esvgd.Error is a ValueError: every bad input, option or data file raises it with the library's
  // message (which names the option or the file).
  static py::exception<esvgd::Error> error(m, "Error", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const esvgd::Error& e) {
      error(e.what());
    }
  });
  esvgd::python::bind_groups(m);
  esvgd::python::bind_targets(m);
  esvgd::python::bind_kernels(m);
  esvgd::python::bind_samplers(m);
  esvgd::python::bind_metrics(m);
  esvgd::python::bind_run(m);
}
