// JSON and table forms of the planted-rank benchmark (see planted_rank_report.h).
#include "adalora/experiments/planted_rank_report.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace adalora::experiments {
namespace {

std::string general(double value, int digits) {
  std::ostringstream out;
  out << std::setprecision(digits) << value;
  return out.str();
}

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

}  // namespace

io::Json to_json(const PlantedRankConfig& c) {
  io::Json plant = io::Json::array();
  for (const auto& p : c.plant) plant.push_back({{"name", p.name}, {"rank", p.rank}});
  return {{"hidden_size", c.hidden_size},
          {"num_hidden_layers", c.num_hidden_layers},
          {"num_attention_heads", c.num_attention_heads},
          {"intermediate_size", c.intermediate_size},
          {"vocab_size", c.vocab_size},
          {"initializer_range", c.initializer_range},
          {"seq_length", c.seq_length},
          {"batch_size", c.batch_size},
          {"eval_batch_size", c.eval_batch_size},
          {"plant", plant},
          {"plant_scale", c.plant_scale},
          {"target_modules", c.target_modules},
          {"init_r", c.init_r},
          {"target_r", c.target_r},
          {"tinit", c.resolved_tinit()},
          {"tfinal", c.resolved_tfinal()},
          {"deltaT", c.deltaT},
          {"beta1", c.beta1},
          {"beta2", c.beta2},
          {"orth_reg_weight", c.orth_reg_weight},
          {"lora_alpha", c.lora_alpha},
          {"steps", c.steps},
          {"learning_rate", c.learning_rate},
          {"warmup_ratio", c.warmup_ratio},
          {"max_grad_norm", c.max_grad_norm},
          {"seed", c.seed}};
}

io::Json to_json(const PlantedRankResult& r) {
  io::Json matrices = io::Json::array();
  for (const auto& m : r.matrices) {
    matrices.push_back(
        {{"name", m.name}, {"planted", m.planted_rank}, {"allocated", m.allocated_rank}});
  }
  return {{"variant", r.variant},
          {"spearman", r.spearman},
          {"share_on_planted", r.share_on_planted},
          {"planted_total", r.planted_total},
          {"allocated_total", r.allocated_total},
          {"initial_loss", r.initial_loss},
          {"final_loss", r.final_loss},
          {"wall_seconds", r.wall_seconds},
          {"matrices", matrices}};
}

std::string format_table(const std::vector<PlantedRankResult>& results) {
  if (results.empty()) return "";
  // Rows of cells first, widths second: every column is as wide as its widest cell.
  using Row = std::vector<std::string>;
  std::vector<Row> table;
  auto add = [&](const std::string& label, const std::string& planted, const auto& cell_of) {
    Row row = {label, planted};
    for (const auto& r : results) row.push_back(cell_of(r));
    table.push_back(std::move(row));
  };
  add("matrix", "planted", [](const PlantedRankResult& r) { return r.variant; });
  const auto& matrices = results.front().matrices;  // every run adapts the same matrices
  for (size_t i = 0; i < matrices.size(); ++i) {
    add(matrices[i].name, std::to_string(matrices[i].planted_rank),
        [&](const PlantedRankResult& r) {
          return std::to_string(r.matrices.at(i).allocated_rank);
        });
  }
  add("total rank", std::to_string(results.front().planted_total),
      [](const PlantedRankResult& r) { return std::to_string(r.allocated_total); });
  add("spearman", "", [](const PlantedRankResult& r) { return fixed(r.spearman, 3); });
  add("share on planted", "",
      [](const PlantedRankResult& r) { return fixed(r.share_on_planted, 3); });
  add("initial loss", "", [](const PlantedRankResult& r) { return general(r.initial_loss, 4); });
  add("final loss", "", [](const PlantedRankResult& r) { return general(r.final_loss, 4); });
  const auto lora = std::find_if(results.begin(), results.end(),
                                 [](const PlantedRankResult& r) { return r.variant == "lora"; });
  if (lora != results.end() && lora->final_loss > 0) {
    add("final loss / LoRA", "",
        [&](const PlantedRankResult& r) { return fixed(r.final_loss / lora->final_loss, 3); });
  }
  add("wall seconds", "", [](const PlantedRankResult& r) { return fixed(r.wall_seconds, 1); });

  std::vector<size_t> width(table.front().size(), 0);
  for (const auto& row : table) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::ostringstream out;
  for (const auto& row : table) {
    out << std::left << std::setw(static_cast<int>(width[0])) << row[0] << std::right;
    for (size_t c = 1; c < row.size(); ++c) {
      out << "  " << std::setw(static_cast<int>(width[c])) << row[c];
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace adalora::experiments
