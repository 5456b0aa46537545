// The subcommand table: one line per subcommand, each implemented in its own file.
#include "tools/adalora/command.h"

namespace adalora::cli {

Command version_command();
Command init_model_command();
Command train_command();
Command tokenize_command();
Command evaluate_command();
Command predict_command();
Command inspect_command();
Command pretrain_command();
Command planted_rank_command();
Command generate_command();
Command export_command();
Command experiment_command();
Command logits_command();

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      version_command(),
      init_model_command(),
      train_command(),
      tokenize_command(),
      evaluate_command(),
      predict_command(),
      inspect_command(),
      pretrain_command(),
      planted_rank_command(),
      generate_command(),
      export_command(),
      experiment_command(),
      logits_command(),
  };
  return table;
}

}  // namespace adalora::cli
