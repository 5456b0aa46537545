// `adalora version`: the library version, the LibTorch it runs on and the BLAS it got.
#include <torch/torch.h>

#include <iostream>

#include "adalora/core/blas.h"
#include "tools/adalora/command.h"

namespace adalora::cli {

Command version_command() {
  return {"version", "Print the version and the LibTorch build", [](CLI::App&) {
            return [] {
              std::cout << "adalora 0.1.0 (LibTorch " << TORCH_VERSION << ", " << at::get_num_threads()
                        << " threads)\n"
                        << "BLAS: " << blas_description() << "\n";
              return 0;
            };
          }};
}

}  // namespace adalora::cli
