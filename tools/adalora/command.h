// A CLI subcommand: registers its options on a CLI11 subcommand and runs.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace adalora::cli {

struct Command {
  const char* name;
  const char* summary;
  /// Adds options to `app`; returns the function that runs the command (exit code).
  std::function<std::function<int()>(CLI::App& app)> setup;
};

/// The subcommand table (commands.cpp).
const std::vector<Command>& commands();

}  // namespace adalora::cli
