#include "adalora/nn/attention.h"

#include "adalora/core/error.h"
#include "adalora/nn/batched_matmul.h"
#include "adalora/nn/dropout.h"

namespace adalora::nn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Runs f(b, h) for every (batch, head) pair, whole heads per thread (nn/batched_matmul.h).
template <typename F>
void for_each_head(int64_t batch, int64_t heads, F f) {
  for_each_matrix(batch * heads, [&](int64_t i) { f(i / heads, i % heads); });
}

// The [T, D] matrix of head h in batch b of a [B, T, H, D] tensor (row stride H·D).
torch::Tensor head(const torch::Tensor& x, int64_t b, int64_t h) { return x.select(0, b).select(1, h); }

struct AttentionFunction : torch::autograd::Function<AttentionFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, const torch::Tensor& mask, bool has_mask, double divisor,
                               double dropout_p) {
    const int64_t B = q.size(0), T = q.size(1), H = q.size(2), D = q.size(3), S = k.size(1);
    auto scores = torch::empty({B, H, T, S}, q.options());
    for_each_head(B, H, [&](int64_t b, int64_t h) {
      mm_into(scores[b][h], head(q, b, h), head(k, b, h).t());
    });
    scores.div_(divisor);
    if (has_mask) scores.add_(mask);
    auto probs = torch::softmax(scores, -1);
    scores = torch::Tensor();
    torch::Tensor keep, dropped = probs;
    if (dropout_p > 0) std::tie(dropped, keep) = dropout_forward(probs, dropout_p);
    auto context = torch::empty({B, T, H, D}, q.options());
    for_each_head(B, H, [&](int64_t b, int64_t h) {
      mm_into(head(context, b, h), dropped[b][h], head(v, b, h));
    });
    // probs (for softmax's backward) and the 1-byte mask are kept; the dropped probabilities are
    // recomputed from them in backward rather than stored.
    ctx->save_for_backward({q, k, v, probs, dropout_p > 0 ? keep : torch::empty({0}, q.options())});
    ctx->saved_data["divisor"] = divisor;
    ctx->saved_data["dropout_p"] = dropout_p;
    return context;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto q = saved[0].detach(), k = saved[1].detach(), v = saved[2].detach();
    const auto &probs = saved[3], &keep = saved[4];
    const double divisor = ctx->saved_data["divisor"].toDouble();
    const double dropout_p = ctx->saved_data["dropout_p"].toDouble();
    const auto g = grad_outputs[0].contiguous();  // [B, T, H, D]
    const int64_t B = q.size(0), H = q.size(2);
    const auto dropped = dropout_p > 0 ? probs * keep * (1.0 / (1.0 - dropout_p)) : probs;
    auto d_dropped = torch::empty_like(probs);  // ∂L/∂(dropped probs): [B, H, T, S]
    auto dv = torch::empty(v.sizes(), v.options());
    for_each_head(B, H, [&](int64_t b, int64_t h) {
      const auto gh = head(g, b, h);
      mm_into(d_dropped[b][h], gh, head(v, b, h).t());
      mm_into(head(dv, b, h), dropped[b][h].t(), gh);
    });
    const auto d_probs = dropout_p > 0 ? dropout_backward(d_dropped, keep, dropout_p) : d_dropped;
    auto d_scores = torch::_softmax_backward_data(d_probs, probs, -1, probs.scalar_type());
    d_scores.div_(divisor);
    auto dq = torch::empty(q.sizes(), q.options()), dk = torch::empty(k.sizes(), k.options());
    for_each_head(B, H, [&](int64_t b, int64_t h) {
      mm_into(head(dq, b, h), d_scores[b][h], head(k, b, h));
      mm_into(head(dk, b, h), d_scores[b][h].t(), head(q, b, h));
    });
    return {dq, dk, dv, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor multi_head_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                   const torch::Tensor& additive_mask, double divisor, double dropout_p,
                                   bool training, bool softmax_in_float32) {
  ADALORA_CHECK(q.dim() == 4 && k.dim() == 4 && v.dim() == 4,
                "multi_head_attention: expected q, k, v as [B, T, H, D], got ", q.sizes(), ", ", k.sizes(), ", ",
                v.sizes());
  ADALORA_CHECK(k.sizes() == v.sizes() && q.size(0) == k.size(0) && q.size(2) == k.size(2) && q.size(3) == k.size(3),
                "multi_head_attention: q ", q.sizes(), ", k ", k.sizes(), " and v ", v.sizes(),
                " disagree on batch, heads or head size");
  ADALORA_CHECK(dropout_p >= 0.0 && dropout_p < 1.0, "multi_head_attention: expected dropout in [0, 1), got ",
                dropout_p);
  const double p = training ? dropout_p : 0.0;
  const bool has_mask = additive_mask.defined();
  const auto mask = has_mask ? additive_mask.detach() : torch::empty({0}, q.options());
  const auto t = q.scalar_type();
  const bool fast = q.device().is_cpu() && (t == torch::kFloat32 || t == torch::kFloat64) &&
                    q.stride(3) == 1 && k.stride(3) == 1 && v.stride(3) == 1;
  if (!fast) {  // eager composition (other devices and dtypes): the same math
    auto scores = torch::matmul(q.transpose(1, 2), k.permute({0, 2, 3, 1})) / divisor;
    if (has_mask) scores = scores + mask;
    const bool upcast = softmax_in_float32 && (t == torch::kBFloat16 || t == torch::kHalf);
    auto probs = upcast ? torch::softmax(scores, -1, torch::kFloat32).to(t) : torch::softmax(scores, -1);
    probs = apply_dropout(probs, p, p > 0);
    return torch::matmul(probs, v.transpose(1, 2)).transpose(1, 2).reshape({q.size(0), q.size(1), -1});
  }
  auto context = AttentionFunction::apply(q, k, v, mask, has_mask, divisor, p);
  return context.view({q.size(0), q.size(1), -1});
}

}  // namespace adalora::nn
