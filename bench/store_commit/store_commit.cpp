// bench/store_commit: durable write jobs per second with group commit against one transaction
// and one fsync per job, same code, same disk, same run; prints both rates and their ratio.
//
//   store_commit_bench [--writers N] [--seconds S] [--dir PATH]
//
// Each writer thread adds a message item (metadata + change log + modseq, the shape of a local
// delivery) and waits until the job is durable before submitting the next, as an SMTP session
// waits before its 250. Blob files are written once up front so only the commit path is measured.
#include "storage/collections.hpp"
#include "storage/directory.hpp"
#include "storage/items.hpp"
#include "storage/store.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace atrium::storage;
namespace fs = std::filesystem;

namespace {

struct Result {
  double jobs_per_second = 0;
  std::uint64_t jobs = 0;
  std::uint64_t commits = 0;
  double seconds = 0;
};

Result run(const fs::path& dir, CommitMode mode, int writers, double seconds) {
  fs::remove_all(dir);
  auto store = Store::open({.data_dir = dir, .commit_mode = mode});
  auto user = store->write([](WriteTxn& t) {
    directory::add_domain(t, "bench.test");
    return directory::add_user(t, {"bench@bench.test", "$argon2id$unused", "", 0});
  });
  auto box = store->read([&](ReadTxn& t) {
    return collections::find(t, Actor::system(), user, CollectionKind::mailbox, "INBOX")->id;
  });
  auto blob = store->blobs().put(std::string(4096, 'x'));
  auto before = store->writer_stats();
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        store->write([&](WriteTxn& t) {
          items::add(t, Actor::principal(user), {.collection = box, .kind = ItemKind::message, .blob = blob});
        });
        done.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto after = store->writer_stats();
  Result r;
  r.jobs = done.load();
  r.commits = after.commits - before.commits;
  r.seconds = elapsed;
  r.jobs_per_second = static_cast<double>(r.jobs) / elapsed;
  store.reset();
  fs::remove_all(dir);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int writers = 50;
  double seconds = 5;
  fs::path dir = fs::current_path() / "store-commit-bench-data";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--writers")) writers = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    else {
      fmt::print(stderr, "usage: store_commit_bench [--writers N] [--seconds S] [--dir PATH]\n");
      return 2;
    }
  }
  if (writers < 1 || seconds <= 0) return 2;
  fmt::print("store_commit: {} concurrent writers, {} s per mode, data in {}\n", writers, seconds, dir.string());
  auto per_job = run(dir, CommitMode::per_job, writers, seconds);
  fmt::print("per_job_commit  jobs={} commits={} jobs_per_s={:.0f}\n", per_job.jobs, per_job.commits,
             per_job.jobs_per_second);
  auto group = run(dir, CommitMode::group, writers, seconds);
  fmt::print("group_commit    jobs={} commits={} jobs_per_s={:.0f} mean_batch={:.1f}\n", group.jobs, group.commits,
             group.jobs_per_second, group.commits ? double(group.jobs) / double(group.commits) : 0.0);
  fmt::print("ratio group/per_job = {:.1f}x\n", per_job.jobs_per_second > 0 ? group.jobs_per_second / per_job.jobs_per_second : 0.0);
  return 0;
}
