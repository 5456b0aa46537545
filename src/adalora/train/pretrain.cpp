// Masked-LM pre-training (see pretrain.h).
#include "adalora/train/pretrain.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "adalora/core/error.h"
#include "adalora/core/threads.h"
#include "adalora/data/sampler.h"
#include "adalora/io/atomic_file.h"
#include "adalora/io/hf_config.h"
#include "adalora/models/model.h"
#include "adalora/tokenizers/tokenizer.h"
#include "adalora/tokenizers/wordpiece_trainer.h"
#include "adalora/train/lr_schedule.h"
#include "adalora/train/mlm_collator.h"
#include "adalora/train/optimizer.h"
#include "adalora/train/report.h"
#include "adalora/train/train_state.h"

namespace adalora::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kTokenizerFiles[] = {"tokenizer.json", "vocab.txt", "tokenizer_config.json",
                                           "special_tokens_map.json"};
constexpr size_t kEncodeChunk = 4096;  // lines encoded at once (bounds the Encoding objects alive)

const PretrainConfig& validated(const PretrainConfig& c) {
  auto positive = [](const char* field, int64_t v) {
    ADALORA_CHECK(v > 0, "pretrain: ", field, ": expected > 0, got ", v);
  };
  ADALORA_CHECK(!c.corpus.empty(), "pretrain: corpus: expected a text file, got \"\"");
  ADALORA_CHECK(!c.output_dir.empty(), "pretrain: output_dir: expected a folder, got \"\"");
  ADALORA_CHECK(c.arch == "bert" || c.arch == "deberta-v2",
                "pretrain: arch: expected \"bert\" or \"deberta-v2\", got \"", c.arch, "\"");
  positive("hidden_size", c.hidden_size);
  positive("num_hidden_layers", c.num_hidden_layers);
  positive("num_attention_heads", c.num_attention_heads);
  positive("intermediate_size", c.intermediate_size);
  positive("vocab_size", c.vocab_size);
  positive("per_device_train_batch_size", c.per_device_train_batch_size);
  ADALORA_CHECK(c.hidden_size % c.num_attention_heads == 0,
                "pretrain: num_attention_heads: expected a divisor of hidden_size=", c.hidden_size,
                ", got ", c.num_attention_heads);
  ADALORA_CHECK(c.max_seq_length >= 8, "pretrain: max_seq_length: expected ≥ 8, got ",
                c.max_seq_length);
  ADALORA_CHECK(c.max_steps > 0 || c.num_train_epochs > 0,
                "pretrain: num_train_epochs: expected > 0 (or max_steps > 0), got ",
                c.num_train_epochs);
  ADALORA_CHECK(c.learning_rate > 0, "pretrain: learning_rate: expected > 0, got ",
                c.learning_rate);
  ADALORA_CHECK(c.dropout >= 0 && c.dropout < 1,
                "pretrain: dropout: expected a value in [0, 1), got ", c.dropout);
  ADALORA_CHECK(c.logging_steps >= 0 && c.save_steps >= 0,
                "pretrain: logging_steps/save_steps: expected ≥ 0, got ", c.logging_steps, "/",
                c.save_steps);
  return c;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string quoted(const std::string& s) {
  if (!s.empty() && s.find_first_of(" \t\"'$\\;&|<>()*?") == std::string::npos) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  ADALORA_CHECK(in.good(), path,
                ": cannot read the corpus (hint: --corpus names a UTF-8 text file)");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(std::move(line));
  }
  ADALORA_CHECK(!lines.empty(), path, ": expected at least one non-empty line, got none");
  return lines;
}

