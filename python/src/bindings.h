#pragma once
/// The pieces of the extension module esvgd._core, one file per library module (module.cpp calls
/// them in order), and what they share: turning Python callables into library callables.
#include <torch/python.h>
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "esvgd/core/score_fn.h"

namespace esvgd::python {

namespace py = pybind11;

void bind_groups(py::module_& m);
void bind_targets(py::module_& m);
void bind_kernels(py::module_& m);
void bind_samplers(py::module_& m);
void bind_metrics(py::module_& m);
void bind_run(py::module_& m);

/// A score for the library: a bound Target's own C++ score (no Python on the hot path), or a Python
/// callable X [N, D] -> [N, D], called with the GIL taken (the library's loops run without it).
ScoreFn to_score(const py::object& score);

/// Holds a Python object in C++ code that may run without the GIL: its last reference is released
/// with the GIL taken.
std::shared_ptr<py::object> hold(py::object object);

/// Sets each keyword on an options object; every keyword must name one of its properties (the
/// error lists them).
void set_options(const py::object& self, const py::kwargs& kwargs);

/// Options objects (structs with chained setters) built from keyword arguments: SvgdOptions(max_steps=500, ...).
template <class Options>
std::unique_ptr<Options> options_from_kwargs(const py::kwargs& kwargs) {
  auto options = std::make_unique<Options>();
  set_options(py::cast(options.get(), py::return_value_policy::reference), kwargs);
  return options;
}

/// "Name(key=value, ...)" of an options object, from its properties.
std::string options_repr(const py::object& self);

}  // namespace esvgd::python

/// An options property read and written through the struct's getter and chained setter (core/arg.h).
#define ESVGD_PY_OPTION(cls, name)                                                                   \
  def_property(                                                                                      \
      #name, [](const cls& o) { return o.name(); },                                                  \
      [](cls& o, const std::decay_t<decltype(std::declval<const cls&>().name())>& v) { o.name(v); })
