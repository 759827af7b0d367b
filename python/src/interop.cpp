// Python callables as library callables, and the options' repr.
#include <algorithm>

#include "bindings.h"
#include "esvgd/core/error.h"
#include "esvgd/target/target.h"

namespace esvgd::python {

std::shared_ptr<py::object> hold(py::object object) {
  return std::shared_ptr<py::object>(new py::object(std::move(object)), [](py::object* o) {
    py::gil_scoped_acquire gil;
    delete o;
  });
}

namespace {

std::string shape_of(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

}  // namespace

ScoreFn to_score(const py::object& score) {
  if (py::isinstance<target::Target>(score)) {
    // Copies the shared_ptr holder so that the target lives as long as the score.
    auto target = score.cast<std::shared_ptr<target::Target>>();
    return [target](const torch::Tensor& X) { return target->score(X); };
  }
  if (!PyCallable_Check(score.ptr()))
    throw Error(ErrorKind::kInvalidArgument, "score", "must be an esvgd target or a callable X [N, D] -> [N, D]");
  auto fn = hold(score);
  return [fn](const torch::Tensor& X) {
    py::gil_scoped_acquire gil;
    py::object result = (*fn)(X);
    if (!THPVariable_Check(result.ptr()))
      throw Error(ErrorKind::kInvalidArgument, "score",
                  "returned " + py::str(py::type::of(result).attr("__name__")).cast<std::string>() + ", expected a torch.Tensor");
    auto S = result.cast<torch::Tensor>();
    if (!S.sizes().equals(X.sizes()))
      throw Error(ErrorKind::kInvalidArgument, "score", "returned shape " + shape_of(S) + " for points of shape " + shape_of(X));
    return S.to(X.dtype());
  };
}

namespace {

/// The properties of an options object, in name order (its methods and private names left out).
std::vector<std::string> option_names(const py::object& self) {
  std::vector<std::string> names;
  for (const auto& attr : py::module_::import("builtins").attr("dir")(self)) {
    const auto name = attr.cast<std::string>();
    if (name[0] != '_' && !PyCallable_Check(py::getattr(self, name.c_str()).ptr())) names.push_back(name);
  }
  return names;
}

}  // namespace

void set_options(const py::object& self, const py::kwargs& kwargs) {
  const auto names = option_names(self);
  for (const auto& [key, value] : kwargs) {
    const auto name = py::str(key).cast<std::string>();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      throw py::type_error(py::type::of(self).attr("__name__").cast<std::string>() + ": unknown option '" + name +
                           "' (expected one of: " + known + ")");
    }
    py::setattr(self, name.c_str(), value);
  }
}

std::string options_repr(const py::object& self) {
  std::string out = py::type::of(self).attr("__name__").cast<std::string>() + "(";
  for (const auto& name : option_names(self))
    out += (out.back() == '(' ? "" : ", ") + name + "=" + py::repr(py::getattr(self, name.c_str())).cast<std::string>();
  return out + ")";
}

}  // namespace esvgd::python