// Trains the WordPiece vocabulary on the corpus into `dir`, or copies the reused tokenizer there.
void prepare_tokenizer(const PretrainConfig& c, const std::string& dir) {
  fs::create_directories(dir);
  if (c.tokenizer.empty()) {
    tokenizers::WordPieceTrainerOptions options;
    options.vocab_size = static_cast<size_t>(c.vocab_size);
    options.model_max_length = static_cast<size_t>(c.max_seq_length);
    options.num_threads = c.num_threads;
    tokenizers::WordPieceTrainer trainer(options);
    trainer.feed_file(c.corpus);
    tokenizers::save_wordpiece_tokenizer(dir, trainer.train(), options);
    return;
  }
  if (fs::is_directory(c.tokenizer)) {
    for (const char* name : kTokenizerFiles) {
      const fs::path from = fs::path(c.tokenizer) / name;
      if (fs::exists(from))
        fs::copy_file(from, fs::path(dir) / name, fs::copy_options::overwrite_existing);
    }
  } else {
    fs::copy_file(c.tokenizer, fs::path(dir) / "tokenizer.json",
                  fs::copy_options::overwrite_existing);
  }
}

int64_t required_id(const std::optional<int64_t>& id, const char* token, const std::string& where) {
  ADALORA_CHECK(id.has_value(), where, ": expected a ", token,
                " token in the vocabulary, found none");
  return *id;
}

}  // namespace

std::string pretrain_command_line(const PretrainConfig& c, int num_threads) {
  std::ostringstream s;
  s << "adalora pretrain --corpus " << quoted(c.corpus) << " --out " << quoted(c.output_dir);
  if (!c.tokenizer.empty()) s << " --tokenizer " << quoted(c.tokenizer);
  s << " --arch " << c.arch << " --hidden-size " << c.hidden_size << " --layers "
    << c.num_hidden_layers << " --heads " << c.num_attention_heads << " --intermediate-size "
    << c.intermediate_size << " --vocab-size " << c.vocab_size << " --max-seq-length "
    << c.max_seq_length << " --batch-size " << c.per_device_train_batch_size << " --learning-rate "
    << number(c.learning_rate) << " --weight-decay " << number(c.weight_decay);
  if (c.warmup_steps > 0)
    s << " --warmup-steps " << c.warmup_steps;
  else
    s << " --warmup-ratio " << number(c.warmup_ratio);
  s << " --max-grad-norm " << number(c.max_grad_norm);
  if (c.max_steps > 0)
    s << " --max-steps " << c.max_steps;
  else
    s << " --epochs " << number(c.num_train_epochs);
  s << " --mlm-probability " << number(c.mlm_probability) << " --dropout " << number(c.dropout)
    << " --seed " << c.seed << " --logging-steps " << c.logging_steps << " --save-steps "
    << c.save_steps;
  if (c.stop_after_steps > 0) s << " --stop-after-steps " << c.stop_after_steps;
  if (c.time_budget_minutes > 0) s << " --minutes " << number(c.time_budget_minutes);
  s << " --threads " << num_threads;
  return s.str();
}

io::Json pretrain_model_config(const PretrainConfig& c, int64_t vocab_size, int64_t pad_token_id) {
  io::Json j = {{"model_type", c.arch},
                {"vocab_size", vocab_size},
                {"hidden_size", c.hidden_size},
                {"num_hidden_layers", c.num_hidden_layers},
                {"num_attention_heads", c.num_attention_heads},
                {"intermediate_size", c.intermediate_size},
                {"hidden_act", "gelu"},
                {"hidden_dropout_prob", c.dropout},
                {"attention_probs_dropout_prob", c.dropout},
                {"max_position_embeddings", c.max_seq_length},
                {"initializer_range", 0.02},
                {"pad_token_id", pad_token_id}};
  if (c.arch == "bert") {
    j["type_vocab_size"] = 2;
    j["layer_norm_eps"] = 1e-12;
    j["position_embedding_type"] = "absolute";
  } else {  // DeBERTa-v3's layout (microsoft/deberta-v3-*), log buckets scaled to the length
    j["type_vocab_size"] = 0;
    j["layer_norm_eps"] = 1e-7;
    j["relative_attention"] = true;
    j["max_relative_positions"] = -1;
    j["position_buckets"] = std::min<int64_t>(256, c.max_seq_length / 2);
    j["norm_rel_ebd"] = "layer_norm";
    j["share_att_key"] = true;
    j["pos_att_type"] = "p2c|c2p";
    j["position_biased_input"] = false;
  }
  return j;
}

