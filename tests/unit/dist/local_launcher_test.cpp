// The local launcher with /bin/sh as the "rank": torchrun's variables, exit codes forwarded, the
// failing rank's log tail, and survivors stopped after the grace period.
#include "adalora/dist/local_launcher.h"

#include <gtest/gtest.h>

#include <chrono>

#include "adalora/io/atomic_file.h"
#include "tests/support/golden.h"

namespace adalora::dist {
namespace {

using adalora::testing::TempDir;

std::vector<std::string> sh(const std::string& script) { return {"/bin/sh", "-c", script}; }

TEST(LocalLauncherTest, EveryRankGetsTorchrunsVariables) {
  TempDir dir;
  LaunchOptions o;
  o.nproc = 3;
  o.log_dir = dir.path();
  o.master_port = 29123;
  const std::string script = "echo \"$RANK $LOCAL_RANK $WORLD_SIZE $MASTER_ADDR $MASTER_PORT\" > " +
                             dir.path() + "/env_$RANK";
  ASSERT_EQ(launch_local(sh(script), o), 0);
  for (int r = 0; r < 3; ++r) {
    const std::string r_s = std::to_string(r);
    EXPECT_EQ(io::read_file(dir.file("env_" + r_s)), r_s + " " + r_s + " 3 127.0.0.1 29123\n");
  }
}

TEST(LocalLauncherTest, ForwardsTheFailingRanksExitCode) {
  TempDir dir;
  LaunchOptions o;
  o.nproc = 3;
  o.log_dir = dir.path();
  EXPECT_EQ(launch_local(sh("echo rank $RANK says bye; [ $RANK = 1 ] && exit 3; exit 0"), o), 3);
  EXPECT_EQ(io::read_file(dir.file("rank_1.log")), "rank 1 says bye\n");
  EXPECT_EQ(launch_local(sh("kill -9 $$"), o), 128 + 9);
}

TEST(LocalLauncherTest, StopsSurvivorsAfterTheGracePeriod) {
  TempDir dir;
  LaunchOptions o;
  o.nproc = 2;
  o.log_dir = dir.path();
  o.grace = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(launch_local(sh("[ $RANK = 0 ] && exit 5; exec sleep 60"), o), 5);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

}  // namespace
}  // namespace adalora::dist
