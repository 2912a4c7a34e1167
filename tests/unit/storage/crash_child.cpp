// Load generator for the crash test: writers add messages forever and print "ack <id> <hash>"
// for each one the store has acknowledged. The parent kills this process with SIGKILL.
#include "storage/collections.hpp"
#include "storage/directory.hpp"
#include "storage/items.hpp"
#include "storage/store.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <mutex>
#include <thread>
#include <vector>

using namespace atrium::storage;

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  // Small checkpoint and restart thresholds, so kills also land while the log is being copied
  // into the database file and while it starts again from its beginning.
  auto store = Store::open({.data_dir = argv[1], .checkpoint_pages = 32, .log_restart_pages = 128});
  int threads = std::atoi(argv[2]);
  auto user = store->write([](WriteTxn& t) {
    if (auto p = directory::find_principal(t, "load@example.test")) return p->id;
    directory::add_domain(t, "example.test");
    return directory::add_user(t, {"load@example.test", "$argon2id$x", "", 0});
  });
  auto box = store->read([&](ReadTxn& t) {
    return collections::find(t, Actor::system(), user, CollectionKind::mailbox, "INBOX")->id;
  });
  std::mutex out;
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      for (long i = 0;; ++i) {
        // Some bodies repeat across writers so deduplicated blobs are in play too.
        std::string body = (i % 5 == 0) ? fmt::format("common body {}\r\n", i / 5)
                                        : fmt::format("pid {} writer {} message {}\r\n", getpid(), w, i);
        auto blob = store->blobs().put(body);
        auto added = store->write([&](WriteTxn& t) {
          return items::add(t, Actor::principal(user), {.collection = box, .kind = ItemKind::message, .blob = blob});
        });
        auto line = fmt::format("ack {} {}\n", added.id, blob.hash);
        std::lock_guard lock(out);
        if (::write(1, line.data(), line.size()) < 0) return;
      }
    });
  }
  for (auto& t : workers) t.join();
}