std::vector<std::vector<int64_t>> pack_blocks(const std::vector<std::vector<int64_t>>& lines,
                                              int64_t block_length, int64_t cls_id,
                                              int64_t sep_id) {
  ADALORA_CHECK(block_length >= 3, "pretrain: block length: expected ≥ 3, got ", block_length);
  const size_t body = static_cast<size_t>(block_length - 2);
  std::vector<std::vector<int64_t>> blocks;
  std::vector<int64_t> current = {cls_id};
  auto push = [&](int64_t id) {
    current.push_back(id);
    if (current.size() == body + 1) {
      current.push_back(sep_id);
      blocks.push_back(std::move(current));
      current = {cls_id};
    }
  };
  bool first = true;
  for (const auto& line : lines) {
    if (line.empty()) continue;
    // A [SEP] between lines, never at a block's start (it would follow [CLS] and carry nothing).
    if (!first && current.size() > 1) push(sep_id);
    first = false;
    for (int64_t id : line) push(id);
  }
  return blocks;
}

PretrainResult pretrain(const PretrainConfig& config_in, PretrainCallback progress,
                        PretrainMessage message) {
  const PretrainConfig& config = validated(config_in);
  const auto start = Clock::now();
  auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  PretrainResult result;
  result.threads = configure_threads(config.num_threads);
  const std::string command = config.command_line.empty()
                                  ? pretrain_command_line(config, result.threads)
                                  : config.command_line;

  // Tokenizer and packed blocks.
  const std::string work_dir = config.output_dir + ".work";
  const std::string tokenizer_dir = work_dir + "/tokenizer";
  fs::remove_all(work_dir);
  prepare_tokenizer(config, tokenizer_dir);
  const tokenizers::Tokenizer tokenizer = tokenizers::Tokenizer::from_dir(tokenizer_dir);
  const std::string where = config.tokenizer.empty() ? tokenizer_dir : config.tokenizer;
  const int64_t cls = required_id(tokenizer.cls_id(), "[CLS]", where);
  const int64_t sep = required_id(tokenizer.sep_id(), "[SEP]", where);
  const int64_t mask = required_id(tokenizer.mask_id(), "[MASK]", where);
  const int64_t pad = required_id(tokenizer.pad_id(), "[PAD]", where);
  const int64_t vocab = static_cast<int64_t>(tokenizer.vocab_size());
  result.vocab_size = vocab;

  std::vector<std::vector<int64_t>> line_ids;
  {
    const std::vector<std::string> lines = read_lines(config.corpus);
    line_ids.reserve(lines.size());
    for (size_t i = 0; i < lines.size(); i += kEncodeChunk) {
      const std::vector<std::string> chunk(
          lines.begin() + i, lines.begin() + std::min(lines.size(), i + kEncodeChunk));
      for (auto& e : tokenizer.encode_batch(chunk, /*add_special_tokens=*/false, std::nullopt,
                                            config.num_threads)) {
        line_ids.push_back(std::move(e.ids));
      }
    }
  }
  const auto blocks = pack_blocks(line_ids, config.max_seq_length, cls, sep);
  line_ids.clear();
  const int64_t n = static_cast<int64_t>(blocks.size());
  ADALORA_CHECK(
      n > 0, config.corpus, ": expected at least ", config.max_seq_length,
      " tokens to fill one block of max_seq_length, got fewer (hint: a longer corpus or a "
      "smaller --max-seq-length)");
  const int64_t length = config.max_seq_length;
  torch::Tensor data = torch::empty({n, length}, torch::kInt64);  // [N, T]
  for (int64_t i = 0; i < n; ++i) {
    std::copy(blocks[i].begin(), blocks[i].end(), data[i].data_ptr<int64_t>());
  }
  result.num_blocks = n;
  result.tokenize_seconds = seconds_since(start);

  // Model, optimizer, schedule, collator.
  torch::manual_seed(config.seed);
  const io::HfConfig model_config(pretrain_model_config(config, vocab, pad), "pretrain config");
  const models::ModelPtr model = models::build_model(model_config, models::TaskHead::MaskedLM);
  result.num_parameters = models::count_parameters(*model).total;
  const int64_t batch = std::min(config.per_device_train_batch_size, n);
  const int64_t steps_per_epoch = std::max<int64_t>(1, n / batch);
  const int64_t total_steps =
      config.max_steps > 0
          ? config.max_steps
          : std::max<int64_t>(
                1, static_cast<int64_t>(
                       std::ceil(config.num_train_epochs * static_cast<double>(steps_per_epoch))));
  result.total_steps = total_steps;
  const LinearSchedule schedule(
      config.learning_rate,
      resolve_warmup_steps(config.warmup_steps, config.warmup_ratio, total_steps), total_steps);
  AdamWConfig adamw;
  adamw.learning_rate = config.learning_rate;
  adamw.weight_decay = config.weight_decay;
  const auto optimizer = build_adamw(*model, adamw);
  std::vector<torch::Tensor> parameters;
  for (const auto& p : model->parameters()) {
    if (p.requires_grad()) parameters.push_back(p);
  }
  MlmCollatorOptions masking;
  masking.mlm_probability = config.mlm_probability;
  masking.mask_token_id = mask;
  masking.vocab_size = vocab;
  masking.pad_token_id = pad;
  masking.special_token_ids = {cls, sep, mask};
  if (auto unk = tokenizer.unk_id()) masking.special_token_ids.push_back(*unk);
  masking.seed = config.seed;
  MlmCollator collator(masking);
  const data::EpochSampler sampler(n, config.seed);

  if (message) {
    message(str_cat("tokenizer: ", vocab, " ids (", config.tokenizer.empty() ? "trained" : "reused",
                    "); corpus: ", n, " blocks of ", length, " tokens (", n * length,
                    " tokens) in ", number(result.tokenize_seconds),
                    " s; model: ", model->hf_class(), ", ", result.num_parameters, " parameters; ",
                    total_steps, " steps of ", batch, " blocks (",
                    number(static_cast<double>(total_steps) / static_cast<double>(steps_per_epoch)),
                    " epochs); ", result.threads, " threads"));
  }

  // Live log in the work folder; copied into every saved model folder.
  const std::string log_path = work_dir + "/log.jsonl";
  const std::string csv_path = work_dir + "/mlm_loss_curve.csv";
  {
    std::ofstream csv(csv_path);
    csv << "step,loss,learning_rate,elapsed_seconds\n";
  }
  std::vector<std::pair<int64_t, double>> loss_points;  // what mlm_loss_curve.csv holds
  auto save = [&](int64_t steps_done) {
    write_folder_atomic(config.output_dir, [&](const std::string& dir) {
      models::save_pretrained(*model, dir);
      for (const char* name : kTokenizerFiles) {
        const fs::path from = fs::path(tokenizer_dir) / name;
        if (fs::exists(from)) fs::copy_file(from, fs::path(dir) / name);
      }
      for (const char* name : {"log.jsonl", "mlm_loss_curve.csv"}) {
        const fs::path from = fs::path(work_dir) / name;
        if (fs::exists(from)) fs::copy_file(from, fs::path(dir) / name);
      }
      io::write_file_atomic(dir + "/mlm_loss_curve.svg",
                            loss_curve_svg(loss_points, total_steps, "MLM loss: " + model->hf_class(),
                                           str_cat("mean MLM loss per ", config.logging_steps, " steps")));
      std::ofstream out(dir + "/pretrain_command.txt");
      out << command << "\n";
      if (steps_done < total_steps) {
        out << "# saved after " << steps_done << " of " << total_steps
            << " steps (a periodic save, --stop-after-steps, or a stop by --minutes or request); "
               "the command above with --stop-after-steps "
            << steps_done << " reproduces those steps exactly with the same thread count\n";
      }
      ADALORA_CHECK(out.good(), dir, "/pretrain_command.txt: cannot write");
    });
  };

  model->train();
  const auto train_start = Clock::now();
  auto window_start = train_start;
  double window_loss = 0;
  int64_t window_steps = 0;
  bool first_window = true;
  int64_t epoch_in_order = -1;
  std::vector<int64_t> order;
  const double max_norm =
      config.max_grad_norm > 0 ? config.max_grad_norm : std::numeric_limits<double>::infinity();
  int64_t step = 0;
  while (step < total_steps) {
    const int64_t epoch = step / steps_per_epoch;
    if (epoch != epoch_in_order) {
      order = sampler.order(epoch);
      epoch_in_order = epoch;
    }
    const int64_t first = (step % steps_per_epoch) * batch;
    const torch::Tensor indices =
        torch::tensor(std::vector<int64_t>(order.begin() + first, order.begin() + first + batch));
    const MlmBatch masked = collator.mask(data.index_select(0, indices));  // [B, T]
    models::ModelInputs inputs;
    inputs.input_ids = masked.input_ids;
    inputs.attention_mask = masked.attention_mask;
    inputs.labels = masked.labels;
    const torch::Tensor loss = model->forward(inputs).loss;  // []
    const double value = loss.item<double>();
    ADALORA_CHECK(std::isfinite(value), "pretrain: step ", step + 1,
                  ": loss: expected a finite number, got ", value,
                  "; stopped (hint: lower the learning rate)");
    loss.backward();
    const double grad_norm = torch::nn::utils::clip_grad_norm_(parameters, max_norm);
    const double lr = schedule.lr(step);
    set_learning_rate(*optimizer, lr);
    optimizer->step();
    optimizer->zero_grad();
    ++step;
    window_loss += value;
    ++window_steps;

    const bool last = step == total_steps;
    const double elapsed = seconds_since(train_start);
    const bool out_of_time =
        config.time_budget_minutes > 0 && seconds_since(start) >= config.time_budget_minutes * 60.0;
    const bool keep_going =
        (!progress || progress({step, total_steps, value, lr, elapsed, batch * length})) &&
        !out_of_time && !(config.stop_after_steps > 0 && step >= config.stop_after_steps);
    const bool stop = !keep_going && !last;
    if ((config.logging_steps > 0 && step % config.logging_steps == 0) || last || stop) {
      const double window_seconds = seconds_since(window_start);
      const double mean = window_loss / static_cast<double>(window_steps);
      const double rate =
          window_seconds > 0 ? static_cast<double>(window_steps) / window_seconds : 0;
      io::Json line = {{"step", step},
                       {"epoch", static_cast<double>(step) / static_cast<double>(steps_per_epoch)},
                       {"loss", mean},
                       {"lr", lr},
                       {"grad_norm", grad_norm},
                       {"steps_per_second", rate},
                       {"tokens_per_second", rate * static_cast<double>(batch * length)},
                       {"elapsed_seconds", elapsed}};
      std::ofstream(log_path, std::ios::app) << line.dump() << '\n';
      std::ofstream(csv_path, std::ios::app)
          << step << ',' << number(mean) << ',' << number(lr) << ',' << number(elapsed) << '\n';
      loss_points.emplace_back(step, mean);
      if (first_window) result.first_loss = mean;
      first_window = false;
      result.final_loss = mean;
      window_loss = 0;
      window_steps = 0;
      window_start = Clock::now();
    }
    if ((config.save_steps > 0 && step % config.save_steps == 0) || last || stop) save(step);
    if (stop) {
      result.stopped_early = true;
      break;
    }
  }
  result.steps = step;
  result.train_seconds = seconds_since(train_start);
  fs::remove_all(work_dir);
  return result;
}

}  // namespace adalora::train
