// Ready-made flows (esvgd/flow/builders.h).
#include "esvgd/flow/builders.h"

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/flow/coupling.h"
#include "esvgd/flow/polar.h"
#include "esvgd/flow/radial.h"

namespace esvgd::flow {

void check_flow(const FlowOptions& o) {
  if (o.layers() < 0) throw Error(ErrorKind::kInvalidArgument, "FlowOptions::layers", "must be >= 0");
  if (o.bins() < 1) throw Error(ErrorKind::kInvalidArgument, "FlowOptions::bins", "must be >= 1");
  if (!(o.bound() > 0)) throw Error(ErrorKind::kInvalidArgument, "FlowOptions::bound", "must be > 0");
  if (o.hidden() < 1) throw Error(ErrorKind::kInvalidArgument, "FlowOptions::hidden", "must be >= 1");
}

namespace {

std::shared_ptr<Flow> scaled(int64_t dim) {
  auto flow = std::make_shared<Flow>(dim);
  flow->push_back(std::make_shared<ScaleLayer>(dim));
  return flow;
}

}  // namespace

std::shared_ptr<Flow> radial_flow(int64_t dim, const FlowOptions& o) {
  check_flow(o);
  auto flow = scaled(dim);
  for (int64_t l = 0; l < o.layers(); ++l)
    flow->push_back(std::make_shared<RadialSplineLayer>(dim, dim, o.bins(), o.bound()));
  return flow;
}

std::shared_ptr<Flow> cyclic_flow(int64_t order, const FlowOptions& o) {
  check_flow(o);
  auto flow = scaled(2);
  for (int64_t l = 0; l < o.layers(); ++l)
    flow->push_back(std::make_shared<CyclicPolarLayer>(order, o.bins(), o.bound(), o.hidden()));
  return flow;
}

std::shared_ptr<Flow> particle_radial_flow(int64_t particles, int64_t particle_dim, const FlowOptions& o) {
  check_flow(o);
  const int64_t dim = particles * particle_dim;
  auto flow = scaled(dim);
  for (int64_t l = 0; l < o.layers(); ++l) {
    const int64_t block = l % 2 == 0 ? particle_dim : dim;
    flow->push_back(std::make_shared<RadialSplineLayer>(dim, block, o.bins(), o.bound()));
  }
  return flow;
}

std::shared_ptr<Flow> real_nvp_flow(int64_t dim, const FlowOptions& o) {
  check_flow(o);
  auto flow = scaled(dim);
  const auto even = (torch::arange(dim) % 2 == 0).to(torch::kFloat32);
  for (int64_t l = 0; l < o.layers(); ++l)
    flow->push_back(std::make_shared<AffineCouplingLayer>(l % 2 == 0 ? even : 1 - even, o.hidden()));
  return flow;
}

}  // namespace esvgd::flow
