// The `esvgd` command line; all logic lives in esvgd::cli so that tests can call it in-process.
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) { return esvgd::cli::main(argc, argv, std::cout, std::cerr); }
