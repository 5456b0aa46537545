// The c10d wrapper with Gloo over loopback: ranks are threads of this process (each its own
// TCPStore client and process group). Averages per dtype, broadcast, uneven all-gather, the
// environment's errors, and a peer that is gone → Error within the timeout, never a hang.
#include "adalora/dist/process_group.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <thread>

#include "adalora/core/error.h"
#include "adalora/dist/local_launcher.h"

namespace adalora::dist {
namespace {

using std::chrono::milliseconds;

// Runs `body(group)` on `world` threads, one rank each, over a fresh port.
void on_ranks(int64_t world, const std::function<void(ProcessGroup&)>& body,
              milliseconds timeout = milliseconds(20000)) {
  const int port = free_port();
  std::vector<std::thread> threads;
  std::vector<std::string> errors(static_cast<size_t>(world));
  for (int64_t r = 0; r < world; ++r) {
    threads.emplace_back([&, r] {
      try {
        Environment env;
        env.rank = r;
        env.world_size = world;
        env.master_port = port;
        auto group = ProcessGroup::connect(env, {timeout});
        body(*group);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(r)] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int64_t r = 0; r < world; ++r) EXPECT_EQ(errors[static_cast<size_t>(r)], "") << "rank " << r;
}

TEST(ProcessGroupTest, AveragesEveryTensorPerDtype) {
  on_ranks(3, [](ProcessGroup& g) {
    EXPECT_EQ(g.backend(), "gloo");
    const double r = static_cast<double>(g.rank());
    auto a = torch::full({2, 3}, r, torch::kFloat64);  // [2, 3]
    auto b = torch::arange(4, torch::kFloat32) * (r + 1);  // [4]
    auto c = torch::full({1}, 10 * r, torch::kFloat64);  // [1]
    g.average({a, b, c});
    EXPECT_TRUE(torch::equal(a, torch::full({2, 3}, 1.0, torch::kFloat64)));  // (0+1+2)/3
    EXPECT_TRUE(torch::equal(b, torch::arange(4, torch::kFloat32) * 2));      // (1+2+3)/3
    EXPECT_EQ(c.item<double>(), 10.0);
  });
}

TEST(ProcessGroupTest, BroadcastCopiesRankZerosValues) {
  on_ranks(2, [](ProcessGroup& g) {
    auto p = torch::full({3}, static_cast<double>(g.rank() + 5), torch::kFloat64).requires_grad_();
    auto q = torch::full({2, 2}, static_cast<float>(g.rank() * 7), torch::kFloat32);
    g.broadcast({p, q});
    EXPECT_TRUE(torch::equal(p.detach(), torch::full({3}, 5.0, torch::kFloat64)));
    EXPECT_TRUE(torch::equal(q, torch::zeros({2, 2})));
  });
}

TEST(ProcessGroupTest, AllGatherConcatenatesUnevenRowsInRankOrder) {
  on_ranks(3, [](ProcessGroup& g) {
    // Rank 0: 2 rows, rank 1: none, rank 2: 1 row.
    const int64_t rows = g.rank() == 0 ? 2 : g.rank() == 1 ? 0 : 1;
    auto mine = torch::full({rows, 2}, static_cast<double>(g.rank()), torch::kFloat64);
    auto all = g.all_gather_rows(mine);  // [3, 2]
    auto expected = torch::tensor({0.0, 0.0, 0.0, 0.0, 2.0, 2.0}, torch::kFloat64).view({3, 2});
    EXPECT_TRUE(torch::equal(all, expected)) << all;
    EXPECT_EQ(g.all_gather(10 + g.rank()), (std::vector<int64_t>{10, 11, 12}));
  });
}

TEST(ProcessGroupTest, APeerThatLeftIsAnErrorNotAHang) {
  const auto start = std::chrono::steady_clock::now();
  const int port = free_port();
  std::string error;
  std::thread peer([&] {
    Environment env;
    env.rank = 1, env.world_size = 2, env.master_port = port;
    auto group = ProcessGroup::connect(env, {milliseconds(3000)});
    group->barrier();
  });  // the peer's group is destroyed here: its sockets close
  Environment env;
  env.rank = 0, env.world_size = 2, env.master_port = port;
  auto group = ProcessGroup::connect(env, {milliseconds(3000)});
  group->barrier();
  peer.join();
  try {
    group->sum(torch::ones({4}));
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("distributed: rank 0: all-reduce failed"), std::string::npos) << error;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
}

TEST(ProcessGroupTest, RendezvousWithoutPeersTimesOutWithAnError) {
  Environment env;
  env.rank = 0, env.world_size = 2, env.master_port = free_port();
  try {
    ProcessGroup::connect(env, {milliseconds(1000)});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rendezvous at 127.0.0.1:"), std::string::npos) << e.what();
  }
}

TEST(EnvironmentTest, ReadsTorchrunVariablesAndNamesBadOnes) {
  ::unsetenv("WORLD_SIZE");
  EXPECT_FALSE(Environment::from_env());
  ::setenv("WORLD_SIZE", "4", 1);
  ::setenv("RANK", "3", 1);
  ::setenv("MASTER_ADDR", "node7", 1);
  ::setenv("MASTER_PORT", "29611", 1);
  ::unsetenv("LOCAL_RANK");
  auto env = Environment::from_env();
  ASSERT_TRUE(env);
  EXPECT_EQ(env->rank, 3);
  EXPECT_EQ(env->world_size, 4);
  EXPECT_EQ(env->local_rank, 3);
  EXPECT_EQ(env->master_addr, "node7");
  EXPECT_EQ(env->master_port, 29611);
  ::setenv("RANK", "4", 1);
  try {
    Environment::from_env();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "distributed: environment variable RANK: expected an integer in [0, 3], got \"4\"");
  }
  ::unsetenv("RANK");
  EXPECT_THROW(Environment::from_env(), Error);
  for (const char* v : {"WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"}) ::unsetenv(v);
}

}  // namespace
}  // namespace adalora::dist
