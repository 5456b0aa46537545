// Entry point of the `adalora` CLI: dispatches to the subcommand table and maps errors to exit codes
// (0 ok, 1 runtime failure, 2 usage or bad input). Users see messages, never backtraces.
#include <c10/util/Exception.h>

#include <iostream>

#include "adalora/core/error.h"
#include "adalora/core/threads.h"
#include "tools/adalora/command.h"

int main(int argc, char** argv) {
  CLI::App app{"adalora: parameter-efficient fine-tuning with AdaLoRA (Zhang et al., ICLR 2023)"};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "Intra-op threads (default: ADALORA_NUM_THREADS or all cores)");
  std::function<int()> run;
  for (const auto& command : adalora::cli::commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.summary);
    auto runner = std::make_shared<std::function<int()>>();
    *runner = command.setup(*sub);
    sub->callback([&run, runner] { run = *runner; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    adalora::configure_threads(threads);
    return run ? run() : 2;
  } catch (const adalora::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const c10::Error& e) {
    std::cerr << "error: " << e.what_without_backtrace() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
