// gtest main shared by every test executable: sets LibTorch's thread count from the machine.
#include <gtest/gtest.h>

#include "adalora/core/threads.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  adalora::configure_threads();
  return RUN_ALL_TESTS();
}
