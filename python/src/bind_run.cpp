// Whole experiments from Python: esvgd.run("c4-gaussians", preset="quick", overrides={...}) runs
// exactly what `esvgd run` runs (same folders, checkpoints and outputs) and returns the metrics.
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bindings.h"
#include "cli/cli.h"
#include "esvgd/core/error.h"
#include "experiment/experiment.h"

namespace esvgd::python {

namespace {

/// Writes to two stream buffers: the terminal, and a copy kept for the error message.
class TeeBuffer : public std::streambuf {
 public:
  TeeBuffer(std::streambuf* a, std::streambuf* b) : a_(a), b_(b) {}

 protected:
  int overflow(int c) override {
    if (c == EOF) return !EOF;
    const bool ok = a_->sputc(static_cast<char>(c)) != EOF && b_->sputc(static_cast<char>(c)) != EOF;
    return ok ? c : EOF;
  }
  int sync() override { return a_->pubsync() | b_->pubsync(); }

 private:
  std::streambuf *a_, *b_;
};

/// The command line `esvgd run <experiment> ...` as an argument vector.
std::vector<std::string> run_arguments(const std::string& experiment, const std::string& preset, const py::dict& overrides,
                                       const std::string& out, uint64_t seed, int64_t threads, bool quiet, bool plot) {
  std::vector<std::string> args{"esvgd", "run", experiment, "--preset", preset, "--out", out, "--seed", std::to_string(seed)};
  py::module_ json = py::module_::import("json");
  for (const auto& [key, value] : overrides)
    args.insert(args.end(), {"--set", py::str(key).cast<std::string>() + "=" + json.attr("dumps")(value).cast<std::string>()});
  if (threads > 0) args.insert(args.end(), {"--threads", std::to_string(threads)});
  if (quiet) args.push_back("--quiet");
  if (!plot) args.push_back("--no-plot");
  return args;
}

py::object run(const std::string& experiment, const std::string& preset, const py::dict& overrides, const std::string& out,
               uint64_t seed, int64_t threads, bool quiet, bool plot) {
  const auto dir = out.empty() ? "results/" + experiment : out;  // the command line's default
  auto args = run_arguments(experiment, preset, overrides, dir, seed, threads, quiet, plot);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream kept;
  TeeBuffer tee(std::cerr.rdbuf(), kept.rdbuf());
  std::ostream err(&tee);
  int status;
  {
    py::gil_scoped_release nogil;
    status = cli::main(static_cast<int>(argv.size()), argv.data(), std::cout, err);
  }
  if (status != 0) {
    auto message = kept.str();
    const auto last = message.find_last_not_of('\n');
    throw Error(ErrorKind::kInvalidArgument, "esvgd.run('" + experiment + "')",
                last == std::string::npos ? "failed" : message.substr(0, last + 1));
  }
  std::ifstream in(dir + "/metrics.json");
  return py::module_::import("json").attr("loads")(std::string(std::istreambuf_iterator<char>(in), {}));
}

}  // namespace

void bind_run(py::module_& m) {
  m.def("run", &run, py::arg("experiment"), py::arg("preset") = "paper", py::arg("overrides") = py::dict(),
        py::arg("out") = "", py::arg("seed") = 42, py::arg("threads") = 0, py::arg("quiet") = false, py::arg("plot") = true,
        "Runs an experiment as `esvgd run` does (outputs in `out`, default results/<experiment>) and returns its metrics "
        "as a dict; overrides are config keys (see `esvgd config <experiment>`) with JSON-able values.");
  m.def("experiments", [] {
    std::vector<std::pair<std::string, std::string>> names;
    for (const auto& e : experiment::experiments()) names.emplace_back(e->name(), e->summary());
    return names;
  }, "(name, summary) of every experiment.");
}

}  // namespace esvgd::python
