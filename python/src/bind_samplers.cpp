// Samplers in the library's init / step / run shape: SVGD (with the noisy step) and Langevin, their
// options (keyword constructors, properties named like the C++ setters) and states (values).
#include "bindings.h"
#include "esvgd/kernel/kernel.h"
#include "esvgd/sampler/langevin.h"
#include "esvgd/sampler/svgd.h"

/// A nested options property (SvgdOptions.optimizer): read and written in place, never a copy.
#define ESVGD_PY_NESTED(cls, name)                                                                    \
  def_property(                                                                                      \
      #name, [](cls& o) -> auto& { return o.name(); },                                               \
      [](cls& o, const std::decay_t<decltype(std::declval<const cls&>().name())>& v) { o.name(v); }, \
      py::return_value_policy::reference_internal)

namespace esvgd::python {

namespace {

using namespace sampler;

template <class Options>
py::class_<Options> options_class(py::module_& m, const char* name, const char* doc) {
  py::class_<Options> c(m, name, doc);
  c.def(py::init(&options_from_kwargs<Options>))
      .def("__repr__", [](py::object self) { return options_repr(self); })
      .def("copy", [](const Options& o) { return Options(o); });
  return c;
}

void bind_options(py::module_& m) {
  py::enum_<OptimizerKind>(m, "OptimizerKind").value("sgd", OptimizerKind::kSgd).value("adagrad", OptimizerKind::kAdagrad)
      .value("adam", OptimizerKind::kAdam).def(py::init(&parse_optimizer_kind));
  py::implicitly_convertible<py::str, OptimizerKind>();
  py::enum_<AnnealSchedule>(m, "AnnealSchedule").value("none", AnnealSchedule::kNone)
      .value("cyclical", AnnealSchedule::kCyclical).value("tanh", AnnealSchedule::kTanh)
      .def(py::init(&parse_anneal_schedule));
  py::implicitly_convertible<py::str, AnnealSchedule>();

  options_class<OptimizerOptions>(m, "OptimizerOptions", "The particle optimiser: sgd (the paper), adagrad (Liu's), adam.")
      .ESVGD_PY_OPTION(OptimizerOptions, kind).ESVGD_PY_OPTION(OptimizerOptions, step_size)
      .ESVGD_PY_OPTION(OptimizerOptions, adagrad_alpha).ESVGD_PY_OPTION(OptimizerOptions, adagrad_fudge)
      .ESVGD_PY_OPTION(OptimizerOptions, adam_beta1).ESVGD_PY_OPTION(OptimizerOptions, adam_beta2)
      .ESVGD_PY_OPTION(OptimizerOptions, adam_eps);
  options_class<AnnealOptions>(m, "AnnealOptions", "Annealing of the driving term: γ(t) s + φ's repulsion.")
      .ESVGD_PY_OPTION(AnnealOptions, schedule).ESVGD_PY_OPTION(AnnealOptions, steps)
      .ESVGD_PY_OPTION(AnnealOptions, cycles).ESVGD_PY_OPTION(AnnealOptions, power);
  options_class<SvgdOptions>(m, "SvgdOptions", "Options of an SVGD run (see docs/method.md for each).")
      .ESVGD_PY_NESTED(SvgdOptions, optimizer).ESVGD_PY_OPTION(SvgdOptions, max_steps)
      .ESVGD_PY_OPTION(SvgdOptions, epsilon).ESVGD_PY_OPTION(SvgdOptions, temperature)
      .ESVGD_PY_OPTION(SvgdOptions, median).ESVGD_PY_OPTION(SvgdOptions, median_interval)
      .ESVGD_PY_OPTION(SvgdOptions, median_max_pairs).ESVGD_PY_OPTION(SvgdOptions, median_seed)
      .ESVGD_PY_NESTED(SvgdOptions, anneal).ESVGD_PY_OPTION(SvgdOptions, kernel_mass)
      .ESVGD_PY_OPTION(SvgdOptions, langevin).ESVGD_PY_OPTION(SvgdOptions, langevin_noise)
      .ESVGD_PY_OPTION(SvgdOptions, stein_weight).ESVGD_PY_OPTION(SvgdOptions, clip)
      .ESVGD_PY_OPTION(SvgdOptions, measure_coupling);
  options_class<LangevinOptions>(m, "LangevinOptions", "Unadjusted Langevin: x += clip((ε/2) s(x)) + σ √ε ξ, clamped into [low, high].")
      .ESVGD_PY_OPTION(LangevinOptions, max_steps).ESVGD_PY_OPTION(LangevinOptions, step_size)
      .ESVGD_PY_OPTION(LangevinOptions, noise).ESVGD_PY_OPTION(LangevinOptions, clip)
      .ESVGD_PY_OPTION(LangevinOptions, low).ESVGD_PY_OPTION(LangevinOptions, high);
}

void bind_results(py::module_& m) {
  py::enum_<StopReason>(m, "StopReason").value("max_steps", StopReason::kMaxSteps)
      .value("converged", StopReason::kConverged).value("callback", StopReason::kCallback);
  py::class_<StepInfo>(m, "StepInfo", "What one step did.")
      .def_readonly("step", &StepInfo::step).def_readonly("mean_displacement", &StepInfo::mean_displacement)
      .def_readonly("bandwidth", &StepInfo::bandwidth).def_readonly("gamma", &StepInfo::gamma)
      .def("__repr__", [](const StepInfo& i) {
        return "StepInfo(step=" + std::to_string(i.step) + ", mean_displacement=" + std::to_string(i.mean_displacement) +
               ", bandwidth=" + std::to_string(i.bandwidth) + ")";
      });
  py::class_<ChainResult>(m, "ChainResult", "The end of a run.")
      .def_readonly("particles", &ChainResult::particles).def_readonly("steps", &ChainResult::steps)
      .def_readonly("stop_reason", &ChainResult::stop_reason).def_readonly("bandwidth", &ChainResult::bandwidth)
      .def_readonly("interacting", &ChainResult::interacting,
                    "mean number of points each particle interacts with at the end (-1: not measured)");
}

Callback to_callback(const py::object& callback) {
  if (callback.is_none()) return nullptr;
  auto fn = hold(callback);
  return [fn](const StepInfo& info, const torch::Tensor& X) {
    py::gil_scoped_acquire gil;
    py::object keep_going = (*fn)(info, X);
    return keep_going.is_none() || keep_going.cast<bool>();
  };
}

void bind_svgd(py::module_& m) {
  py::class_<SvgdState>(m, "SvgdState", "Everything an SVGD run changes: particles, optimiser moments, bandwidth, step.")
      .def_readwrite("particles", &SvgdState::particles).def_readonly("anchors", &SvgdState::anchors)
      .def_readwrite("bandwidth", &SvgdState::bandwidth).def_readonly("step", &SvgdState::step)
      .def("clone", &SvgdState::clone, "A copy with its own tensors and generators (continues identically).");
  m.def(
      "svgd_init",
      [](const torch::Tensor& x0, const kernel::Kernel& k, const SvgdOptions& o, std::optional<torch::Tensor> anchors) {
        return init(x0, k, o, anchors.value_or(torch::Tensor()));
      },
      py::arg("x0"), py::arg("kernel"), py::arg("options"), py::arg("anchors") = py::none(),
      "The state at step 0 for particles x0 [N, D] (float64 or float32), optional fixed anchors [A, D].");
  m.def("svgd_update_bandwidth", &update_bandwidth, py::arg("state"), py::arg("kernel"), py::arg("options"),
        "The bandwidth rule: the median heuristic every median_interval steps when options.median, else h stays.");
  m.def(
      "svgd_step",
      [](SvgdState& s, const py::object& score, const kernel::Kernel& k, const SvgdOptions& o) {
        auto fn = to_score(score);
        py::gil_scoped_release nogil;
        return step(s, fn, k, o);
      },
      py::arg("state"), py::arg("score"), py::arg("kernel"), py::arg("options"),
      "One step at the state's bandwidth (advances the state in place) -> StepInfo.");
  m.def(
      "svgd_run",
      [](SvgdState& s, const py::object& score, const kernel::Kernel& k, const SvgdOptions& o, const py::object& cb) {
        auto fn = to_score(score);
        auto callback = to_callback(cb);
        py::gil_scoped_release nogil;
        return run(s, fn, k, o, callback);
      },
      py::arg("state"), py::arg("score"), py::arg("kernel"), py::arg("options"), py::arg("callback") = py::none(),
      "update_bandwidth + step until max_steps, convergence (epsilon) or callback(info, particles) returning False.");
}

void bind_langevin(py::module_& m) {
  py::class_<LangevinState>(m, "LangevinState", "Particles, steps taken and the noise stream of a Langevin run.")
      .def_readwrite("particles", &LangevinState::particles).def_readonly("step", &LangevinState::step);
  m.def(
      "langevin_init",
      [](const torch::Tensor& x0, const LangevinOptions& o, uint64_t seed) {
        return init(x0, o, at::detail::createCPUGenerator(seed));
      },
      py::arg("x0"), py::arg("options"), py::arg("seed") = 0);
  m.def(
      "langevin_step",
      [](LangevinState& s, const py::object& score, const LangevinOptions& o) {
        auto fn = to_score(score);
        py::gil_scoped_release nogil;
        return step(s, fn, o);
      },
      py::arg("state"), py::arg("score"), py::arg("options"));
  m.def(
      "langevin_run",
      [](LangevinState& s, const py::object& score, const LangevinOptions& o) {
        auto fn = to_score(score);
        py::gil_scoped_release nogil;
        return run(s, fn, o);
      },
      py::arg("state"), py::arg("score"), py::arg("options"));
}

}  // namespace

void bind_samplers(py::module_& m) {
  bind_options(m);
  bind_results(m);
  bind_svgd(m);
  bind_langevin(m);
}

}  // namespace esvgd::python
