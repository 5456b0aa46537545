// `adalora inspect DIR`: what an adapter folder holds — the method, each adapted module's rank
// (and init_r for AdaLoRA), the totals, and parameter counts: the tensors stored and what PEFT
// would call trainable while training this configuration. Works on folders PEFT wrote.
#include <iomanip>
#include <iostream>

#include "adalora/io/json.h"
#include "adalora/peft/adapter_loader.h"
#include "tools/adalora/command.h"

namespace adalora::cli {
namespace {

struct InspectFlags {
  std::string dir;
  bool json = false;
};

}  // namespace

Command inspect_command() {
  return {"inspect", "Show an adapter folder's method, rank pattern and parameter counts",
          [](CLI::App& app) {
            auto f = std::make_shared<InspectFlags>();
            app.add_option("dir", f->dir,
                           "Adapter folder (adapter_config.json + adapter_model.safetensors, "
                           "or model.safetensors of full fine-tuning / BitFit)")
                ->required();
            app.add_flag("--json", f->json, "Print one JSON object instead of a table");
            return [f]() {
              const peft::AdapterSummary s = peft::describe_adapter(f->dir);
              const bool adalora = s.method == "adalora";
              if (f->json) {
                io::Json modules = io::Json::array();
                for (const auto& m : s.modules) {
                  modules.push_back({{"module", m.path},
                                     {"rank", m.rank},
                                     {"init_r", m.init_r},
                                     {"in_features", m.in_features},
                                     {"out_features", m.out_features},
                                     {"stored_params", m.stored_parameters}});
                }
                std::cout << io::Json({{"dir", s.dir},
                                       {"method", s.method},
                                       {"modules", modules},
                                       {"modules_to_save", s.modules_to_save},
                                       {"total_rank", s.total_rank},
                                       {"budget_rank", s.budget_rank},
                                       {"stored_tensors", s.stored_tensors},
                                       {"stored_params", s.stored_parameters},
                                       {"modules_to_save_params", s.modules_to_save_parameters},
                                       {"peft_trainable_params", s.peft_trainable_parameters}})
                                 .dump()
                          << "\n";
                return 0;
              }
              std::cout << s.dir << ": " << s.method << "\n";
              if (!s.modules.empty()) {
                size_t width = 6;
                for (const auto& m : s.modules) width = std::max(width, m.path.size());
                std::cout << "  " << std::left << std::setw(static_cast<int>(width)) << "module"
                          << std::right << std::setw(8) << (adalora ? "rank" : "r")
                          << (adalora ? "  init_r" : "") << std::setw(8) << "in" << std::setw(8)
                          << "out" << std::setw(12) << "params"
                          << "\n";
                for (const auto& m : s.modules) {
                  std::cout << "  " << std::left << std::setw(static_cast<int>(width)) << m.path
                            << std::right << std::setw(8) << m.rank;
                  if (adalora) std::cout << std::setw(8) << m.init_r;
                  std::cout << std::setw(8) << m.in_features << std::setw(8) << m.out_features
                            << std::setw(12) << m.stored_parameters << "\n";
                }
                std::cout << "  total rank " << s.total_rank;
                if (adalora) std::cout << " (" << s.budget_rank << " at init_r)";
                std::cout << " over " << s.modules.size() << " modules\n";
              }
              if (!s.modules_to_save.empty()) {
                std::cout << "  modules_to_save tensors: " << s.modules_to_save.size() << " ("
                          << s.modules_to_save_parameters << " parameters)\n";
              }
              std::cout << "  stored: " << s.stored_tensors << " tensors, " << s.stored_parameters
                        << " parameters\n"
                        << "  trainable (as PEFT counts while training"
                        << (adalora ? ", every matrix at init_r" : "")
                        << "): " << s.peft_trainable_parameters << "\n";
              return 0;
            };
          }};
}

}  // namespace adalora::cli
