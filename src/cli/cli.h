#pragma once
/// The `esvgd` command line:
///   esvgd run <experiment> [--preset paper|quick] [--config FILE.json] [--set key=value]...
///                          [--out DIR] [--init FILE.npy] [--seed N] [--threads N] [--quiet]
///   esvgd config <experiment> [--preset P] [--set ...] [--json]   print the resolved config (with docs, or as JSON)
///   esvgd list                                            list the experiments
///   esvgd launch --nproc K -- run <experiment> ...        K ranks on this machine (cli/launch.h)
/// Errors print one line "esvgd: <what>" plus a usage hint and return a non-zero status.
#include <ostream>

namespace esvgd::cli {

/// Runs the command line; returns the process exit status (0 ok, 1 runtime error, 2 usage error).
int main(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace esvgd::cli
