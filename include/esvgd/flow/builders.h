#pragma once
/// Ready-made flows for neural-transport sampling (docs/method.md, "Equivariant neural transport"),
/// each a ScaleLayer followed by `layers` layers of one kind, every new flow the identity map.
#include <memory>
#include <string>

#include "esvgd/core/arg.h"
#include "esvgd/flow/flow.h"

namespace esvgd::flow {

struct FlowOptions {
  ESVGD_ARG(int64_t, layers) = 4;   ///< layers after the scale
  ESVGD_ARG(int64_t, bins) = 8;     ///< spline bins (radial and polar layers)
  ESVGD_ARG(double, bound) = 12.0;  ///< splines act on [0, bound] (radial) and are linear beyond
  ESVGD_ARG(int64_t, hidden) = 32;  ///< units of the conditioning MLPs (polar and coupling layers)
};

/// Throws esvgd::Error(kInvalidArgument) naming a bad option ("FlowOptions::bins", ...).
void check_flow(const FlowOptions& options);

/// O(D)-equivariant: radial splines of the whole row.
std::shared_ptr<Flow> radial_flow(int64_t dim, const FlowOptions& options);
/// C_order-equivariant in the plane: polar layers.
std::shared_ptr<Flow> cyclic_flow(int64_t order, const FlowOptions& options);
/// Particle systems (P particles of d coordinates): radial splines of every particle and of the whole
/// row, alternating; equivariant to O(d) acting on all particles and to permutations of the particles.
std::shared_ptr<Flow> particle_radial_flow(int64_t particles, int64_t particle_dim, const FlowOptions& options);
/// Not equivariant: RealNVP affine couplings with alternating masks (the baseline of similar size).
std::shared_ptr<Flow> real_nvp_flow(int64_t dim, const FlowOptions& options);

}  // namespace esvgd::flow
