// The one random draw behind each dropout call of nn/dropout.h: a 64-bit seed from LibTorch's
// default CPU generator, from which every element's keep bit is hashed (dropout_mask). Fused ops
// that apply dropout themselves (nn/dropout_add_layer_norm.h) draw it the same way, so they keep
// exactly the elements apply_dropout would keep at the same point of the generator stream.
#pragma once

#include <cstdint>

namespace adalora::nn {

/// One seed from LibTorch's default CPU generator (under its lock), as apply_dropout draws it.
uint64_t draw_dropout_seed();

}  // namespace adalora::nn
