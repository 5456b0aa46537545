// The public API of libadalora in one include.
#pragma once

#include <torch/torch.h>

#include "adalora/core/error.h"
#include "adalora/core/threads.h"
#include "adalora/nn/linear.h"
#include "adalora/peft/adalora/adalora.h"
#include "adalora/peft/adalora/config.h"
#include "adalora/peft/lora.h"
#include "adalora/peft/registry.h"
#include "adalora/peft/targets.h"
